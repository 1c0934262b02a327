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


def test_enterprise_form_screenshot(page, centres, shot, login_as):
    """The enterprise portal's retrofit form at phone size, with one field error shown."""
    from tanpuhui.enterprises.tests.factories import make_enterprise

    enterprise, user = make_enterprise(centres["ZS"], name="中山明辉照明工程有限公司")
    user.set_password("low-carbon-2016")
    user.save()
    login_as(page, user.phone, "low-carbon-2016")
    page.goto("/enterprise/projects/new/")
    page.select_option("select[name=enterprise]", str(enterprise.pk))
    page.fill("input[name=title]", "小榄厂区车间照明LED改造")
    page.select_option("select[name=kind]", "led_lighting")
    page.fill("input[name=site]", "中山市小榄镇工业大道厂区一号车间")
    page.fill("input[name=period_start]", "2024-01-01")
    page.fill("input[name=period_end]", "2023-06-30")
    page.fill("input[name=operating_hours_per_year]", "5000")
    with page.expect_navigation():
        page.click("[data-testid=project-save]")
    page.wait_for_selector(".has-error")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.evaluate("document.querySelector('[data-testid=project-form]').scrollIntoView()")
    shot(page, "enterprise-form", full_page=False, path=DOCS / "enterprise-form.png")
