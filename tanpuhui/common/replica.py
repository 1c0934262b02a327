"""Reads that may be a moment old go to the streaming replica; a visitor always sees their own writes.

With ``DATABASE_REPLICA_URL`` set (settings: the ``replica`` alias), the pages named in
``REPLICA_VIEWS`` — a resident's own read-only pages, the public registry and offer catalogue,
community screens and the dashboards — read from the replica on GET. Everything else, every write and
anything inside a transaction reads from the primary.

Read-your-writes is exact, not a guess in seconds: after a request that may have written (any unsafe
method) the response carries a signed cookie with the primary's WAL insert position at that moment,
which lies past the commit of everything the request wrote. A later replica-eligible request reads
from the replica only once the replica has replayed at least that far (``pg_last_wal_replay_lsn()``);
until then it reads from the primary. A replica that lags more than ``REPLICA_MAX_LAG_SECONDS`` or
cannot be reached is skipped for everyone.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
COOKIE = "tp_wal"
_SALT = "tanpuhui.replica.wal"

# GET pages that tolerate a replica's lag (a second or so behind). Not here: forms and the pages
# right after an action (their poll of a live status, e.g. a voucher at the counter), staff work
# queues, anything that decides before writing.
REPLICA_VIEWS = frozenset(
    {
        # a resident's own pages
        "web:home",
        "web:profile",
        "web:my-reductions",
        "web:my-reduction-detail",
        "web:wallet",
        "web:vouchers",
        "web:voucher-detail",
        "web:notifications",
        "web:my-pilots",
        "web:my-pilot",
        # public catalogue and registry
        "web:offers",
        "web:offer-detail",
        "web:campaigns",
        "web:crowdfunding",
        "web:crowdfunding-detail",
        "web:causes",
        "web:registry",
        "web:registry-serials",
        "web:registry-project",
        "web:registry-export",
        "web:registry-certificate",
        "web:methodologies",
        "web:methodology",
        "web:labels-catalogue",
        "web:labels-verify",
        "web:labels-label-svg",
        "web:labels-label-png",
        "web:inventories",
        "web:inventories-report",
        "web:inventories-province",
        # screens and dashboards
        "web:screen",
        "web:console",
        "web:console-figures-csv",
        "web:console-rollup",
        "web:console-rollup-csv",
        "web:merchant-dashboard",
    }
)

_read_alias: ContextVar[str | None] = ContextVar("tanpuhui_read_alias", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings and connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


def lsn_value(text: str) -> int:
    """``'16/B374D848'`` → a comparable integer (PostgreSQL prints a WAL position as two hex halves)."""
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


class ReplicaRouter:
    """Reads go where the current request chose (``ReplicaMiddleware``); writes always go to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = _read_alias.get()
        if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # a transaction reads what it wrote, on the primary
        return alias

    def db_for_write(self, model: Any, **hints: Any) -> str:
        # Explicit: Django would otherwise save a row read from the replica back to the replica.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same rows on both servers

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None


def primary_insert_lsn() -> str:
    """The primary's WAL insert position: past the commit record of every transaction that has committed
    (also under ``synchronous_commit = off``, where the commit may not be flushed yet)."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT CAST(pg_current_wal_insert_lsn() AS text)")
        return cursor.fetchone()[0]


def replica_state() -> tuple[int | None, float] | None:
    """(replayed position, seconds behind) of the replica, or None when it cannot be reached.

    Seconds behind count only while received WAL waits to be replayed: an idle primary sends nothing,
    and its replica is then current however old its last replayed commit is. The position is None
    when the server is not in recovery (the alias names a primary)."""
    conn = connections[REPLICA]
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT CAST(pg_last_wal_replay_lsn() AS text), "
                "CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
                "THEN 0 ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
            )
            replayed, behind = cursor.fetchone()
    except DatabaseError:
        conn.close()  # try again on a fresh connection next time
        return None
    return (lsn_value(replayed) if replayed else None), float(behind)


def choose_read_alias(request: Any) -> str:
    """The replica when it has replayed this visitor's last write and is not too far behind; else the primary."""
    state = replica_state()
    if state is None:
        return DEFAULT_DB_ALIAS
    replayed, behind = state
    if behind > settings.REPLICA_MAX_LAG_SECONDS:
        return DEFAULT_DB_ALIAS
    wanted = request.get_signed_cookie(COOKIE, default=None, salt=_SALT)
    if wanted and replayed is not None:
        try:
            if replayed < lsn_value(wanted):
                return DEFAULT_DB_ALIAS
        except ValueError:
            pass  # a cookie we did not write (its signature held, its text did not): ignore it
    return REPLICA


class ReplicaMiddleware:
    """Chooses the read alias for a replica-eligible GET and stamps writers with the primary's position.

    Sits after the authentication middleware: the session and the user are read from the primary
    before any switch (the cookie must never depend on a lagging copy of the session)."""

    def __init__(self, get_response: Any):
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request.read_alias = DEFAULT_DB_ALIAS
        request._replica_token = None
        try:
            response = self.get_response(request)
        finally:
            if request._replica_token is not None:
                _read_alias.reset(request._replica_token)
        if request.method not in ("GET", "HEAD", "OPTIONS") and replica_configured():
            try:
                position = primary_insert_lsn()
            except DatabaseError:
                return response
            response.set_signed_cookie(
                COOKIE,
                position,
                salt=_SALT,
                max_age=settings.REPLICA_READ_YOUR_WRITES_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request: Any, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        if request.method not in ("GET", "HEAD") or not replica_configured():
            return None
        match = request.resolver_match
        if match is None or match.view_name not in REPLICA_VIEWS:
            return None
        getattr(request.user, "pk", None)  # load the session and the user from the primary first
        alias = choose_read_alias(request)
        request.read_alias = alias
        if alias != DEFAULT_DB_ALIAS:
            request._replica_token = _read_alias.set(alias)
        return None
