"""Staff find who holds a number in their centre and release a binding (audited), e.g. when the
real owner of a card asks the operation centre for it."""

import pytest

from tanpuhui.accounts.models import Binding, Role
from tanpuhui.accounts.tests.factories import BindingFactory, ResidentFactory, make_staff
from tanpuhui.common.models import AuditEvent

pytestmark = pytest.mark.django_db

LIST = "/api/v1/staff/bindings"


def release(client, binding, reason="持卡人本人到中心证明卡属于她"):
    return client.post(f"{LIST}/{binding.pk}/release", {"reason": reason}, format="json")


@pytest.fixture
def held(gz):
    return BindingFactory(
        resident=ResidentFactory(centre=gz), kind="transit_card", account_number="T123456789"
    )


class TestFind:
    def test_find_by_the_number_as_typed(self, client_for, gz_operator, held):
        response = client_for(gz_operator).get(LIST, {"kind": "transit_card", "number": "t1234 56789"})
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [r["id"] for r in rows] == [held.pk]
        assert rows[0]["number"] == "•••• 6789" and rows[0]["resident"] == str(held.resident_id)

    def test_find_by_resident(self, client_for, gz_operator, held):
        BindingFactory(resident=held.resident, kind="electricity", account_number="0100001234")
        response = client_for(gz_operator).get(LIST, {"resident": str(held.resident_id)})
        assert response.json()["count"] == 2

    @pytest.mark.parametrize("params", [{}, {"kind": "transit_card"}])
    def test_no_browsing_without_a_number_or_resident(self, client_for, gz_operator, held, params):
        response = client_for(gz_operator).get(LIST, params)
        assert response.status_code == 200 and response.json()["count"] == 0

    def test_a_malformed_resident_is_refused_not_browsed(self, client_for, gz_operator, held):
        response = client_for(gz_operator).get(LIST, {"resident": "not-a-uuid"})
        assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["resident"]

    def test_other_centres_numbers_are_invisible(self, client_for, zs_operator, held):
        response = client_for(zs_operator).get(LIST, {"kind": "transit_card", "number": "T123456789"})
        assert response.json()["count"] == 0
        response = client_for(zs_operator).get(LIST, {"resident": str(held.resident_id)})
        assert response.json()["count"] == 0


class TestRelease:
    def test_release_frees_the_number_and_is_audited(self, client_for, gz_operator, held, gz):
        response = release(client_for(gz_operator), held)
        assert response.status_code == 200, response.json()
        assert response.json()["unbound_at"] is not None
        event = AuditEvent.objects.get(action="binding.release")
        assert event.actor == gz_operator and event.centre == gz and event.data["reason"].startswith("持卡人")
        owner = ResidentFactory(centre=gz)
        rebind = client_for(owner).post(
            "/api/v1/me/bindings", {"kind": "transit_card", "account_number": "T123456789"}, format="json"
        )
        assert rebind.status_code == 201

    def test_reason_is_required(self, client_for, gz_operator, held):
        for body in [{}, {"reason": ""}, {"reason": "   "}]:
            response = client_for(gz_operator).post(f"{LIST}/{held.pk}/release", body, format="json")
            assert response.status_code == 400
            assert "reason" in response.json()["error"]["fields"]
        held.refresh_from_db()
        assert held.unbound_at is None

    def test_another_centres_binding_is_404(self, client_for, zs_operator, held):
        assert release(client_for(zs_operator), held).status_code == 404
        held.refresh_from_db()
        assert held.unbound_at is None and not AuditEvent.objects.exists()

    def test_released_twice_is_404(self, client_for, gz_operator, held):
        client = client_for(gz_operator)
        release(client, held)
        assert release(client, held).status_code == 404
        assert AuditEvent.objects.filter(action="binding.release").count() == 1

    def test_reviewers_and_residents_cannot_release(self, client_for, gz, held):
        reviewer = make_staff(Role.CENTRE_REVIEWER, gz)
        assert client_for(reviewer).get(LIST, {"resident": str(held.resident_id)}).json()["count"] == 1
        assert release(client_for(reviewer), held).status_code == 403
        assert release(client_for(held.resident), held).status_code == 403
        assert Binding.objects.get(pk=held.pk).unbound_at is None

    def test_provincial_officer_can_release_anywhere(self, client_for, provincial_officer, held):
        assert release(client_for(provincial_officer), held).status_code == 200
