"""Writes of the message centre: building notifications from the producers' facts, and reading them.

Builders are idempotent (``notification_once_per_cause``): a hook delivered twice, a sweep run again
or a demo loaded twice adds nothing. The coins of a conversion run are notified set-based — one
``INSERT … SELECT`` grouped by resident over the run's ``CoinAward`` rows and conversion transfers —
on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tanpuhui.accounts.models import User
from tanpuhui.common.errors import NotFound
from tanpuhui.funding.models import CrowdfundingProject, Pledge
from tanpuhui.ledger.models import Account, CoinAward, ConversionRun, Transfer, TransferKind
from tanpuhui.marketplace.models import Voucher
from tanpuhui.metering.models import Batch, Reduction, SourceRecord
from tanpuhui.notifications.models import Kind, Notification
from tanpuhui.notifications.signals import notifications_written

RUN_CAUSE = ConversionRun._meta.label_lower  # "ledger.conversionrun", as the ledger records it
VOUCHER_CAUSE = Voucher._meta.label_lower
PROJECT_CAUSE = CrowdfundingProject._meta.label_lower
EXPIRING_WITHIN = timedelta(days=3)

_COINS_SQL = """
INSERT INTO {notification} (recipient_id, kind, cause_type, cause_id, coins, kg_co2e, counts, subject,
                            target_id, matched_late, created_at)
SELECT g.resident_id,
       CASE WHEN c.coins > 0 THEN %s ELSE %s END,
       %s, %s, c.coins, g.kg, g.counts, %s, '', g.late = 1, %s
FROM (
    SELECT b.resident_id, SUM(b.kg) AS kg, {object_agg}(b.behaviour, b.n) AS counts, MAX(b.late) AS late
    FROM (
        SELECT a.resident_id, a.behaviour, COUNT(*) AS n, SUM(a.kg_co2e) AS kg,
               MAX(CASE WHEN s.matched_at > bt.finished_at THEN 1 ELSE 0 END) AS late
        FROM {award} a
        JOIN {reduction} r ON r.id = a.reduction_id
        LEFT JOIN {record} s ON s.id = r.source_record_id
        LEFT JOIN {batch} bt ON bt.id = r.batch_id
        WHERE a.run_id = %s
        GROUP BY a.resident_id, a.behaviour
    ) b
    GROUP BY b.resident_id
) g
JOIN (
    SELECT w.user_id AS resident_id,
           SUM(CASE WHEN t.kind = %s THEN t.amount ELSE -t.amount END) AS coins
    FROM {transfer} t
    JOIN {account} w ON w.id = CASE WHEN t.kind = %s THEN t.credit_id ELSE t.debit_id END
    WHERE t.cause_type = %s AND t.cause_id = %s AND t.kind IN (%s, %s)
    GROUP BY w.user_id
) c ON c.resident_id = g.resident_id
WHERE c.coins <> 0
ON CONFLICT DO NOTHING
"""


def coins_notify_run(*, run_id: int) -> int:
    """One notification per resident whose wallet a conversion run changed: the records by
    behaviour, the kg, the whole coins earned (or clawed back) and why now: new data from a
    provider's batch, or records matched after their batch was processed (a late binding: the
    record's ``matched_at`` is after its batch's ``finished_at``). Returns the notifications written."""
    run = ConversionRun.objects.filter(pk=run_id).only("batch_id").first()
    if run is None:
        return 0
    provider = ""
    batch_id = _uuid_or_none(run.batch_id) if run.batch_id else None
    if batch_id is not None:
        batch = Batch.objects.filter(pk=batch_id).select_related("provider").first()
        provider = batch.provider.name if batch is not None else ""
    sql = _COINS_SQL.format(
        notification=Notification._meta.db_table,
        award=CoinAward._meta.db_table,
        transfer=Transfer._meta.db_table,
        account=Account._meta.db_table,
        reduction=Reduction._meta.db_table,
        record=SourceRecord._meta.db_table,
        batch=Batch._meta.db_table,
        object_agg="jsonb_object_agg" if connection.vendor == "postgresql" else "json_group_object",
    )
    params: list[Any] = [
        Kind.COINS_EARNED.value,
        Kind.COINS_CORRECTED.value,
        RUN_CAUSE,
        str(run_id),
        provider[:200],
        timezone.now(),
        run_id,
        TransferKind.EARN.value,
        TransferKind.EARN.value,
        RUN_CAUSE,
        str(run_id),
        TransferKind.EARN.value,
        TransferKind.REVERSAL.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = max(cursor.rowcount, 0)
    if written:
        _announce([Kind.COINS_EARNED, Kind.COINS_CORRECTED], RUN_CAUSE, [str(run_id)])
    return written


def _announce(kinds: list[str], cause_type: str, cause_ids: list[str]) -> None:
    """Tell the channels above (``signals.notifications_written``) once the rows are committed."""
    transaction.on_commit(
        lambda: notifications_written.send(
            sender=Notification, kinds=[str(k) for k in kinds], cause_type=cause_type, cause_ids=cause_ids
        )
    )


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _insert(rows: list[Notification]) -> int:
    """Insert, skipping what was already notified (the unique cause); returns the rows offered."""
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    by_cause: dict[str, tuple[set[str], set[str]]] = {}
    for row in rows:
        kinds, ids = by_cause.setdefault(row.cause_type, (set(), set()))
        kinds.add(str(row.kind))
        ids.add(row.cause_id)
    for cause_type, (kinds, ids) in by_cause.items():
        _announce(sorted(kinds), cause_type, sorted(ids))
    return len(rows)


def _voucher_message(
    *,
    kind: str,
    voucher_id: Any,
    resident_id: Any,
    coins: int,
    title: str,
    due_at: datetime | None,
    **extra: Any,
) -> Notification:
    """One message about one voucher (its cause: the voucher; one of each kind per voucher)."""
    return Notification(
        recipient_id=resident_id,
        kind=kind,
        cause_type=VOUCHER_CAUSE,
        cause_id=str(voucher_id),
        coins=coins,
        subject=title[:200],
        target_id=str(voucher_id),
        due_at=due_at,
        **extra,
    )


def voucher_notify_issued(*, voucher: Voucher) -> None:
    """The resident redeemed an offer (or a booth issued a voucher to them)."""
    _insert(
        [
            _voucher_message(
                kind=Kind.VOUCHER_ISSUED,
                voucher_id=voucher.pk,
                resident_id=voucher.resident_id,
                coins=voucher.price_coins,
                title=voucher.offer.title,
                due_at=voucher.expires_at,
            )
        ]
    )


def voucher_notify_used(*, voucher: Voucher) -> None:
    """The merchant verified (核销) the voucher at the counter."""
    _insert(
        [
            _voucher_message(
                kind=Kind.VOUCHER_USED,
                voucher_id=voucher.pk,
                resident_id=voucher.resident_id,
                coins=voucher.price_coins,
                title=voucher.offer.title,
                due_at=voucher.verified_at,
            )
        ]
    )


def vouchers_notify_expiring(*, now: datetime | None = None, within: timedelta = EXPIRING_WITHIN) -> int:
    """Unused vouchers expiring within ``within``: one reminder each (run hourly)."""
    now = now or timezone.now()
    due = Voucher.objects.filter(
        status=Voucher.Status.ISSUED, expires_at__gt=now, expires_at__lte=now + within
    ).values_list("pk", "resident_id", "price_coins", "offer__title", "expires_at")
    return _insert(
        [
            _voucher_message(
                kind=Kind.VOUCHER_EXPIRING,
                voucher_id=pk,
                resident_id=resident_id,
                coins=coins,
                title=title,
                due_at=expires_at,
                created_at=now,
            )
            for pk, resident_id, coins, title, expires_at in due.iterator(chunk_size=2000)
        ]
    )


def pledges_notify_outcome(*, project: CrowdfundingProject) -> int:
    """A settled crowdfunding project: each backer hears whether their coins went to the project
    (target met) or came back (target missed), with the coins they pledged in total."""
    Status = CrowdfundingProject.Status
    if project.status == Status.SUCCEEDED:
        kind, pledge_status = Kind.PLEDGE_SUCCEEDED, Pledge.Status.RELEASED
    elif project.status == Status.FAILED:
        kind, pledge_status = Kind.PLEDGE_REFUNDED, Pledge.Status.REFUNDED
    else:
        return 0
    totals = (
        Pledge.objects.filter(project=project, status=pledge_status)
        .values("resident_id")
        .annotate(coins=Sum("coins"))
        .values_list("resident_id", "coins")
    )
    return _insert(
        [
            Notification(
                recipient_id=resident_id,
                kind=kind,
                cause_type=PROJECT_CAUSE,
                cause_id=str(project.pk),
                coins=int(coins or 0),
                subject=project.title[:200],
                target_id=str(project.pk),
            )
            for resident_id, coins in totals
        ]
    )


# --- the reader --------------------------------------------------------------------------------


def notification_read(*, recipient: User, notification_id: int) -> Notification:
    """Mark one of the recipient's notifications read (again: no change). Another's is a 404."""
    notification = Notification.objects.filter(recipient=recipient, pk=notification_id).first()
    if notification is None:
        raise NotFound(_("No such message."), code="notification_not_found")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_read_all(*, recipient: User) -> int:
    """Mark every unread notification of the recipient read; returns how many changed."""
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).update(
        read_at=timezone.now()
    )
