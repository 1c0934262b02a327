"""List filters of the marketplace (``marketplace/filters.py``): a valid value narrows the list, an invalid
one is a 400 naming the parameter — on the API; the catalogue page says so and shows every offer."""

import pytest

from tanpuhui.marketplace.models import Merchant, Offer
from tanpuhui.marketplace.tests.factories import MerchantFactory, OfferFactory

pytestmark = pytest.mark.django_db


def invalid_fields(response):
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    return error["fields"]


def test_catalogue_category(client_for, rich_resident, offer):
    OfferFactory(merchant=offer.merchant, category="movies", title="电影票")
    client = client_for(rich_resident)
    movies = client.get("/api/v1/offers", {"category": "movies"}).json()
    assert [o["title"] for o in movies["results"]] == ["电影票"]
    assert list(invalid_fields(client.get("/api/v1/offers", {"category": "weapons"}))) == ["category"]


def test_catalogue_page_says_an_unknown_category_is_not_one(client, rich_resident, offer):
    OfferFactory(merchant=offer.merchant, category="movies", title="电影票")
    client.force_login(rich_resident)
    page = client.get("/offers/", {"category": "weapons"})
    assert page.status_code == 200
    assert [str(m) for m in page.context["messages"]] != []
    assert {o.title for o in page.context["offers"]} == {offer.title, "电影票"}
    assert page.context["category"] is None
    movies = client.get("/offers/", {"category": "movies"})
    assert [o.title for o in movies.context["offers"]] == ["电影票"] and movies.context[
        "category"
    ] == "movies"


def test_staff_merchants_by_status(client_for, gz_operator, merchant, gz):
    pending = MerchantFactory(centre=gz, status=Merchant.Status.PENDING)
    client = client_for(gz_operator)
    rows = client.get("/api/v1/staff/merchants", {"status": "pending"}).json()["results"]
    assert [r["id"] for r in rows] == [str(pending.pk)]
    assert list(invalid_fields(client.get("/api/v1/staff/merchants", {"status": "sleeping"}))) == ["status"]


def test_staff_offers_by_status(client_for, gz_operator, offer):
    pending = OfferFactory(merchant=offer.merchant, status=Offer.Status.PENDING)
    client = client_for(gz_operator)
    rows = client.get("/api/v1/staff/offers", {"status": "pending"}).json()["results"]
    assert [r["id"] for r in rows] == [str(pending.pk)]
    assert list(invalid_fields(client.get("/api/v1/staff/offers", {"status": "sleeping"}))) == ["status"]
