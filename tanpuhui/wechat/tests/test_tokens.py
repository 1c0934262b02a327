"""Access token and jsapi ticket: cached, never fetched per request, and refreshed once for all
workers when WeChat says the token expired — 16 concurrent sends, one ``/cgi-bin/token`` call."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection

from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.notifications.models import Notification
from tanpuhui.wechat import client, services
from tanpuhui.wechat.models import Link, Send
from tanpuhui.wechat.tests.helpers import APP_ID, SECRET


def test_the_token_is_fetched_once_and_reused(db, fake):
    message = {"touser": "oA", "template_id": "T", "data": {}}
    for _ in range(5):
        client.template_send(APP_ID, SECRET, message)
    assert fake.count("/cgi-bin/token") == 1 and fake.count("/cgi-bin/message/template/send") == 5


def test_an_expired_token_is_refreshed_and_the_call_repeated_once(db, fake):
    client.template_send(APP_ID, SECRET, {"touser": "oA", "template_id": "T"})
    fake.expire_tokens()  # WeChat now answers 40001 for the cached token
    client.template_send(APP_ID, SECRET, {"touser": "oA", "template_id": "T"})
    assert fake.count("/cgi-bin/token") == 2 and len(fake.sent) == 2


def test_the_jsapi_ticket_is_cached(db, fake, account):
    first = services.jssdk_config(account=account, url="https://tanpuhui.example/merchant/verify/#x")
    services.jssdk_config(account=account, url="https://tanpuhui.example/merchant/verify/")
    assert fake.count("/cgi-bin/ticket/getticket") == 1 and fake.count("/cgi-bin/token") == 1
    assert first["appId"] == APP_ID and len(first["signature"]) == 40


def test_an_unreachable_wechat_is_an_error(db, settings):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(client.WeChatError) as error:
        client.access_token(APP_ID, SECRET)
    assert error.value.errcode == -1


def test_wrong_credentials_are_an_error_not_a_loop(db, fake):
    with pytest.raises(client.WeChatError) as error:
        client.access_token(APP_ID, "wrong")
    assert error.value.errcode == 40013 and fake.count("/cgi-bin/token") == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_sends_with_an_expired_token_refresh_it_once(gz, gz_operator, fake):
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock and real concurrency need PostgreSQL")
    from tanpuhui.wechat.tests.conftest import configure

    account = configure(gz, gz_operator)
    pairs = []
    for i in range(16):
        resident = ResidentFactory(centre=gz)
        link = Link.objects.create(account=account, resident=resident, openid=f"oConcurrent{i}")
        note = Notification.objects.create(
            recipient=resident,
            kind="voucher_issued",
            cause_type="test",
            cause_id=str(i),
            subject="绿色出行券",
            target_id=f"00000000-0000-0000-0000-{i:012x}",
        )
        pairs.append((note.pk, link.pk))
    cache.set(client.token_key(APP_ID), "AT_expired_long_ago", 3600)  # what every worker has cached
    fake.delay = 0.3  # a slow token endpoint widens the window for a double refresh
    barrier = threading.Barrier(16)
    results, errors = [], []

    def send(notification_id, link_id):
        try:
            barrier.wait()
            results.append(services.template_deliver(notification_id=notification_id, link_id=link_id)[0])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=pair) for pair in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert results == ["sent"] * 16
    assert fake.count("/cgi-bin/token") == 1, "the expired token must be refreshed once for everyone"
    assert len(fake.sent) == 16 and Send.objects.filter(status="sent").count() == 16
