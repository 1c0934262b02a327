"""The ONLY way any app moves coins.

Every posting takes an ``idempotency_key`` (global across the ledger: namespace it, e.g.
``"voucher:<uuid>"``). Posting the same key again with the same legs and cause returns the
transfers of the first posting and changes nothing; with different legs or cause it raises
``IdempotencyMismatch``. Accounts are locked in primary-key order (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite serialises writers), balances are checked, transfers inserted and balances
changed with ``F()`` — all in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, F, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tanpuhui.accounts.models import User
from tanpuhui.common.errors import Unprocessable, ValidationFailed
from tanpuhui.ledger.errors import (
    AccountNotFound,
    AlreadyReversed,
    IdempotencyMismatch,
    InsufficientCoins,
    InvalidAmount,
)
from tanpuhui.ledger.models import NEGATIVE_KINDS, Account, AccountKind, Transfer, TransferKind

__all__ = [
    "AccountNotFound",
    "IdempotencyMismatch",
    "InsufficientCoins",
    "Leg",
    "account_get_or_create",
    "debt_account_of",
    "issuance_of",
    "transfer_post",
    "transfer_reverse",
    "transfers_post",
    "wallet_of",
]

MAX_AMOUNT = 10**15


@dataclass(frozen=True)
class Leg:
    debit: Account | int
    credit: Account | int
    amount: int
    kind: str
    reverses: Transfer | int | None = None


# --- accounts ---------------------------------------------------------------------------------


def _owner_ref(owner) -> tuple[str, str]:
    if owner is None:
        return "", ""
    if isinstance(owner, tuple):
        return str(owner[0]), str(owner[1])
    return owner._meta.label_lower, str(owner.pk)


def account_get_or_create(*, kind: str, centre, owner=None, code: str = "") -> Account:
    """The account of ``kind`` for ``owner`` (a model instance or ``(type, id)``) in ``centre``.

    Examples: ``account_get_or_create(kind=AccountKind.ISSUANCE, centre=gz)``;
    ``account_get_or_create(kind=AccountKind.MERCHANT, centre=gz, owner=merchant)``;
    ``account_get_or_create(kind=AccountKind.ESCROW, centre=gz, owner=project)``;
    ``account_get_or_create(kind=AccountKind.POOL, centre=gz, owner=funding_pool)``.
    """
    if kind not in AccountKind.values:
        raise ValidationFailed(
            _("Unknown account kind."), code="invalid_account_kind", fields={"kind": [kind]}
        )
    if centre is None:
        raise Unprocessable(_("The account needs an operation centre."), code="no_centre")
    owner_type, owner_id = _owner_ref(owner)
    user = owner if isinstance(owner, User) else None
    lookup = {
        "centre_id": getattr(centre, "pk", centre),
        "kind": kind,
        "owner_type": owner_type,
        "owner_id": owner_id,
        "code": code,
    }
    account = Account.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(**lookup, user=user, allow_negative=kind in NEGATIVE_KINDS)
    except IntegrityError:  # created concurrently
        return Account.objects.get(**lookup)


def wallet_of(resident) -> Account:
    """The resident's wallet in their home centre (created on first use)."""
    return account_get_or_create(kind=AccountKind.WALLET, centre=resident.centre, owner=resident)


def debt_account_of(resident) -> Account:
    """The resident's coin debt: negative while coins are owed (reversal policy, docs/ledger.md)."""
    return account_get_or_create(kind=AccountKind.DEBT, centre=resident.centre, owner=resident)


def issuance_of(centre) -> Account:
    return account_get_or_create(kind=AccountKind.ISSUANCE, centre=centre)


def breakage_of(centre) -> Account:
    return account_get_or_create(kind=AccountKind.BREAKAGE, centre=centre)


# --- posting ----------------------------------------------------------------------------------


def _pk(value) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _cause_ref(cause) -> tuple[str, str]:
    if cause is None:
        return "", ""
    if isinstance(cause, tuple):
        return str(cause[0]), str(cause[1])
    return cause._meta.label_lower, str(cause.pk)


def _check_amount(amount) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidAmount(
            _("The amount must be a whole number of coins."), fields={"amount": [str(amount)]}
        )
    if amount <= 0 or amount > MAX_AMOUNT:
        raise InvalidAmount(
            _("The amount must be a positive number of coins."), fields={"amount": [str(amount)]}
        )
    return amount


def _normalise_legs(legs: Iterable[Leg]) -> list[tuple[int, int, int, str, int | None]]:
    out = []
    for leg in legs:
        debit, credit = _pk(leg.debit), _pk(leg.credit)
        for name, value in (("debit", debit), ("credit", credit)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
                raise AccountNotFound(_("Unknown account."), fields={name: [str(value)]})
        amount = _check_amount(leg.amount)
        if leg.kind not in TransferKind.values:
            raise ValidationFailed(
                _("Unknown transfer kind."), code="invalid_kind", fields={"kind": [leg.kind]}
            )
        if debit == credit:
            raise ValidationFailed(_("A transfer needs two different accounts."), code="same_account")
        out.append((debit, credit, amount, str(leg.kind), _pk(leg.reverses)))
    if not out:
        raise ValidationFailed(_("A posting needs at least one leg."), code="no_legs")
    return out


def _request_hash(legs, cause_type: str, cause_id: str) -> str:
    payload = json.dumps({"legs": legs, "cause": [cause_type, cause_id]}, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _replay(idempotency_key: str, request_hash: str) -> list[Transfer] | None:
    existing = list(Transfer.objects.filter(idempotency_key=idempotency_key).order_by("leg"))
    if not existing:
        return None
    if existing[0].request_hash != request_hash:
        raise IdempotencyMismatch(
            _("This idempotency key was already used for a different request."),
            fields={"idempotency_key": [idempotency_key]},
        )
    return existing


def _lock_accounts(ids: Iterable[int]) -> dict[int, Account]:
    """Lock the accounts in primary-key order (one fixed order: no deadlocks between postings)."""
    wanted = sorted(set(ids))
    locked = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
    missing = [pk for pk in wanted if pk not in locked]
    if missing:
        raise AccountNotFound(_("Unknown account."), fields={"accounts": missing})
    return locked


def transfers_post(
    *, legs: list[Leg], idempotency_key: str, cause=None, memo: str = "", actor=None
) -> list[Transfer]:
    """Post all ``legs`` in one transaction, or none of them. Returns the transfers in leg order."""
    if not isinstance(idempotency_key, str) or not idempotency_key or len(idempotency_key) > 200:
        raise ValidationFailed(
            _("An idempotency key of 1–200 characters is required."), code="idempotency_key_required"
        )
    normal = _normalise_legs(legs)
    cause_type, cause_id = _cause_ref(cause)
    request_hash = _request_hash(normal, cause_type, cause_id)
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    if connection.vendor == "postgresql" and all(leg[4] is None for leg in normal):
        fast = _post_fast(normal, idempotency_key, request_hash, cause_type, cause_id, memo[:200], actor_id)
        if fast is not None:
            return fast
        # else: the one-statement path met a race it cannot settle alone: take the locking path
    return _post_locked(normal, idempotency_key, request_hash, cause_type, cause_id, memo, actor_id)


def _post_locked(
    normal, idempotency_key, request_hash, cause_type, cause_id, memo, actor_id
) -> list[Transfer]:
    """The general path: lock (pk order), re-check the key, check reversals and floors, insert, F() update."""
    replay = _replay(idempotency_key, request_hash)
    if replay is not None:
        return replay
    try:
        with transaction.atomic():
            reversed_ids = {r for *_rest, r in normal if r is not None}
            originals = {t.pk: t for t in Transfer.objects.filter(pk__in=reversed_ids)}
            if len(originals) != len(reversed_ids):
                raise ValidationFailed(_("Unknown transfer to reverse."), code="transfer_not_found")
            lock_ids = {d for d, *_r in normal} | {c for _d, c, *_r in normal}
            for original in originals.values():  # every reversal of X serialises on X's accounts
                lock_ids |= {original.debit_id, original.credit_id}
            accounts = _lock_accounts(lock_ids)
            replay = _replay(idempotency_key, request_hash)  # a duplicate that committed while we waited
            if replay is not None:
                return replay
            _check_reversals(normal, originals)
            delta: dict[int, int] = defaultdict(int)
            for debit, credit, amount, _kind, _rev in normal:
                delta[debit] -= amount
                delta[credit] += amount
            short = {
                pk: {"balance": accounts[pk].balance, "change": change}
                for pk, change in delta.items()
                if change < 0 and not accounts[pk].allow_negative and accounts[pk].balance + change < 0
            }
            if short:
                raise InsufficientCoins(_("Not enough coins."), fields={"accounts": short})
            now = timezone.now()
            transfers = Transfer.objects.bulk_create(
                [
                    Transfer(
                        debit_id=debit,
                        credit_id=credit,
                        amount=amount,
                        kind=kind,
                        cause_type=cause_type,
                        cause_id=cause_id,
                        idempotency_key=idempotency_key,
                        leg=index,
                        request_hash=request_hash,
                        reverses_id=rev,
                        created_at=now,
                        actor_id=actor_id,
                        memo=memo[:200],
                    )
                    for index, (debit, credit, amount, kind, rev) in enumerate(normal)
                ]
            )
            changed = {pk: change for pk, change in delta.items() if change}
            if changed:
                Account.objects.filter(pk__in=changed).update(
                    balance=F("balance")
                    + Case(*(When(pk=pk, then=Value(c)) for pk, c in changed.items()), default=0)
                )
            return transfers
    except IntegrityError:
        # A concurrent posting with the same key won the unique (key, leg) race: replay it.
        replay = _replay(idempotency_key, request_hash)
        if replay is not None:
            return replay
        raise


def _post_fast(
    normal, idempotency_key, request_hash, cause_type, cause_id, memo, actor_id
) -> list[Transfer] | None:
    """The same posting as one SQL statement on PostgreSQL (same semantics, one round trip):
    lock the accounts in pk order (``FOR UPDATE``), check the floors, insert the legs and change the
    balances (``balance = balance + delta``) only if every check passed and the key is new. A
    duplicate that commits while we wait for the locks is caught by the unique (key, leg) constraint
    or by the re-read before reporting insufficient coins, and replayed. Outside a transaction the
    statement is its own transaction; inside one, it runs in a savepoint."""
    account_table, transfer_table = Account._meta.db_table, Transfer._meta.db_table
    ids = sorted({leg[0] for leg in normal} | {leg[1] for leg in normal})
    delta: dict[int, int] = defaultdict(int)
    for debit, credit, amount, _kind, _rev in normal:
        delta[debit] -= amount
        delta[credit] += amount
    now = timezone.now()
    params = {
        "d": [leg[0] for leg in normal],
        "c": [leg[1] for leg in normal],
        "a": [leg[2] for leg in normal],
        "k": [leg[3] for leg in normal],
        "l": list(range(len(normal))),
        "ids": ids,
        "deltas": [delta[pk] for pk in ids],
        "n": len(ids),
        "key": idempotency_key,
        "hash": request_hash,
        "ct": cause_type,
        "ci": cause_id,
        "now": now,
        "actor": actor_id,
        "memo": memo,
    }
    sql = f"""
        WITH delta AS (
            SELECT * FROM unnest(%(ids)s::bigint[], %(deltas)s::bigint[]) AS u(id, delta)
        ), locked AS MATERIALIZED (
            SELECT acc.id, acc.balance, acc.allow_negative FROM {account_table} acc
            WHERE acc.id = ANY(%(ids)s::bigint[]) ORDER BY acc.id FOR UPDATE
        ), chk AS (
            SELECT count(*) AS found,
                   coalesce(bool_and(l.allow_negative OR l.balance + d.delta >= 0), true) AS ok,
                   (SELECT t.request_hash FROM {transfer_table} t WHERE t.idempotency_key = %(key)s AND t.leg = 0) AS prior
            FROM locked l JOIN delta d ON d.id = l.id
        ), ins AS (
            INSERT INTO {transfer_table}
                (debit_id, credit_id, amount, kind, cause_type, cause_id, idempotency_key, leg, request_hash,
                 created_at, actor_id, memo)
            SELECT v.d, v.c, v.a, v.k, %(ct)s, %(ci)s, %(key)s, v.l, %(hash)s, %(now)s, %(actor)s, %(memo)s
            FROM unnest(%(d)s::bigint[], %(c)s::bigint[], %(a)s::bigint[], %(k)s::text[], %(l)s::int[])
                 AS v(d, c, a, k, l), chk
            WHERE chk.ok AND chk.found = %(n)s AND chk.prior IS NULL
            RETURNING id, leg
        ), upd AS (
            UPDATE {account_table} AS acc SET balance = acc.balance + delta.delta
            FROM delta, chk
            WHERE acc.id = delta.id AND delta.delta <> 0 AND chk.ok AND chk.found = %(n)s AND chk.prior IS NULL
            RETURNING acc.id
        )
        SELECT chk.found, chk.ok, chk.prior,
               (SELECT array_agg(ins.id ORDER BY ins.leg) FROM ins),
               (SELECT count(*) FROM upd)
        FROM chk
    """  # noqa: S608 — table names from model meta; values are parameters
    try:
        # one statement: in autocommit it is its own transaction; inside the caller's, a savepoint
        scope = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with scope, connection.cursor() as cursor:
            cursor.execute(sql, params)
            found, ok, prior, new_ids, _updated = cursor.fetchone()
    except IntegrityError:
        # A concurrent posting with the same key won the unique (key, leg) race: replay it. Or the
        # database floor refused a balance the statement's snapshot misjudged under concurrency:
        # nothing was written (one statement), so let the locking path decide.
        replay = _replay(idempotency_key, request_hash)
        if replay is not None:
            return replay
        return None
    if found != len(ids):
        missing = set(ids) - set(Account.objects.filter(pk__in=ids).values_list("pk", flat=True))
        raise AccountNotFound(_("Unknown account."), fields={"accounts": sorted(missing)})
    if prior is not None or not ok:
        replay = _replay(idempotency_key, request_hash)  # also: a duplicate spent the coins meanwhile
        if replay is not None:
            return replay
        return None  # let the locking path decide (and raise InsufficientCoins if so)
    transfers = []
    for pk, (debit, credit, amount, kind, _rev) in zip(new_ids, normal, strict=True):
        transfer = Transfer(
            id=pk,
            debit_id=debit,
            credit_id=credit,
            amount=amount,
            kind=kind,
            cause_type=cause_type,
            cause_id=cause_id,
            idempotency_key=idempotency_key,
            leg=len(transfers),
            request_hash=request_hash,
            created_at=now,
            actor_id=actor_id,
            memo=memo,
        )
        transfer._state.adding = False
        transfer._state.db = "default"
        transfers.append(transfer)
    return transfers


def _check_reversals(normal, originals: dict[int, Transfer]) -> None:
    if not originals:
        return
    wanted: dict[int, int] = defaultdict(int)
    for _debit, _credit, amount, _kind, rev in normal:
        if rev is not None:
            wanted[rev] += amount
    done = dict(
        Transfer.objects.filter(reverses_id__in=wanted)
        .values_list("reverses_id")
        .annotate(total=Sum("amount"))
        .values_list("reverses_id", "total")
    )
    for pk, amount in wanted.items():
        original = originals[pk]
        if original.kind == TransferKind.REVERSAL:
            raise Unprocessable(_("A reversal cannot itself be reversed."), code="not_reversible")
        if done.get(pk, 0) + amount > original.amount:
            raise AlreadyReversed(
                _("This transfer has already been reversed."),
                fields={"transfer": [pk], "reversed": done.get(pk, 0), "amount": original.amount},
            )


def transfer_post(
    *,
    debit,
    credit,
    amount: int,
    kind: str,
    idempotency_key: str,
    cause=None,
    memo: str = "",
    actor=None,
) -> Transfer:
    """Move ``amount`` coins from ``debit`` to ``credit`` (accounts or their ids)."""
    return transfers_post(
        legs=[Leg(debit=debit, credit=credit, amount=amount, kind=kind)],
        idempotency_key=idempotency_key,
        cause=cause,
        memo=memo,
        actor=actor,
    )[0]


def transfer_reverse(
    *, transfer, idempotency_key: str, actor=None, memo: str = "", amount: int | None = None
) -> Transfer:
    """Post the reversing transfer (credit → debit) of ``transfer`` (all of it, or ``amount``).

    Raises ``AlreadyReversed`` when the reversals would exceed the original, and
    ``InsufficientCoins`` when the credited account no longer holds the coins.
    """
    if not isinstance(transfer, Transfer):
        transfer = Transfer.objects.filter(pk=transfer).first()
        if transfer is None:
            raise ValidationFailed(_("Unknown transfer to reverse."), code="transfer_not_found")
    leg = Leg(
        debit=transfer.credit_id,
        credit=transfer.debit_id,
        amount=transfer.amount if amount is None else amount,
        kind=TransferKind.REVERSAL,
        reverses=transfer.pk,
    )
    return transfers_post(
        legs=[leg],
        idempotency_key=idempotency_key,
        cause=(transfer.cause_type, transfer.cause_id) if transfer.cause_type else None,
        memo=memo,
        actor=actor,
    )[0]


# --- staff actions ----------------------------------------------------------------------------


def pool_issue(*, pool: Account, amount: int, idempotency_key: str, actor=None, memo: str = "") -> Transfer:
    """Issue new coins into a funding pool of the same centre (ISSUE_TO_POOL)."""
    if pool.kind != AccountKind.POOL:
        raise ValidationFailed(_("Coins can only be issued to a funding pool."), code="not_a_pool")
    return transfer_post(
        debit=issuance_of(pool.centre_id),
        credit=pool,
        amount=amount,
        kind=TransferKind.ISSUE_TO_POOL,
        idempotency_key=idempotency_key,
        actor=actor,
        memo=memo,
    )


def pool_reward(
    *, pool: Account, resident, amount: int, idempotency_key: str, actor=None, memo: str = ""
) -> Transfer:
    """Reward a resident from a funding pool of their own centre (REWARD)."""
    if pool.kind != AccountKind.POOL:
        raise ValidationFailed(_("Rewards are paid from a funding pool."), code="not_a_pool")
    if resident.centre_id != pool.centre_id:
        raise AccountNotFound(_("Unknown resident."), fields={"resident": [str(resident.pk)]})
    return transfer_post(
        debit=pool,
        credit=wallet_of(resident),
        amount=amount,
        kind=TransferKind.REWARD,
        idempotency_key=idempotency_key,
        actor=actor,
        memo=memo,
    )


def campaign_multiplier_create(**kwargs):
    """See ``ledger.conversion.campaign_multiplier_create`` (re-exported here for discoverability)."""
    from tanpuhui.ledger.conversion import campaign_multiplier_create as create

    return create(**kwargs)
