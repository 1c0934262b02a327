"""Browser-test fixtures: Debian's Chromium driven by Playwright's sync API against pytest-django's
``live_server``, at phone size.

Reuse them in any ``tests/e2e/test_*.py``::

    pytestmark = pytest.mark.browser

    def test_something(page, centres, shot, login_as):
        page.goto("/")                       # relative to the live server
        shot(page, "home")                   # test-artifacts/<test>-home.png
        login_as(page, "13911234567", "…")   # fixture: logs in through the real form

Notes
- Never ``playwright install``: we launch the system ``/usr/bin/chromium`` (``scripts/ensure-services.sh``
  installs it on a fresh machine). If it is missing the browser tests are skipped, not failed.
- ``live_server`` makes the test's database transactional: rows created in the test are visible to the
  server thread, and tables are emptied after each test; rows seeded by migrations are restored before
  each browser test (serialized rollback).
- Playwright's sync API keeps an event loop in the test thread; Django's async-safety guard would then
  refuse ORM calls made by the test, so ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set while the browser runs.
- Under ``pytest -n 2`` each xdist worker has its own database, live server and browser.
- A failing browser test leaves a screenshot of its last page in ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import cache

CHROMIUM = os.environ.get("TANPUHUI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0 Mobile Safari/537.36"
    ),
}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEFAULT_TIMEOUT_MS = 15_000


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the item so ``page`` can screenshot failures."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:120]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium per test process (per xdist worker)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (scripts/ensure-services.sh installs it)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def phone_context(browser, live_server, django_db_serialized_rollback) -> Iterator:
    """A fresh phone-sized browser context (own cookies) whose relative URLs go to the live server.

    The browser announces English first on purpose: the product must still open in Chinese.
    ``django_db_serialized_rollback``: data that migrations seed (e.g. the methodology registry) is
    restored before each browser test, although ``live_server`` tests empty the tables afterwards.
    """
    cache.clear()  # login lock-out counters live in the cache
    context = browser.new_context(base_url=live_server.url, locale="en-US", **PHONE)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context
    context.close()
    cache.clear()


@pytest.fixture
def page(phone_context, request) -> Iterator:
    """A page in ``phone_context``; on failure its last state is saved to test-artifacts/."""
    page = phone_context.new_page()
    yield page
    failed = any(
        getattr(getattr(request.node, f"rep_{when}", None), "failed", False) for when in ("setup", "call")
    )
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        with contextlib.suppress(Exception):  # a screenshot must never mask the real failure
            page.screenshot(path=str(ARTIFACTS / f"{_slug(request.node.nodeid)}-FAILED.png"), full_page=True)
    page.close()


@pytest.fixture
def shot(request) -> Callable:
    """``shot(page, "name")`` saves a full-page PNG to test-artifacts/<test>-<name>.png and returns the path."""

    def take(page, name: str, *, full_page: bool = True, path: Path | None = None) -> Path:
        target = path or ARTIFACTS / f"{_slug(request.node.name)}-{_slug(name)}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=full_page)
        return target

    return take


@pytest.fixture
def centres(transactional_db) -> dict:
    """The demo tenants (Guangdong provincial centre, GZ, ZS, DG, HQ and the pilot cities), by code."""
    from tanpuhui.tenancy import demo
    from tanpuhui.tenancy.models import Centre

    demo.load()
    return {c.code: c for c in Centre.objects.all()}


@pytest.fixture
def login_as() -> Callable:
    """``login_as(page, username, password)`` logs in through the real login form (any language)."""

    def login(page, username: str, password: str) -> None:
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")

    return login
