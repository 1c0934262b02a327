"""Every page of every demo persona on a 390×844 phone: axe-core finds no serious or critical
violation and no page is wider than the screen, in Chinese and in English.

The pages are discovered, not listed: for each persona the crawler reads the shell's own links (the tab
bar, the "more" sheet and the console: ``nav_tabs``, ``nav_menu``, ``nav_console``), then follows the
first link inside each of those pages that leads one level deeper (an offer, a batch, a reduction, a
project…), plus a page that does not exist. axe-core is the copy vendored in
``web/static/vendor/axe.min.js`` (docs/vendored.md).

The demo is loaded with fewer residents per centre than ``make run`` (the pages and personas are the
same; the tables are shorter, which does not change their width).
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.e2e.conftest import ARTIFACTS, DEFAULT_TIMEOUT_MS, PHONE

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "tanpuhui" / "web" / "static" / "vendor" / "axe.min.js"
PASSWORD = "demo-pass-2016"
# The README's logins (README.md "Demo logins"); None: a visitor who is not logged in.
PERSONAS: dict[str, str | None] = {
    "anonymous": None,
    "resident": "13910000001",
    "operator": "13800000011",
    "reviewer": "13800000022",
    "provincial": "13800000001",
    "cashier": "13700000102",
    "enterprise": "13800002001",
}
WIDTH = 390  # the phone of tests/e2e/conftest.py PHONE
BLOCKING = ("serious", "critical")
# Links the crawler must not follow with GET: they change state, log out or leave the product's pages.
NOT_PAGES = ("/logout/", "/admin/", "/api/", "/media/", "/static/")
SHELL_LINKS = """() => [...document.querySelectorAll(
    '.tabbar a[href], .more .sheet a[href], .top-menu a[href], .console-nav a[href], header a[href]'
  )].map(a => a.getAttribute('href'))"""
MAIN_LINKS = "() => [...document.querySelectorAll('main a[href]')].map(a => a.getAttribute('href'))"
AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
    resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
  }));
}"""
OVERFLOW = """(limit) => {
  const width = document.documentElement.scrollWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > limit + 1)
    .filter(el => !el.closest('.scroll-x, .table-wrap') || el.matches('.scroll-x, .table-wrap'))
    .slice(0, 3).map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : ''));
  return {width, wide};
}"""


def _path(href: str | None) -> str | None:
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(href)
    if parts.netloc and parts.netloc not in ("127.0.0.1", "localhost") and ":" not in parts.netloc:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith(NOT_PAGES) or path.endswith((".csv", ".xlsx", ".pdf")):
        return None
    return path


def _discover(page) -> list[str]:
    """The shell's links on the home page (tabs, "more", console), then one deeper page below each."""
    page.goto("/")
    shell = []
    for href in page.evaluate(SHELL_LINKS):
        path = _path(href)
        if path and path not in shell:
            shell.append(path)
    pages = list(shell)
    for path in shell:
        if path == "/":
            continue
        answer = page.goto(path)
        if answer is None or "text/html" not in answer.headers.get("content-type", ""):
            continue
        for href in page.evaluate(MAIN_LINKS):
            deeper = _path(href)
            if deeper and deeper.startswith(path) and deeper != path and deeper not in pages:
                pages.append(deeper)
                break
    return [*pages, "/no-such-page/"]


def _check(page, path: str, language: str, persona: str, *, run_axe: bool) -> list[str]:
    problems: list[str] = []
    answer = page.goto(path)
    if answer is None or "text/html" not in answer.headers.get("content-type", ""):
        return problems
    if answer.status >= 500:
        problems.append(f"{persona} {language} {path}: status {answer.status}")
    overflow = page.evaluate(OVERFLOW, WIDTH)
    if overflow["width"] > WIDTH:
        problems.append(
            f"{persona} {language} {path}: {overflow['width']} px wide (widest: {', '.join(overflow['wide'])})"
        )
    if run_axe:
        page.add_script_tag(path=str(AXE))
        for violation in page.evaluate(AXE_RUN):
            if violation["impact"] in BLOCKING:
                problems.append(
                    f"{persona} {language} {path}: axe {violation['impact']} {violation['id']} "
                    f"({violation['help']}) at {'; '.join(violation['targets'])}"
                )
    return problems


@pytest.fixture
def demo(transactional_db, django_db_serialized_rollback, monkeypatch):
    from tanpuhui.accounts import demo as accounts_demo
    from tanpuhui.metering import demo as metering_demo

    monkeypatch.setattr(accounts_demo, "RESIDENTS_PER_CENTRE", 12)
    monkeypatch.setattr(metering_demo, "RESIDENTS_PER_CENTRE", 12)
    call_command("demo_load", stdout=io.StringIO())


def test_every_page_of_every_persona_passes_axe_and_fits_a_phone(browser, live_server, demo, login_as):
    assert PHONE["viewport"] == {"width": WIDTH, "height": 844}
    problems: list[str] = []
    seen: list[str] = []
    axed: set[str] = set()
    visited = 0
    for persona, login in PERSONAS.items():
        cache.clear()  # login lock-out counters
        context = browser.new_context(base_url=live_server.url, locale="en-US", **PHONE)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page = context.new_page()
        try:
            if login:
                login_as(page, login, PASSWORD)
                assert "/login" not in page.url, f"{persona} could not log in"
            pages = _discover(page)
            seen.append(f"{persona}: {' '.join(pages)}")
            assert len(pages) >= 3, (persona, pages)
            # The "more" sheet opened over the home page is part of the shell too.
            page.goto("/")
            if page.locator("[data-testid=more] summary").count():
                page.click("[data-testid=more] summary")
                page.add_script_tag(path=str(AXE))
                problems += [
                    f"{persona} more-sheet: axe {v['impact']} {v['id']} ({v['help']}) at {'; '.join(v['targets'])}"
                    for v in page.evaluate(AXE_RUN)
                    if v["impact"] in BLOCKING
                ]
            for language in ("zh-hans", "en"):
                page.goto(f"/?lang={language}")
                for path in pages:
                    # axe once per page (in Chinese, for the first persona that reaches it: the page's
                    # markup is the same for the next; the shell that differs is axed on each home
                    # page and "more" sheet), the phone-width check for every persona and language
                    run_axe = language == "zh-hans" and (path == "/" or path not in axed)
                    if run_axe:
                        axed.add(path)
                    problems += _check(page, path, language, persona, run_axe=run_axe)
                    visited += 1
        finally:
            context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "every-page.txt").write_text("\n".join([*seen, "", *problems, ""]), encoding="utf-8")
    assert visited >= 40, visited
    assert not problems, f"{len(problems)} problems on {visited} pages:\n" + "\n".join(problems)
