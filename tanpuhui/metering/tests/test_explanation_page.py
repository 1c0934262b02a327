"""The explanation page of one reduction: the story in a resident's words, technical detail folded."""

import re

import pytest

from tanpuhui.accounts.models import Binding
from tanpuhui.accounts.tests.factories import BindingFactory
from tanpuhui.metering.models import DataProvider, Reduction
from tanpuhui.metering.tests.factories import make_provider, seed_methods
from tanpuhui.metering.tests.test_api import HEADER, key_client, post_raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def metro_trip(gz, resident, django_capture_on_commit_callbacks):
    seed_methods(gz)
    provider = make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR)
    BindingFactory(resident=resident, kind=Binding.Kind.TRANSIT_CARD, account_number="T100000001")
    with django_capture_on_commit_callbacks(execute=True):
        post_raw(key_client(provider), (HEADER + "t1,T100000001,metro,2026-09-01T08:12:00+08:00\n").encode())
    return Reduction.objects.get(resident=resident, behaviour="metro")


def main(response) -> str:
    found = re.search(r"<main.*?</main>", response.content.decode(), re.S)
    assert found is not None
    return found.group(0)


def test_the_story_comes_first_in_words(client, resident, metro_trip):
    client.force_login(resident)
    page = main(client.get(f"/me/reductions/{metro_trip.pk}/?lang=zh-hans"))
    story = page.split('data-testid="reduction-story"')[1].split("</section>")[0]
    assert "你乘坐地铁 1 次 × 每次 0.5155 千克 = 0.5155 千克" in story
    assert "由" in story and "发布" in story  # the factor's publisher and year
    details = page.split("<details")[1]
    assert "技术细节" in details and "因子编号" in details and "四舍五入" in details
    for code in (
        "ROUND_HALF_UP",
        "kg_co2e",
        "transit_trip",
        "trip_factor",
        "formulas.py",
        "transit_per_trip",
    ):
        assert code not in page, code


def test_english_story(client, resident, metro_trip):
    client.force_login(resident)
    page = main(client.get(f"/me/reductions/{metro_trip.pk}/?lang=en"))
    assert "You took the metro 1 trip × 0.5155 kg per trip = 0.5155 kg" in page
    assert "Technical details" in page and "kg_co2e" not in page
