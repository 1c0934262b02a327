"""Pages open in Simplified Chinese whatever the browser asks for; ?lang=en switches and sticks."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_home_is_chinese_by_default_even_for_english_browsers(client, gz):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "您的低碳生活，可计量、有回报" in html
    assert "Your low-carbon life" not in html
    assert "广州碳普惠运营中心" in html


def test_lang_en_switches_and_the_cookie_keeps_it(client, gz):
    response = client.get("/?lang=en")
    assert response.headers["Content-Language"] == "en"
    assert "Your low-carbon life, measured and rewarded" in response.content.decode()
    assert "Guangzhou Operation Centre" in response.content.decode()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    again = client.get("/register/")  # no ?lang: the cookie carries the choice
    assert again.headers["Content-Language"] == "en"
    assert "Create your account" in again.content.decode()

    back = client.get("/?lang=zh-hans")
    assert "您的低碳生活" in back.content.decode()
    assert client.get("/").headers["Content-Language"] == "zh-hans"


def test_unknown_language_falls_back_to_chinese(client, gz):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get("/?lang=xx")
    assert response.headers["Content-Language"] == "zh-hans"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_form_errors_are_translated(client, gz):
    response = client.post(
        "/register/", {"centre": "GZ", "phone": "123", "display_name": "x", "password": "low-carbon-2016"}
    )
    assert response.status_code == 400
    assert "请输入 11 位中国大陆手机号码" in response.content.decode()
