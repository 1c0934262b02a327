"""The staff "residents" pages: find a resident of one's centres, correct a display name."""

import pytest
from django.test import Client
from django.urls import reverse

from tanpuhui.accounts.models import User
from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.common.models import AuditEvent

pytestmark = pytest.mark.django_db

LIST = "/staff/residents/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(resident) -> str:
    return reverse("web:staff-resident", args=[resident.pk])


def test_the_list_holds_the_operators_centre_only(gz_operator, resident, other_resident):
    response = signed_in(gz_operator).get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert resident.display_name in page and page_of(resident) in page
    assert other_resident.display_name not in page and page_of(other_resident) not in page
    assert resident.phone not in page and resident.masked_phone in page


def test_search_by_phone_digits_or_name(gz, gz_operator, other_resident):
    wang = ResidentFactory(centre=gz, display_name="王小明", phone="13800001234")
    li = ResidentFactory(centre=gz, display_name="李四", phone="13900005678")
    twin = ResidentFactory(centre=other_resident.centre, display_name="王小明", phone="13700001234")
    client = signed_in(gz_operator)
    for term in ("1234", "王小"):
        found = client.get(LIST, {"q": term}).context["residents"]
        assert found == [wang], term  # not the namesake at another centre
    assert twin not in client.get(LIST, {"q": "王"}).context["residents"]
    assert client.get(LIST, {"q": "5678"}).context["residents"] == [li]
    empty = client.get(LIST, {"q": "000000000"})
    assert empty.status_code == 200 and 'data-testid="staff-residents-empty"' in empty.content.decode()
    assert client.get(LIST, {"q": "x" * 51}).status_code == 400


def test_the_resident_page_renders_for_the_operator(gz_operator, resident):
    response = signed_in(gz_operator).get(page_of(resident))
    assert response.status_code == 200
    assert response.context["form"]["display_name"].value() == resident.display_name


def test_another_centres_resident_is_not_found(gz_operator, other_resident):
    client = signed_in(gz_operator)
    name = other_resident.display_name
    assert client.get(page_of(other_resident)).status_code == 404
    assert client.post(page_of(other_resident), {"display_name": "改名"}).status_code == 404
    other_resident.refresh_from_db()
    assert other_resident.display_name == name


def test_staff_are_not_residents_here(gz, gz_operator):
    assert signed_in(gz_operator).get(page_of(gz_operator)).status_code == 404


def test_anonymous_visitors_sign_in_and_residents_are_refused(resident):
    for url in (LIST, page_of(resident)):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
        assert signed_in(resident).get(url).status_code == 403
    assert signed_in(resident).post(page_of(resident), {"display_name": "自己改"}).status_code == 403
    resident.refresh_from_db()
    assert resident.display_name != "自己改"


def test_correcting_the_name_saves_it_and_records_who(gz_operator, resident):
    old = resident.display_name
    response = signed_in(gz_operator).post(page_of(resident), {"display_name": "  陈大文 "})
    assert response.status_code == 302 and response["Location"] == page_of(resident)
    resident.refresh_from_db()
    assert resident.display_name == "陈大文"
    event = AuditEvent.objects.get(action="resident.rename", target_id=str(resident.pk))
    assert event.actor_id == gz_operator.pk and event.data == {"from": old, "to": "陈大文"}


@pytest.mark.parametrize("name", ["", "   ", "名" * 51])
def test_a_bad_name_is_a_400_with_the_fields_message(gz_operator, resident, name):
    old = resident.display_name
    response = signed_in(gz_operator).post(page_of(resident), {"display_name": name})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["display_name"] and errors["display_name"][0]
    assert 'class="error"' in response.content.decode()
    assert User.objects.get(pk=resident.pk).display_name == old
    assert not AuditEvent.objects.filter(action="resident.rename").exists()
