"""The shell around every page: navigation from the declarations, designed error pages, installability."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import translation
from django.views import defaults

from tanpuhui.common import navigation
from tanpuhui.common.views import server_error


def html(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
class TestNavigation:
    def test_a_resident_gets_the_declared_tabs_with_icons_and_the_rest_under_more(self, client, resident):
        client.force_login(resident)
        page = html(client.get("/me/"))
        tabs = navigation.items_for(resident, tabs_only=True)
        bar = re.search(r'<nav class="tabbar".*?</nav>', page, re.S).group(0)
        assert re.findall(r'data-testid="nav-([\w-]+)"', bar) == [item.key for item in tabs]
        assert 2 <= len(tabs) <= navigation.MAX_TABS
        assert bar.count("<svg") == len(tabs)
        assert 'aria-current="page"' in bar  # "Me" is the current tab on /me/
        sheet = re.search(r'<details class="more".*?</details>', page, re.S).group(0)
        more = set(re.findall(r'data-testid="more-([\w-]+)"', sheet))
        every = {item.key for item in navigation.items_for(resident)}
        assert more == every - {item.key for item in tabs}  # each page once: a tab or under "more"
        assert 'data-testid="logout"' in page

    def test_staff_get_the_console_sections_and_anonymous_visitors_log_in_or_register(
        self, client, gz_operator
    ):
        anonymous = html(client.get("/"))
        assert 'data-testid="login"' in anonymous and 'data-testid="more-register"' in anonymous
        assert 'data-testid="logout"' not in anonymous
        client.force_login(gz_operator)
        page = html(client.get("/"))
        assert 'class="console-nav side-nav"' in page
        for heading, items in navigation.grouped(navigation.items_for(gz_operator, area="staff")):
            assert str(heading) in page
            for item in items:
                assert f'href="{item.url}"' in page

    def test_the_language_switch_offers_the_other_languages(self, client):
        assert 'data-testid="lang-en"' in html(client.get("/"))
        english = html(client.get("/?lang=en"))
        assert 'data-testid="lang-zh"' in english and 'data-testid="lang-en"' not in english
        assert '<html lang="en">' in english


@pytest.mark.django_db
class TestErrorPages:
    def test_404_is_the_product_page_in_the_visitors_language_with_a_way_back(self, client):
        answer = client.get("/no-such-page/")
        assert answer.status_code == 404
        page = html(answer)
        assert "页面不存在" in page and 'class="topbar"' in page
        assert 'data-testid="error-home"' in page and 'data-testid="error-login"' in page
        english = html(client.get("/no-such-page/?lang=en"))
        assert "Page not found" in english and "Back to the home page" in english

    def test_403_explains_and_offers_login(self, rf):
        request = rf.get("/staff/ledger/")
        request.user = AnonymousUser()
        with translation.override("zh-hans"):
            answer = defaults.permission_denied(request, PermissionDenied())
        page = html(answer)
        assert answer.status_code == 403
        assert "您无法打开这个页面" in page and "403 Forbidden" not in page
        assert 'href="/login/?next=/staff/ledger/"' in page

    def test_a_form_without_its_csrf_token_gets_the_designed_page(self, resident):
        strict = Client(enforce_csrf_checks=True)
        answer = strict.post(
            "/login/", {"username": "x", "password": "y"}, HTTP_REFERER="http://testserver/login/"
        )
        assert answer.status_code == 403
        page = html(answer)
        assert "表单已过期" in page and "CSRF verification failed" not in page
        assert 'href="http://testserver/login/"' in page  # back to the form
        elsewhere = strict.post("/login/", {}, HTTP_REFERER="https://evil.example/")
        assert "evil.example" not in html(elsewhere)

    def test_a_csrf_failure_on_the_api_answers_in_the_error_shape(self):
        strict = Client(enforce_csrf_checks=True)
        answer = strict.post("/api/v1/does-not-matter", {})
        assert answer.status_code in (403, 404)
        assert answer["Content-Type"].startswith("application/json")


def test_500_renders_without_database_or_request_context(rf):
    """No ``django_db`` mark: any query while rendering would fail this test."""
    for language, words in (("zh-hans", "我们这边出了点问题"), ("en", "Something went wrong on our side")):
        with translation.override(language):
            answer = server_error(rf.get("/me/"))
        page = html(answer)
        assert answer.status_code == 500
        assert words in page and "css/app.css" in page and 'href="/"' in page


def _png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as png:
        head = png.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_the_manifest_and_icons_make_the_site_installable():
    manifest = json.loads(Path(finders.find("manifest.webmanifest")).read_text(encoding="utf-8"))
    assert (
        manifest["name"] == "碳普惠" and manifest["start_url"] == "/" and manifest["display"] == "standalone"
    )
    assert manifest["theme_color"]
    sizes = set()
    for icon in manifest["icons"]:
        found = finders.find(icon["src"])
        assert found, icon["src"]
        if icon["type"] == "image/png":
            width, height = _png_size(found)
            assert f"{width}x{height}" == icon["sizes"]
            sizes.add(width)
    assert {192, 512} <= sizes  # what Chrome asks of an installable app
    assert finders.find("icons/favicon.svg") and finders.find("icons/apple-touch-icon.png")


def test_the_demo_runs_with_debug_off_unless_asked():
    """``make run`` sets no DJANGO_DEBUG: a newcomer meets the designed error pages, not Django's debug page."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "TANPUHUI_TESTING")}
    code = (
        "from django.conf import settings; "
        "print(settings.DEBUG, 'whitenoise.middleware.WhiteNoiseMiddleware' in settings.MIDDLEWARE)"
    )
    shown = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.split() == ["False", "True"]
