"""POST /api/v1/merchant/staff takes a phone in its normal form: one account per number, ASCII digits only."""

import pytest
from django.urls import reverse

from tanpuhui.accounts.models import User
from tanpuhui.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13500004551"
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) for c in PHONE)
ARABIC_INDIC = PHONE[:2] + "".join(chr(0x0660 + int(c)) for c in PHONE[2:])


def add_staff(client, phone):
    body = {"phone": phone, "display_name": "收银员", "password": "low-carbon-2016", "role": "cashier"}
    return client.post(reverse("api:merchant-staff"), body, format="json")


@pytest.mark.parametrize("spelling", [ARABIC_INDIC, "1350000455\u0661", "135\u06f00004551"])
def test_digits_of_another_script_are_refused(client_for, manager, spelling):
    response = add_staff(client_for(manager.user), spelling)
    assert response.status_code == 400, response.json()
    assert "phone" in response.json()["error"]["fields"]
    assert not User.objects.filter(display_name="收银员").exists()


@pytest.mark.parametrize("spelling", [FULL_WIDTH, "13５00004551"])
def test_full_width_digits_are_the_ascii_number(client_for, manager, spelling):
    response = add_staff(client_for(manager.user), spelling)
    assert response.status_code == 201, response.json()
    assert response.json()["phone"] == "135****4551"
    assert User.objects.get(display_name="收银员").phone == PHONE


@pytest.mark.parametrize("spelling", [FULL_WIDTH, f" {PHONE}\u3000"])
def test_a_spelling_of_a_registered_number_is_taken(client_for, manager, spelling):
    UserFactory(phone=PHONE)
    response = add_staff(client_for(manager.user), spelling)
    assert response.status_code == 409, response.json()
    assert response.json()["error"]["code"] == "phone_taken"
    assert User.objects.filter(display_name="收银员").count() == 0
