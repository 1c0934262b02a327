"""The console per staff role: who may open which page, which tasks each role sees and that each task's
count is right, the landing after login, and the Django admin for platform administrators only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tanpuhui.accounts.models import User
from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.common.scoping import AUDIENCES, audience_of
from tanpuhui.common.tests.walls import MEMBERS
from tanpuhui.console.tests.walls import CONSOLE_AUDIENCES
from tanpuhui.console.urls import web_patterns
from tanpuhui.enterprises.models import RetrofitProject
from tanpuhui.enterprises.tests.factories import make_enterprise, make_project
from tanpuhui.marketplace.models import Merchant, Offer, Voucher
from tanpuhui.marketplace.tests.factories import MerchantFactory, OfferFactory
from tanpuhui.metering.models import Batch
from tanpuhui.metering.tests.factories import make_provider

pytestmark = pytest.mark.django_db
PASSWORD = "console-pass-2016"


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def member(kind: str, centre):
    return User.objects.get(pk=MEMBERS[kind](centre).pk)


def test_every_console_page_names_its_audience():
    assert {str(p.pattern): audience_of(p.callback).name for p in web_patterns} == {
        "console/": "staff",
        "console/figures.csv": "staff",
        "console/province/": "provincial",
        "console/province.csv": "provincial",
        "console/audit/": "staff",
    }


@pytest.mark.parametrize("kind", sorted(CONSOLE_AUDIENCES))
def test_each_staff_role_opens_exactly_its_console_pages(kind, gz):
    user = member(kind, gz)
    client = as_user(user)
    for pattern in web_patterns:
        url = "/" + str(pattern.pattern)
        audience = audience_of(pattern.callback)
        allowed = audience.name in CONSOLE_AUDIENCES[kind]
        assert AUDIENCES[audience.name].admits(user) == allowed, (kind, url)
        status = client.get(url).status_code
        assert (status == 200) == allowed and status in (200, 403), (kind, url, status)


def test_residents_cashiers_and_visitors_are_kept_out(gz, resident):
    from tanpuhui.marketplace.tests.factories import make_merchant_staff

    cashier = make_merchant_staff(MerchantFactory(centre=gz)).user
    for pattern in web_patterns:
        url = "/" + str(pattern.pattern)
        assert as_user(resident).get(url).status_code == 403
        assert as_user(cashier).get(url).status_code == 403
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


@pytest.fixture
def waiting(gz, zs):
    """Tasks at GZ (and one of each at ZS, which no GZ count may include)."""
    now = timezone.now()
    for centre in (gz, zs):
        provider = make_provider(centre)

        def batch(n, centre=centre, provider=provider, **fields):
            return Batch.objects.create(
                centre=centre, provider=provider, record_type="electricity_reading", file_format="csv",
                file_path="x", sha256=f"{centre.code}{n}".ljust(64, "0"), **fields,
            )  # fmt: skip

        batch(1, status=Batch.Status.FAILED)
        if centre == gz:
            batch(2, status=Batch.Status.DONE, rejected=3)  # rows refused
            batch(3, status=Batch.Status.DONE)  # fine
            stuck = batch(4, status=Batch.Status.PROCESSING)
            Batch.objects.filter(pk=stuck.pk).update(created_at=now - timedelta(hours=2))
            batch(5, status=Batch.Status.PROCESSING)  # just started: not stuck
            old = batch(6, status=Batch.Status.REJECTED)
            Batch.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=40))
        MerchantFactory(centre=centre, status=Merchant.Status.PENDING)
        OfferFactory(merchant=MerchantFactory(centre=centre), status=Offer.Status.PENDING)
        enterprise, user = make_enterprise(centre, name=f"{centre.code} 公司")
        project = make_project(enterprise, user)
        RetrofitProject.objects.filter(pk=project.pk).update(status=RetrofitProject.Status.SUBMITTED)
    # Settlement: a GZ merchant with a voucher verified last month, one verified this month only.
    first = timezone.localdate().replace(day=1)
    last_month = timezone.make_aware(
        timezone.datetime.combine(first - timedelta(days=3), timezone.datetime.min.time())
    )
    for when in (last_month, timezone.now()):
        offer = OfferFactory(merchant=MerchantFactory(centre=gz))
        Voucher.objects.create(
            code=f"V{when:%m%d%H%M%S}"[:12], offer=offer, merchant=offer.merchant, centre=gz,
            resident=ResidentFactory(centre=gz), ordinal=1, status=Voucher.Status.VERIFIED, price_coins=10,
            yuan_value="5.00", expires_at=when + timedelta(days=30), verified_at=when,
        )  # fmt: skip


def tasks(client) -> dict[str, int]:
    response = client.get("/console/")
    assert response.status_code == 200
    return {item.key: item.count for item in response.context["todo"].items}


def test_each_role_sees_its_tasks_with_counts_of_its_centre(waiting, gz):
    operator = member("operator", gz)
    assert tasks(as_user(operator)) == {
        "batches": 3,  # failed, rows refused, stuck — not the fine, the fresh or the 40-day-old one
        "unmatched": 0,
        "merchants": 1,
        "offers": 1,
        "retrofits": 1,
        "settlement": 1,  # the merchant with last month's voucher, not the one with this month's only
        "settlement-next": 1,  # and the other
    }
    assert tasks(as_user(member("reviewer", gz))).keys() == {"merchants", "offers", "retrofits"}
    assert tasks(as_user(member("finance", gz))).keys() == {"settlement", "settlement-next"}


def test_the_provincial_officer_sees_every_centres_tasks(waiting, gz):
    officer = member("provincial", gz)
    seen = tasks(as_user(officer))
    assert seen["batches"] == 4 and seen["offers"] == 2 and seen["retrofits"] == 2


def test_navigation_badges_count_what_waits(waiting, gz):
    page = as_user(member("operator", gz)).get("/console/")
    links = {link.key: link for _, group in page.context["nav_console"] for link in group}
    assert links["staff-batches"].badge == 3
    assert links["staff-approvals"].badge == 2  # a merchant and an offer
    assert links["staff-settlement"].badge == 1
    assert links["staff-retrofits"].badge == 1
    assert "console-rollup" not in links  # the operator is not a provincial officer


# --- landing and admin ---------------------------------------------------------------------------


def login(client, user, **extra):
    user.set_password(PASSWORD)
    user.save()
    return client.post(reverse("web:login"), {"username": user.phone, "password": PASSWORD, **extra})


@pytest.mark.parametrize("kind", sorted(CONSOLE_AUDIENCES))
def test_staff_land_on_the_console(kind, gz):
    user = member(kind, gz)
    response = login(Client(), user)
    assert response.status_code == 302 and response["Location"] == "/console/"


def test_next_still_wins(gz):
    response = login(Client(), member("operator", gz), next="/staff/ledger/")
    assert response["Location"] == "/staff/ledger/"


def test_a_resident_lands_on_the_profile(resident):
    assert login(Client(), resident)["Location"] == "/me/"


def test_centre_staff_opening_the_admin_are_sent_to_the_console(gz):
    client = as_user(member("operator", gz))
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/console/"
    assert "platform administrators" in response.content.decode() or "平台管理员" in response.content.decode()
    assert client.get("/admin/metering/", follow=True).redirect_chain[-1][0] == "/console/"
    # The forms staff still need until the console has pages for them stay open, scoped to the centre
    # and linked from the console's navigation.
    assert client.get("/admin/metering/dataprovider/").status_code == 200


def test_a_resident_opening_the_admin_goes_home(resident):
    response = as_user(resident).get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/"


def test_the_admin_is_for_platform_administrators_and_in_chinese(gz):
    admin_user = User.objects.create_superuser(
        email="root@tanpuhui.test", password=PASSWORD, display_name="平台"
    )
    client = as_user(admin_user)
    page = client.get("/admin/").content.decode()
    for heading in ("资金池与公益", "企业", "数据与减排量", "审计日志", "众筹项目", "公益项目", "激励活动"):
        assert heading in page, heading
    assert "Crowdfunding projects" not in page and "Common" not in page
    landed = Client().post(reverse("web:login"), {"username": admin_user.email, "password": PASSWORD})
    assert landed["Location"] == "/admin/"
