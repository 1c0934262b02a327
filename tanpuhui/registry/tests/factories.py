"""Registry test helpers: accounts, a metro project with reductions, an issued block."""

from __future__ import annotations

import itertools
from datetime import date

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import UserFactory, make_staff
from tanpuhui.registry import services
from tanpuhui.registry.models import CarbonProject, EtsCap, RegistryAccount

_keys = itertools.count(1)


def key(prefix: str = "k") -> str:
    return f"{prefix}-{next(_keys)}"


def authority(province):
    return make_staff(Role.PROVINCIAL_OFFICER, province)


def account(centre, kind=RegistryAccount.Kind.CENTRE, name=None, member=None):
    member = member or UserFactory(centre=centre)
    acct = services.account_create(
        kind=kind, name=name or f"{centre.code} {kind} {next(_keys)}", centre=centre, members=(member,)
    )
    return acct, member


def ets_emitter(centre, *, emissions_t=100_000, year=2026, share="0.10"):
    acct, member = account(centre, RegistryAccount.Kind.ETS_EMITTER, name=f"广州某电厂 {next(_keys)}")
    EtsCap.objects.create(
        account=acct, compliance_year=year, previous_year_emissions_t=emissions_t, offset_share=share
    )
    return acct, member


def project(centre, owner, *, actor=None, methodology="metro", number=None) -> CarbonProject:
    from tanpuhui.methodology import seed

    seed.apply()
    actor = actor or make_staff(Role.CENTRE_OPERATOR, centre)
    return services.project_create(
        actor=actor,
        centre=centre,
        owner=owner,
        methodology_code=methodology,
        title="地铁出行碳普惠项目",
        kind=CarbonProject.Kind.TRANSIT,
        crediting_start=date(2020, 1, 1),
        crediting_end=date(2029, 12, 31),
        number=number,
    )


def issued_block(centre, province, quantity=100, vintage=2026):
    owner, holder = account(centre)
    proj = project(centre, owner)
    officer = authority(province)
    issuance = services.credits_issue(
        project=proj, vintage=vintage, quantity=quantity, actor=officer, idempotency_key=key("issue")
    )
    return issuance.blocks.get(), holder, officer
