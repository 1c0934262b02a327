"""The public serial search on a phone: a serial inside a transferred block names the block that now
holds it, its status and where it came from (lineage); an unknown serial says so."""

import pytest

from tanpuhui.registry import services
from tanpuhui.registry.tests.factories import account, issued_block

pytestmark = pytest.mark.browser


def test_serial_search_shows_the_holding_block_and_its_lineage(page, centres, shot):
    gz = centres["GZ"]
    block, holder, _officer = issued_block(gz, gz.parent, quantity=100)
    services.credits_retire(
        block_id=block.pk, quantity=30, actor=holder, idempotency_key="e2e-retire",
        beneficiary="2026年全国低碳日广东主场活动", purpose="voluntary",
    )  # fmt: skip
    services.credits_transfer(
        block_id=block.pk, quantity=20, to_account=account(gz)[0], actor=holder, idempotency_key="e2e-move"
    )
    page.goto("/registry/serials/")
    page.fill("#serial", "GD-PHCER-METRO-0001-2026-12")
    page.press("#serial", "Enter")
    result = page.locator("#serial-result")
    result.wait_for()
    text = result.inner_text()
    assert "GD-PHCER-METRO-0001-2026-1-30" in text and "2026年全国低碳日广东主场活动" in text
    assert "GD-PHCER-METRO-0001-2026-1-100" in page.locator(".lineage").inner_text()
    shot(page, "serial-found")
    page.fill("#serial", "GD-PHCER-METRO-0001-2026-101")
    page.press("#serial", "Enter")
    page.locator("#serial-result[role=alert]").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
