"""The figures a centre is judged by, against data built by hand (today: 15 November 2026, Beijing time).

GZ: residents A and B registered in January 2025, C in October 2026, D in November 2026.
Reductions (by the period's end): A 1,500 + 500 kg and a −100 kg correction and B 250 kg in November
(2.15 t, 2 participants); A 1,000 kg in October (1 t, 1 participant); A 999 kg in October 2025, outside
the 12-month window (December 2025 – November 2026). Coins: 50 issued to A in October; 700 to A and 300
to B in November, B's 300 reversed in November (net 700). A spends 100 on a voucher in November, which a
cashier verifies. ZS: one resident, 300 kg in November, 40 coins.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from freezegun import freeze_time

from tanpuhui.accounts.models import RoleAssignment
from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.console import selectors
from tanpuhui.ledger import services as ledger
from tanpuhui.ledger.tests.factories import fund, make_reduction
from tanpuhui.marketplace import services as marketplace
from tanpuhui.marketplace.tests.factories import MerchantFactory, OfferFactory, make_merchant_staff
from tanpuhui.tenancy.models import Centre

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 15)
NOV = date(2026, 11, 1)
OCT = date(2026, 10, 1)


def registered(user, when: datetime) -> None:
    RoleAssignment.objects.filter(user=user, role="resident").update(created_at=when)


@pytest.fixture
def world(gz, zs):
    a, b, c, d = (ResidentFactory(centre=gz) for _ in range(4))
    z = ResidentFactory(centre=zs)
    for user in (a, b):
        registered(user, datetime(2025, 1, 10, 9, tzinfo=BEIJING))
    registered(c, datetime(2026, 10, 31, 23, 30, tzinfo=BEIJING))  # 15:30 UTC: still October in Beijing
    registered(d, datetime(2026, 11, 2, 9, tzinfo=BEIJING))
    registered(z, datetime(2026, 11, 3, 9, tzinfo=BEIJING))

    first = make_reduction(a, "1500", period_end=date(2026, 11, 3))
    make_reduction(a, "500", period_end=date(2026, 11, 10))
    make_reduction(a, "-100", period_end=date(2026, 11, 10), adjusts=first)
    make_reduction(b, "250", period_end=date(2026, 11, 5))
    make_reduction(a, "1000", period_end=date(2026, 10, 20))
    make_reduction(a, "999", period_end=date(2025, 10, 31))
    make_reduction(z, "300", period_end=date(2026, 11, 1))

    with freeze_time(datetime(2026, 10, 12, 10, tzinfo=BEIJING)):
        fund(a, 50)
    with freeze_time(datetime(2026, 11, 1, 0, 30, tzinfo=BEIJING)):  # 31 October in UTC
        fund(a, 700)
        given = fund(b, 300)
        ledger.transfer_reverse(transfer=given.pk, idempotency_key="test:reverse-b")
        fund(z, 40)
        merchant = MerchantFactory(centre=gz)
        cashier = make_merchant_staff(merchant).user
        offer = OfferFactory(merchant=merchant, price_coins=100)
        voucher = marketplace.voucher_redeem(offer_id=offer.pk, resident=a)
    with freeze_time(datetime(2026, 11, 14, 15, tzinfo=BEIJING)):
        marketplace.voucher_verify(user=cashier, code=voucher.code)
    return {"gz": gz, "zs": zs}


def test_a_centres_figures_by_month(world, django_assert_num_queries):
    gz, zs = world["gz"], world["zs"]
    with django_assert_num_queries(6):  # the centres, then one query per figure
        per_centre = selectors.figures_by_centre(Centre.objects.filter(pk__in=[gz.pk, zs.pk]), today=TODAY)
    figures = per_centre[gz.pk]
    assert [m.month for m in figures.months][:2] == [date(2025, 12, 1), date(2026, 1, 1)]
    assert len(figures.months) == 12 and figures.current.month == NOV
    by_month = {m.month: m for m in figures.months}
    nov, oct_ = by_month[NOV], by_month[OCT]

    assert (nov.residents, oct_.residents, by_month[date(2026, 9, 1)].residents) == (4, 3, 2)
    assert (nov.participants, oct_.participants) == (2, 1)
    assert nov.kg_co2e == Decimal("2150") and nov.t_co2e == Decimal("2.15")
    assert oct_.t_co2e == Decimal("1")
    assert figures.t_co2e == Decimal("3.15")  # October 2025's 999 kg is outside the window
    assert (nov.coins_issued, oct_.coins_issued) == (700, 50)
    assert (nov.coins_redeemed, nov.vouchers_verified) == (100, 1)
    assert (figures.coins_issued, figures.coins_redeemed, figures.vouchers_verified) == (750, 100, 1)
    assert all(m.coins_issued == 0 for m in figures.months if m.month < OCT)

    z = per_centre[zs.pk].current
    assert (z.residents, z.participants, z.t_co2e, z.coins_issued, z.coins_redeemed) == (
        1,
        1,
        Decimal("0.3"),
        40,
        0,
    )


def test_the_province_adds_its_centres(world):
    gz, zs = world["gz"], world["zs"]
    per_centre = selectors.figures_by_centre(Centre.objects.filter(pk__in=[gz.pk, zs.pk]), today=TODAY)
    province = selectors.combined(per_centre, today=TODAY)
    assert province.residents == 5
    assert province.current.participants == 3
    assert province.current.t_co2e == Decimal("2.45")
    assert province.coins_issued == 790 and province.coins_redeemed == 100


def test_the_issued_figure_agrees_with_the_issuance_balance(world):
    gz = world["gz"]
    figures = selectors.figures_by_centre(Centre.objects.filter(pk=gz.pk), today=TODAY)[gz.pk]
    assert figures.coins_issued == -ledger.issuance_of(gz).balance


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@freeze_time(datetime(2026, 11, 15, 12, tzinfo=BEIJING))
def test_the_csv_export_has_every_month(world, provincial_officer, gz_operator):
    client = Client()
    client.force_login(gz_operator)
    response = client.get("/console/figures.csv?lang=en")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert [r["Month"] for r in rows][-2:] == ["2026-10", "2026-11"] and len(rows) == 12
    nov = rows[-1]
    assert (nov["Residents"], nov["Active participants"], nov["t CO₂e reduced"]) == ("4", "2", "2.1500")
    assert (nov["Coins issued"], nov["Coins redeemed"], nov["Vouchers verified"]) == ("700", "100", "1")

    client.force_login(provincial_officer)
    rows = read_csv(client.get("/console/province.csv?lang=en"))
    by_centre = {(r["Centre"].split()[0], r["Month"]): r for r in rows}
    assert by_centre[("ZS", "2026-11")]["t CO₂e reduced"] == "0.3000"
    assert by_centre[("Province", "2026-11")]["Residents"] == "5"
    assert len(rows) == 12 * 3  # GZ, ZS and the province


@freeze_time(datetime(2026, 11, 15, 12, tzinfo=BEIJING))
def test_the_rollup_page_shows_every_centre(world, provincial_officer):
    client = Client()
    client.force_login(provincial_officer)
    page = client.get("/console/province/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-centre="GZ"' in body and 'data-centre="ZS"' in body
    assert "3.15" in body and "<svg" in body
