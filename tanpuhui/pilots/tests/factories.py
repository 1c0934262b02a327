"""Pilot test factories: places under a centre, pilots, appropriations."""

from __future__ import annotations

from itertools import count

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.pilots import services
from tanpuhui.pilots.models import Appropriation, Pilot, Place

_n = count(1)


def make_community(centre, *, code: str | None = None, households: int = 1200) -> Place:
    n = next(_n)
    city, _ = Place.objects.get_or_create(
        code=f"{centre.code.lower()}-city",
        defaults={
            "kind": "city",
            "name_zh": f"{centre.code}市",
            "region": centre.region,
            "centre": centre,
            "adcode": "440100",
        },
    )
    district = Place.objects.create(
        code=f"{centre.code.lower()}-d{n}",
        kind="district",
        name_zh=f"第{n}区",
        parent=city,
        region=centre.region,
        centre=centre,
    )
    town = Place.objects.create(
        code=f"{centre.code.lower()}-t{n}",
        kind="town",
        name_zh=f"第{n}街道",
        parent=district,
        region=centre.region,
        centre=centre,
    )
    return Place.objects.create(
        code=code or f"{centre.code.lower()}-c{n}",
        kind="community",
        name_zh=f"第{n}社区",
        parent=town,
        region=centre.region,
        centre=centre,
        households=households,
    )


def make_pilot(
    centre, *, manager=None, community_type: str = "existing_urban", place: Place | None = None
) -> Pilot:
    manager = manager or make_staff(Role.PILOT_MANAGER, centre)
    place = place or make_community(centre)
    return services.pilot_apply(
        actor=manager,
        level="community",
        community_type=community_type,
        name_zh=f"{place.name_zh}低碳社区试点",
        designation="provincial",
        batch=1,
        year=2014,
        place_code=place.code,
        managing_organisation=f"{place.name_zh}居委会",
    )


def make_appropriation(pilot: Pilot, *, amount_fen: int = 2_000_000_00) -> Appropriation:
    return Appropriation.objects.create(
        pilot=pilot, source="provincial_fund", year=2014, amount_fen=amount_fen
    )
