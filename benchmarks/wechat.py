"""WeChat channel: how fast the server endpoint answers, and the token refresh under concurrent sends.

    .venv/bin/python benchmarks/wechat.py                      # 500 menu clicks, 64 concurrent sends
    .venv/bin/python benchmarks/wechat.py --clicks 20 --senders 8   # quick smoke run

Everything on 127.0.0.1, its own database ``tp_bench_wechat`` (recreated, dropped at the end), WeChat
played by the tests' fake server (``tanpuhui/wechat/tests/fake_wechat.py``):
1. one centre with a safe-mode account and ``--senders`` linked residents with coins;
2. ``--clicks`` signed and encrypted 我的碳币 clicks through the whole Django stack (in-process client):
   p50/p99/max answer time against WeChat's 5-second limit;
3. ``--senders`` threads send a template message at once with an expired access token cached: the
   number of ``/cgi-bin/token`` calls (must be 1) and the wall time. Exit status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB", "tp_bench_wechat")


def _database(action: str) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        if action == "create":
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{DB_NAME}"


def run(clicks: int, senders: int) -> int:
    os.environ["DATABASE_URL"] = _database("create")
    os.environ.setdefault("TANPUHUI_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tanpuhui.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["*"]
    from tanpuhui.accounts.models import Role
    from tanpuhui.accounts.tests.factories import ResidentFactory, make_staff
    from tanpuhui.ledger.tests.factories import fund
    from tanpuhui.notifications.models import Notification
    from tanpuhui.tenancy.models import Centre
    from tanpuhui.wechat import client as wechat_client
    from tanpuhui.wechat import services
    from tanpuhui.wechat.models import Link
    from tanpuhui.wechat.tests import helpers as wx
    from tanpuhui.wechat.tests.conftest import configure
    from tanpuhui.wechat.tests.fake_wechat import FakeWeChat

    fake = FakeWeChat({wx.APP_ID: wx.SECRET}).start()
    settings.WECHAT_API_BASE = fake.base
    try:
        from tanpuhui.tenancy import demo as tenancy_demo

        tenancy_demo.load()
        gz = Centre.objects.get(code="GZ")
        account = configure(gz, make_staff(Role.CENTRE_OPERATOR, gz))
        pairs = []
        for i in range(senders):
            resident = ResidentFactory(centre=gz)
            fund(resident, 100 + i)
            link = Link.objects.create(account=account, resident=resident, openid=f"oBench{i}")
            note = Notification.objects.create(
                recipient=resident,
                kind="voucher_issued",
                cause_type="bench",
                cause_id=str(i),
                subject="绿色出行券",
                target_id=f"00000000-0000-0000-0000-{i:012x}",
            )
            pairs.append((note.pk, link.pk))

        web = Client()
        times = []
        for i in range(clicks):
            body = wx.event(f"oBench{i % senders}", "CLICK", "MY_COINS", when=1_800_000_000 + i)
            started = time.perf_counter()
            response = wx.post(web, "GZ", body, safe=True)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and "碳币" in wx.reply_of(response, safe=True)["Content"]
        times.sort()
        p50, p99 = statistics.median(times), times[max(0, int(len(times) * 0.99) - 1)]
        print(
            f"inbound 我的碳币 (safe mode), {clicks} clicks: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {times[-1]:.1f} ms"
        )

        cache.set(wechat_client.token_key(wx.APP_ID), "AT_expired", 3600)
        fake.delay = 0.3
        before = fake.count("/cgi-bin/token")
        barrier = threading.Barrier(senders)
        results: list[str] = []

        def send(notification_id: int, link_id: int) -> None:
            try:
                barrier.wait()
                results.append(services.template_deliver(notification_id=notification_id, link_id=link_id)[0])
            finally:
                connection.close()

        started = time.perf_counter()
        threads = [threading.Thread(target=send, args=pair) for pair in pairs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        wall = time.perf_counter() - started
        fetches = fake.count("/cgi-bin/token") - before
        print(
            f"{senders} concurrent sends with an expired token: {fetches} token fetch(es), "
            f"{results.count('sent')} sent, {wall:.2f} s (token endpoint slowed to 0.3 s)"
        )
        ok = fetches == 1 and results.count("sent") == senders and p99 < 5000
        print("checks:", "ok" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        fake.stop()
        connection.close()
        _database("drop")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=500)
    parser.add_argument("--senders", type=int, default=64)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    return run(args.clicks, args.senders)


if __name__ == "__main__":
    sys.exit(main())
