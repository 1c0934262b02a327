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


def test_explanation_and_wallet_screenshots(
    page, centres, shot, login_as, django_capture_on_commit_callbacks
):
    """A resident's metro and bus trips: the explanation in words, then the wallet's one-line history."""
    from tanpuhui.ledger.tests.factories import default_rule
    from tanpuhui.metering.models import DataProvider, Reduction
    from tanpuhui.metering.tests.factories import make_provider, upload

    gz = centres["GZ"]
    default_rule(gz)
    user = resident_register(
        centre_code="GZ", phone="13912345679", password="low-carbon-2016", display_name="陈晓明"
    )
    binding_create(resident=user, kind=Binding.Kind.TRANSIT_CARD, account_number="T100067891", label="羊城通")
    trips = "record_id,card,mode,boarded_at\n" + "".join(
        f"d{i},T100067891,{'metro' if i % 3 else 'bus'},2026-11-{i + 1:02d}T08:12:00+08:00\n"
        for i in range(12)
    )
    with django_capture_on_commit_callbacks(execute=True):
        upload(make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR), "transit_trip", trips)
    login_as(page, "13912345679", "low-carbon-2016")
    metro = Reduction.objects.filter(resident=user, behaviour="metro").order_by("-period_end").first()
    assert metro is not None
    page.goto(f"/me/reductions/{metro.pk}/?lang=zh-hans")
    assert "你乘坐地铁 1 次 × 每次 0.5155 千克 = 0.5155 千克" in page.inner_text(
        "[data-testid=reduction-story]"
    )
    page.click("details.technical summary")
    shot(page, "explanation", full_page=False, path=DOCS / "explanation.png")
    page.goto("/me/wallet/")
    assert "乘地铁" in page.inner_text("[data-testid=wallet-history]")
    shot(page, "wallet", full_page=False, path=DOCS / "wallet.png")
