"""Wall-test declarations of the funding rows (see ``common/tests/walls.py``)."""

from datetime import timedelta

from django.utils import timezone

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.funding import services
from tanpuhui.funding.models import Cause, CrowdfundingProject, FundingPool


def _crowdfunding(owner) -> CrowdfundingProject:
    return services.crowdfunding_create(
        centre=owner.centre, actor=make_staff(Role.CENTRE_OPERATOR, owner.centre), kind="rooftop_pv", title="屋顶光伏", target_coins=1000,
        deadline=timezone.now() + timedelta(days=7),
    )  # fmt: skip


def _cause(owner) -> Cause:
    return services.cause_create(
        centre=owner.centre,
        actor=make_staff(Role.CENTRE_OPERATOR, owner.centre),
        kind="tree_planting",
        title="植树",
    )


def _pool(owner) -> FundingPool:
    return services.pool_create(
        centre=owner.centre, source=FundingPool.Source.GOVERNMENT_SUBSIDY, name_zh="补贴", name_en="Subsidy",
        actor=make_staff(Role.CENTRE_OPERATOR, owner.centre),
    )  # fmt: skip


OBJECTS = {
    ("home_centre", CrowdfundingProject): _crowdfunding,
    ("centre_member", CrowdfundingProject): _crowdfunding,
    ("home_centre", Cause): _cause,
    ("centre_member", Cause): _cause,
    ("staff", Cause): _cause,
    ("staff", FundingPool): _pool,
}
