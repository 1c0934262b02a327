"""A representative slice of the product through PgBouncer in transaction mode (scripts/replica.sh)."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.ledger import services
from tanpuhui.ledger.check import ledger_check
from tanpuhui.ledger.conversion import reductions_convert
from tanpuhui.ledger.models import TransferKind
from tanpuhui.ledger.tests.factories import default_rule, make_reduction
from tanpuhui.tenancy.tests.factories import CentreFactory
from tanpuhui.wechat.client import _lock

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[3]


def test_the_pooler_switch_sets_what_transaction_pooling_needs():
    env = {**os.environ, "DATABASE_URL": "postgres://u@127.0.0.1:6432/db", "DATABASE_POOLER": "1"}
    env.pop("DATABASE_REPLICA_URL", None)
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from tanpuhui import settings as s; d = s.DATABASES['default']; "
            "print(json.dumps([d['DISABLE_SERVER_SIDE_CURSORS'], d['OPTIONS'], d['PORT']]))",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    cursors_off, options, port = json.loads(shown.stdout.strip().splitlines()[-1])
    assert cursors_off is True and options == {"prepare_threshold": None} and port == 6432


@pytest.fixture
def through_pgbouncer(replica_servers, transactional_db):
    """The default connection, reopened through PgBouncer with the settings DATABASE_POOLER=1 gives."""
    saved = copy.deepcopy(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(PORT=replica_servers["pgbouncer"], DISABLE_SERVER_SIDE_CURSORS=True)
    connection.settings_dict["OPTIONS"] = {**saved.get("OPTIONS", {}), "prepare_threshold": None}
    try:
        connection.ensure_connection()
        assert connection.connection.info.port == replica_servers["pgbouncer"]
        yield connection
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def _holders_of(name: str) -> int:
    """Sessions holding the advisory lock of ``name`` (wechat.client's key), seen from outside PgBouncer."""
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True) & (2**64 - 1)
    with psycopg.connect(
        host="127.0.0.1", port=5432, user="postgres", dbname="postgres", autocommit=True
    ) as c:
        return c.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 1",
            [key >> 32, key & 0xFFFFFFFF],
        ).fetchone()[0]


def test_postings_conversion_a_page_and_a_lock_through_pgbouncer(through_pgbouncer, client):
    gz = CentreFactory(code="GZ")
    default_rule(gz, "10")
    resident = ResidentFactory(centre=gz)
    wallet = services.wallet_of(resident)
    issuance = services.issuance_of(gz)
    # More postings than psycopg's default prepare threshold (5): with prepare_threshold None none
    # is prepared, so none can land on a server connection that never saw the PREPARE.
    for n in range(8):
        services.transfer_post(
            debit=issuance, credit=wallet, amount=5, kind=TransferKind.EARN, idempotency_key=f"pool:{n}"
        )
    services.transfer_post(  # a replay of the same request answers from its idempotency row
        debit=issuance, credit=wallet, amount=5, kind=TransferKind.EARN, idempotency_key="pool:0"
    )
    for kg in ("1.5", "0.25"):
        make_reduction(resident, kg)
    converted = reductions_convert()  # advisory transaction lock + COPY of the awards
    assert converted.reductions == 2 and converted.coins_earned == 17
    wallet.refresh_from_db()
    assert wallet.balance == 8 * 5 + 17
    assert ledger_check().ok

    client.force_login(resident)
    page = client.get("/me/wallet/")
    assert page.status_code == 200 and "57" in page.content.decode()

    name = f"wechat:token:pool-test-{os.getpid()}"
    with _lock(name):
        assert _holders_of(name) == 1
    assert _holders_of(name) == 0  # released with its transaction, never left on a pooled connection
