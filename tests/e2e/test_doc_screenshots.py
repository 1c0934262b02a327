"""Phone-size screenshots for the README (docs/screenshots/). Opt-in: they are committed files.

TANPUHUI_DOC_SCREENSHOTS=1 DATABASE_URL=… TANPUHUI_TESTING=1 .venv/bin/pytest tests/e2e/test_doc_screenshots.py
"""

import os
from pathlib import Path

import pytest

from tanpuhui.accounts.models import Binding
from tanpuhui.accounts.services import binding_create, resident_register

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.environ.get("TANPUHUI_DOC_SCREENSHOTS"), reason="set TANPUHUI_DOC_SCREENSHOTS=1"
    ),
]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_readme_screenshots(page, centres, shot, login_as):
    page.goto("/")
    shot(page, "home-zh", full_page=False, path=DOCS / "home-zh.png")

    user = resident_register(
        centre_code="GZ", phone="13912345678", password="low-carbon-2016", display_name="陈晓明"
    )
    for kind, number, label in [
        (Binding.Kind.ELECTRICITY, "0100012345", "家里"),
        (Binding.Kind.TRANSIT_CARD, "T100067890", "羊城通"),
        (Binding.Kind.BIKE_SHARE, "bike-gz-02468", ""),
    ]:
        binding_create(resident=user, kind=kind, account_number=number, label=label)
    login_as(page, "13912345678", "low-carbon-2016")
    page.select_option("[data-testid=bind-form] select[name=kind]", Binding.Kind.WATER)
    page.fill("[data-testid=bind-form] input[name=account_number]", "W1000135")
    page.click("[data-testid=bind-form] button[type=submit]")
    page.wait_for_selector("text=•••• 0135")
    page.evaluate("document.getElementById('bindings').scrollIntoView()")
    page.evaluate("window.scrollBy(0, -120)")
    shot(page, "profile", full_page=False, path=DOCS / "profile-bindings.png")

    page.goto("/?lang=en")
    shot(page, "home-en", full_page=False, path=DOCS / "home-en.png")


def test_staff_dashboard_screenshot(browser, live_server, django_db_serialized_rollback, centres, login_as):
    """The staff console a centre operator lands on, at desktop size (the console is desktop-first)."""
    from tanpuhui.accounts.models import Role, User
    from tanpuhui.accounts.services import role_grant
    from tanpuhui.console.tests.factories import make_centre_activity

    make_centre_activity(centres["GZ"], residents=8)
    operator = User.objects.create_user(
        phone="13800000011", password="demo-pass-2016", display_name="广州运营 陈晓"
    )
    role_grant(user=operator, role=Role.CENTRE_OPERATOR, centre=centres["GZ"])
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    login_as(page, "13800000011", "demo-pass-2016")
    page.wait_for_selector("[data-testid=console-todo]")
    page.screenshot(path=str(DOCS / "staff-console.png"))
    context.close()
