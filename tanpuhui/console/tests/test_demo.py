"""Each staff login the README lists sees a dashboard with work waiting and figures to read."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from tanpuhui.accounts.models import User

pytestmark = pytest.mark.django_db

README_STAFF = ["13800000011", "13800000013", "13800000022", "13800000001"]


def test_every_readme_staff_login_has_a_non_empty_dashboard():
    call_command("demo_load", stdout=io.StringIO())
    for phone in README_STAFF:
        client = Client()
        client.force_login(User.objects.get(phone=phone))
        page = client.get("/console/")
        assert page.status_code == 200, phone
        todo, figures = page.context["todo"], page.context["figures"]
        assert todo.total > 0, (phone, {item.key: item.count for item in todo.items})
        assert figures.residents > 0 and figures.t_co2e > 0 and figures.coins_issued > 0, phone
    officer = Client()
    officer.force_login(User.objects.get(phone="13800000001"))
    rollup = officer.get("/console/province/")
    assert all(
        row["figures"].t_co2e > 0
        for row in rollup.context["rows"]
        if row["centre"].code in {"GZ", "ZS", "DG", "HQ"}
    )
