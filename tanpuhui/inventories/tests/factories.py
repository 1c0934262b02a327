"""Towns, statisticians and inventories for tests."""

from __future__ import annotations

import itertools
from decimal import Decimal

from tanpuhui.accounts.models import Role, User
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.inventories import seed, services
from tanpuhui.inventories.models import GwpSet, Inventory, SectorMapping, TownDesk
from tanpuhui.methodology import seed as methodology_seed
from tanpuhui.methodology.models import Parameter
from tanpuhui.pilots.models import Place

_n = itertools.count(1)


def make_town(centre, *, code: str | None = None, name_zh: str = "") -> Place:
    city, _ = Place.objects.get_or_create(
        code=f"{centre.code.lower()}-city",
        defaults={"kind": "city", "name_zh": f"{centre.code}市", "region": centre.region, "centre": centre},
    )
    n = next(_n)
    return Place.objects.create(
        code=code or f"{centre.code.lower()}-town{n}",
        kind="town",
        name_zh=name_zh or f"第{n}镇",
        name_en=f"Town {n}",
        parent=city,
        region=centre.region,
        centre=centre,
    )


def ensure_seed() -> None:
    """The migration's sets and trees, again if a transactional test (a browser test) flushed them."""
    if not GwpSet.objects.exists() or not SectorMapping.objects.exists():
        seed.load()
    if not Parameter.objects.filter(code="grid_ef").exists():
        methodology_seed.apply()  # the scope-2 grid factors


def make_statistician(centre, *, town: Place | None = None) -> User:
    ensure_seed()
    user = make_staff(Role.TOWN_STATISTICIAN, centre)
    TownDesk.objects.create(user=user, town=town or make_town(centre))
    return user


def desk_town(user: User) -> Place:
    return TownDesk.objects.get(user=user).town


def row(category: str, subject: str, quantity: str, unit: str, **extra) -> services.RowInput:
    return services.RowInput(
        category=category, subject=subject, quantity=Decimal(quantity), unit=unit, source="test", **extra
    )


def make_inventory(
    statistician: User, *, year: int = 2022, rows=None, gwp: str = "SAR", **figures
) -> Inventory:
    inventory = services.inventory_create(
        actor=statistician, town=desk_town(statistician), year=year, gwp_code=gwp
    )
    for data in rows if rows is not None else [row("manufacturing", "diesel", "100", "t")]:
        services.row_put(inventory=inventory, actor=statistician, data=data)
    if figures:
        services.town_figures_set(inventory=inventory, actor=statistician, **figures)
    return Inventory.objects.get(pk=inventory.pk)


def publish(inventory: Inventory, reviewer: User) -> Inventory:
    statistician = inventory.created_by
    services.inventory_submit(inventory=inventory, actor=statistician)
    services.inventory_review(inventory=inventory, actor=reviewer)
    return services.inventory_publish(inventory=inventory, actor=reviewer)
