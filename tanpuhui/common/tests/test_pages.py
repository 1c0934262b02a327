"""Every web page, for every role: the right role gets 200 (templates render with demo-like data), the
anonymous visitor is sent to the login page (or refused), and the wrong role is refused (403/404 or a
redirect to login). A new page in any ``web_patterns`` must be classified here (see
``test_every_page_is_classified``), so it gets these walls checked too."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tanpuhui.common.scoping import audience_of
from tanpuhui.urls import web_patterns

pytestmark = pytest.mark.django_db

# Actions (POST only, or a redirect endpoint): their GET walls do not apply; their POST walls are
# checked by ``test_actions_refuse_anonymous_and_the_wrong_role``.
ACTIONS = {
    "logout/", "me/bindings/", "me/bindings/<int:pk>/remove/", "me/real-name/", "offers/<uuid:pk>/redeem/",
    "enterprise/projects/<uuid:pk>/review", "enterprise/projects/<uuid:pk>/donate",
    "crowdfunding/<uuid:pk>/pledge", "causes/<uuid:pk>/donate", "staff/metering/batches/upload/",
    "staff/marketplace/<str:kind>/<uuid:pk>/review/", "merchant/apply/",
    "enterprise/<uuid:pk>/staff/", "enterprise/projects/<uuid:pk>/documents/",
    "enterprise/projects/<uuid:pk>/submit/", "staff/metering/providers/add/",
    "staff/metering/providers/<int:pk>/keys/", "staff/metering/providers/<int:pk>/keys/<str:prefix>/rotate/",
    "staff/metering/providers/<int:pk>/keys/<str:prefix>/revoke/",
    "enterprise/labels/apply/", "certification/labels/<uuid:pk>/assign/", "certification/labels/<uuid:pk>/decide/",
    "verifier/labels/<uuid:pk>/verify/",
}  # fmt: skip

# Every page declares its audience (``common.scoping``); the matrix below is read from those
# declarations. A page whose audience is not placed in a group here fails ``test_every_page_is_classified``.
PAGE_AUDIENCE = {str(p.pattern): audience_of(p.callback) for p in web_patterns}
GROUPS = {
    "public": "PUBLIC", "resident": "RESIDENT", "home_centre": "RESIDENT", "signed_in": "SIGNED_IN",
    "centre_member": "SIGNED_IN", "enterprise_applicant": "SIGNED_IN", "staff": "STAFF", "booth": "STAFF",
    "merchant": "MERCHANT", "enterprise": "ENTERPRISE", "project_viewer": "ENTERPRISE",
    "provincial": "PROVINCIAL", "pilot_reviewer": "STAFF", "inventory_reviewer": "STAFF",
    "town_statistician": "TOWN",
    "certification_body": "CERTIFICATION", "label_verifier": "VERIFIER",
}  # fmt: skip


def pages(group: str) -> set[str]:
    return {
        route
        for route, audience in PAGE_AUDIENCE.items()
        if audience is not None and GROUPS.get(audience.name) == group and route not in ACTIONS
    }


# Pages anybody may open (no login).
PUBLIC = pages("PUBLIC")
# Resident-only pages → (wrong roles: centre staff).
RESIDENT = pages("RESIDENT")
# Any signed-in user of a centre (residents, staff): only anonymous visitors are refused.
SIGNED_IN = pages("SIGNED_IN")
# Centre staff pages → wrong roles: resident, merchant cashier.
STAFF = pages("STAFF")
# Merchant staff pages → wrong roles: resident, centre operator.
MERCHANT = pages("MERCHANT")
# Enterprise staff pages → wrong roles: resident, another enterprise's staff.
ENTERPRISE = pages("ENTERPRISE")
# Provincial officers' pages (the console's roll-up) → wrong roles: resident, cashier, centre operator.
PROVINCIAL = pages("PROVINCIAL")
# A town statistician's pages (their town's inventories) → wrong roles: resident, centre operator.
TOWN = pages("TOWN")

# Certification body staff and label verifiers (labels) → wrong roles: resident, centre operator.
CERTIFICATION = pages("CERTIFICATION")
VERIFIER = pages("VERIFIER")

PAGES = (
    PUBLIC
    | RESIDENT
    | SIGNED_IN
    | STAFF
    | MERCHANT
    | ENTERPRISE
    | PROVINCIAL
    | TOWN
    | CERTIFICATION
    | VERIFIER
)


def unclassified(patterns) -> list[str]:
    found = ((str(p.pattern), audience_of(p.callback)) for p in patterns)
    return sorted(route for route, audience in found if audience is None or audience.name not in GROUPS)


def test_every_page_is_classified():
    assert unclassified(web_patterns) == [], "declare the audience of these pages (common.scoping.page_for)"
    assert set(PAGE_AUDIENCE) - PAGES - ACTIONS == set()
    assert set(PAGE_AUDIENCE) >= ACTIONS, "actions listed here that no longer exist"
    # The groups still hold the pages they held when this matrix was written by hand.
    assert {"staff/ledger/", "events/<uuid:pk>/booth/"} <= STAFF and "merchant/verify/" in MERCHANT
    assert {"offers/", "me/vouchers/<uuid:pk>/"} <= RESIDENT and "certificates/<str:code>/" in PUBLIC


def test_a_page_without_an_audience_is_unclassified():
    from django.urls import path

    def new_page(request):  # pragma: no cover - never called
        raise AssertionError

    assert unclassified([*web_patterns, path("new/", new_page)]) == ["new/"]


@pytest.fixture
def world(gz, resident, gz_operator, provincial_officer):
    """Demo-like rows in GZ: a resident with a real reduction, coins and a voucher; a merchant with a
    cashier and an event; an enterprise with an approved retrofit; a crowdfunding project; a batch."""
    from tanpuhui.accounts.models import Binding, Role
    from tanpuhui.accounts.tests.factories import BindingFactory, make_staff
    from tanpuhui.enterprises.tests.factories import make_approved_project, make_enterprise
    from tanpuhui.funding import services as funding
    from tanpuhui.inventories.tests.factories import make_statistician
    from tanpuhui.ledger.tests.factories import default_rule, fund
    from tanpuhui.marketplace import services as marketplace
    from tanpuhui.marketplace.models import Event
    from tanpuhui.marketplace.tests.factories import (
        MerchantFactory,
        OfferFactory,
        OutletFactory,
        make_merchant_staff,
    )
    from tanpuhui.metering.models import DataProvider, Reduction
    from tanpuhui.metering.tests.factories import make_provider, seed_methods, upload
    from tanpuhui.methodology import seed
    from tanpuhui.methodology.models import Methodology, Parameter

    seed.apply()  # the registry as migrations seed it (a transactional test elsewhere may flush it)
    seed_methods(gz)
    default_rule(gz)
    BindingFactory(resident=resident, centre=gz, kind=Binding.Kind.TRANSIT_CARD, account_number="T100000001")
    day = timezone.localdate() - timedelta(days=1)
    provider = make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR)
    batch, _ = upload(
        provider,
        "transit_trip",
        f"record_id,card,mode,boarded_at\nm1,T100000001,metro,{day}T08:00:00+08:00\nbad,,metro,x\n",
    )
    fund(resident, 500)
    merchant = MerchantFactory(centre=gz, name="天河米铺")
    OutletFactory(merchant=merchant, name="体育西店")
    cashier = make_merchant_staff(merchant).user
    offer = OfferFactory(merchant=merchant, price_coins=10, stock=5)
    voucher = marketplace.voucher_redeem(offer_id=offer.pk, resident=resident)
    event = Event.objects.create(
        centre=gz,
        name="低碳日",
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=2),
    )
    enterprise, enterprise_user = make_enterprise(gz)
    project = make_approved_project(enterprise, enterprise_user)
    _other_enterprise, other_enterprise_user = make_enterprise(gz, name="另一家公司")
    crowd = funding.crowdfunding_create(
        centre=gz, actor=gz_operator, kind="rooftop_pv", title="社区屋顶光伏", target_coins=1000,
        deadline=timezone.now() + timedelta(days=7),
    )  # fmt: skip
    ids = {
        "<int:pk>": {
            "me/reductions/": Reduction.objects.get(resident=resident).pk,
            "staff/metering/providers/": provider.pk,
            "staff/methodology/parameters/": Parameter.objects.filter(centre=gz, superseded_by=None)
            .first()
            .pk,
        },
        "<uuid:pk>": {
            "offers/": offer.pk,
            "me/vouchers/": voucher.pk,
            "staff/metering/batches/": batch.pk,
            "events/": event.pk,
            "enterprise/projects/": project.pk,
            "crowdfunding/": crowd.pk,
            "staff/residents/": resident.pk,
        },
        "<slug:code>": {"methodologies/": Methodology.objects.order_by("code").first().code},
    }
    assert Decimal(Reduction.objects.get(resident=resident).kg_co2e) > 0
    return {
        "ids": ids,
        "resident": resident,
        "operator": gz_operator,
        "provincial": provincial_officer,
        "cashier": cashier,
        "enterprise": enterprise_user,
        "other_enterprise": other_enterprise_user,
        "statistician": make_statistician(gz),
        "certifier": make_staff(Role.CERTIFICATION_STAFF, gz.parent or gz),
        "label_verifier": make_staff(Role.VERIFIER, gz),
    }


def url_of(route: str, world) -> str | None:
    for converter, by_prefix in world["ids"].items():
        if converter in route:
            prefix = route.split(converter)[0]
            if prefix not in by_prefix:
                return None
            route = route.replace(converter, str(by_prefix[prefix]))
    return None if "<" in route else "/" + route


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def refused(response) -> bool:
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"].startswith("/login/")


def check(world, routes, who: str, *, want_ok: bool) -> list:
    client = client_as(world[who] if who != "anonymous" else None)
    problems = []
    for route in sorted(routes):
        url = url_of(route, world)
        if url is None:
            continue  # pages needing rows this fixture does not build (e.g. certificates)
        response = client.get(url)
        if want_ok and response.status_code != 200:
            problems.append((who, url, response.status_code))
        if not want_ok and not refused(response):
            problems.append((who, url, response.status_code))
    return problems


def test_pages_render_for_their_role(world):
    problems = (
        check(world, PUBLIC, "anonymous", want_ok=True)
        + check(world, RESIDENT | SIGNED_IN, "resident", want_ok=True)
        + check(world, SIGNED_IN | STAFF, "operator", want_ok=True)
        + check(world, MERCHANT, "cashier", want_ok=True)
        + check(world, ENTERPRISE | {"enterprise/"}, "enterprise", want_ok=True)
        + check(world, PROVINCIAL | STAFF, "provincial", want_ok=True)
        + check(world, TOWN, "statistician", want_ok=True)
        + check(world, CERTIFICATION, "certifier", want_ok=True)
        + check(world, VERIFIER, "label_verifier", want_ok=True)
    )
    assert problems == [], "\n".join(map(str, problems))


def test_pages_refuse_anonymous_and_the_wrong_role(world):
    problems = (
        check(
            world,
            RESIDENT | SIGNED_IN | STAFF | MERCHANT | ENTERPRISE | PROVINCIAL | TOWN,
            "anonymous",
            want_ok=False,
        )
        + check(world, TOWN, "operator", want_ok=False)
        + check(world, TOWN, "resident", want_ok=False)
        + check(world, PROVINCIAL, "operator", want_ok=False)
        + check(world, PROVINCIAL, "resident", want_ok=False)
        + check(world, PROVINCIAL, "cashier", want_ok=False)
        + check(world, RESIDENT, "operator", want_ok=False)
        + check(world, STAFF, "resident", want_ok=False)
        + check(world, STAFF, "cashier", want_ok=False)
        + check(world, MERCHANT, "resident", want_ok=False)
        + check(world, MERCHANT, "operator", want_ok=False)
        + check(world, ENTERPRISE, "resident", want_ok=False)
        + check(world, ENTERPRISE, "other_enterprise", want_ok=False)
        + check(world, CERTIFICATION | VERIFIER, "anonymous", want_ok=False)
        + check(world, CERTIFICATION | VERIFIER, "resident", want_ok=False)
        + check(world, CERTIFICATION | VERIFIER, "operator", want_ok=False)
        + check(world, CERTIFICATION, "label_verifier", want_ok=False)
        + check(world, VERIFIER, "certifier", want_ok=False)
    )
    assert problems == [], "\n".join(map(str, problems))


def test_actions_refuse_anonymous_and_the_wrong_role(world):
    """POST actions: anonymous visitors are sent to the login page, users outside the page's audience are
    refused, and nothing is done for them."""
    problems = []
    for route in sorted(ACTIONS):
        audience = PAGE_AUDIENCE[route]
        url = url_of(
            route.replace("<str:kind>", "offer").replace("<str:prefix>", "nosuchkey"), world
        ) or "/" + (
            route.replace("<uuid:pk>", "00000000-0000-0000-0000-000000000000")
            .replace("<int:pk>", "999999")
            .replace("<str:kind>", "offer")
            .replace("<str:prefix>", "nosuchkey")
        )
        if audience.anonymous:
            continue
        anonymous = client_as(None).post(url, {})
        if not refused(anonymous):
            problems.append(("anonymous", url, anonymous.status_code))
        for who in ("resident", "operator", "cashier", "enterprise"):
            if audience.admits(world[who]):
                continue
            response = client_as(world[who]).post(url, {})
            if not refused(response):
                problems.append((who, url, response.status_code))
    assert problems == [], "\n".join(map(str, problems))
