"""The community screen: built from precomputed aggregates, refreshed incrementally, small groups
suppressed, no individual figure, unknown or revoked tokens 404."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from freezegun import freeze_time

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import ResidentFactory, make_staff
from tanpuhui.metering.models import Reduction
from tanpuhui.pilots import aggregates, services
from tanpuhui.pilots.models import CommunityMonth, CommunityResidentWeek
from tanpuhui.pilots.tests.factories import make_pilot

pytestmark = pytest.mark.django_db
TODAY = date.today()
MONDAY = TODAY - timedelta(days=TODAY.weekday())


def _residents(centre, community, n):
    return [ResidentFactory(centre=centre, community=community) for _ in range(n)]


def _reduce(resident, kg, behaviour="metro", quantity=1, day=MONDAY):
    return Reduction.objects.create(
        centre_id=resident.centre_id,
        resident=resident,
        behaviour=behaviour,
        period_start=day,
        period_end=day,
        kg_co2e=Decimal(kg),
        quantity=Decimal(quantity),
        unit="trip",
    )


@pytest.fixture
def screen(gz):
    pilot = make_pilot(gz)
    reviewer = make_staff(Role.CENTRE_OPERATOR, gz)
    return services.screen_create(pilot=pilot, actor=reviewer)


def test_refresh_is_incremental_and_matches_a_full_rebuild(gz, screen):
    code = screen.pilot.place.code
    people = _residents(gz, code, 6)
    for p in people:
        _reduce(p, "0.5155", quantity=2)
    outsider = ResidentFactory(centre=gz)  # no community: never counted
    _reduce(outsider, "9")
    first = aggregates.refresh()
    assert first["groups"] == 1
    _reduce(people[0], "1.0000", behaviour="cycling", quantity=5)
    aggregates.refresh()
    assert aggregates.refresh()["groups"] == 0  # nothing new
    month = CommunityMonth.objects.filter(community=code)
    assert {(m.behaviour, m.reductions, m.kg_co2e) for m in month} == {
        ("metro", 6, Decimal("3.0930")),
        ("cycling", 1, Decimal("1.0000")),
    }
    week = CommunityResidentWeek.objects.get(community=code, resident_id=people[0].pk)
    assert (week.reductions, week.green_trips) == (2, 3)  # 2 metro trips + 1 cycling trip
    before = sorted(CommunityMonth.objects.values_list("community", "behaviour", "reductions", "kg_co2e"))
    aggregates.rebuild()
    assert (
        sorted(CommunityMonth.objects.values_list("community", "behaviour", "reductions", "kg_co2e"))
        == before
    )


def test_screen_shows_only_aggregates_of_at_least_five_residents(gz, screen, api):
    code = screen.pilot.place.code
    people = _residents(gz, code, 4)
    for p in people:
        _reduce(p, "2.0000")
    aggregates.refresh()
    doc = api.get(f"/api/v1/screens/{screen.token}").json()
    part = doc["participation"]
    assert part["suppressed"] is True
    assert part["residents_this_week"] is None and part["t_reduced_this_week"] is None
    fifth = ResidentFactory(centre=gz, community=code)
    _reduce(fifth, "2.0000")
    aggregates.refresh()
    cache.clear()
    doc = api.get(f"/api/v1/screens/{screen.token}").json()
    part = doc["participation"]
    assert (part["residents_this_week"], part["t_reduced_this_week"], part["green_trips_this_week"]) == (
        5,
        "0.010",
        5,
    )
    text = str(doc)
    for p in [*people, fifth]:  # no individual appears
        assert str(p.pk) not in text and p.display_name not in text


@freeze_time("2026-06-15")
def test_screen_emissions_come_from_reported_values_and_registry_factors(gz, screen, api):
    pilot = screen.pilot
    month = date(2026, 3, 1)
    services.emission_report(
        pilot=pilot, actor=pilot.manager, month=month, source="electricity", quantity=Decimal("100000")
    )
    services.emission_report(
        pilot=pilot, actor=pilot.manager, month=month, source="gas", quantity=Decimal("1000")
    )
    services.emission_report(
        pilot=pilot, actor=pilot.manager, month=month, source="pv", quantity=Decimal("8000")
    )
    doc = api.get(f"/api/v1/screens/{screen.token}").json()
    by_source = {row["source"]: row["t_co2e"] for row in doc["emissions"]["month_by_source"]}
    # 100,000 kWh × 0.4042 = 40.42 t; 1,000 m³ × 2.1622 = 2.16 t; PV 8,000 kWh × 0.4042 = 3.23 t avoided
    assert by_source == {"electricity": "40.42", "gas": "2.16"}
    assert doc["emissions"]["month_t_co2e"] == "42.58"
    assert doc["solar"]["t_avoided_this_year"] == "3.23"
    assert any(f["value"] == "0.4042" for f in doc["factors"])
    # 42.58 t in one month, annualised over 1,200 households
    assert doc["emissions"]["t_per_household_annualised"] == "0.426"


def test_unknown_and_revoked_screens_are_404(gz, screen, api, client):
    assert api.get("/api/v1/screens/not-a-token").status_code == 404
    assert client.get(f"/screens/{screen.token}/").status_code == 200
    reviewer = make_staff(Role.CENTRE_OPERATOR, gz)
    services.pilot_transition(pilot_id=screen.pilot_id, actor=reviewer, action="revoke", reason="停止建设")
    cache.clear()
    assert api.get(f"/api/v1/screens/{screen.token}").status_code == 404
    assert client.get(f"/screens/{screen.token}/").status_code == 404


def test_unsupported_emission_source_is_422(gz, screen):
    from tanpuhui.common.errors import Unprocessable

    with pytest.raises(Unprocessable):
        services.emission_report(
            pilot=screen.pilot, actor=screen.pilot.manager, month=date(2026, 3, 1), source="waste", quantity=1
        )
