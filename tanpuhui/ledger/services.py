"""The ONLY way any app moves coins.

Every posting takes an ``idempotency_key`` (global across the ledger: namespace it, e.g.
``"voucher:<uuid>"``). Posting the same key again with the same legs and cause returns the
transfers of the first posting and changes nothing; with different legs or cause it raises
``IdempotencyMismatch``. Accounts are locked in primary-key order (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite serialises writers), balances are checked, transfers inserted and balances
changed (``balance = balance + change``) — all in one transaction.

Two doors, one engine:
- ``transfers_post`` / ``transfer_post`` / ``transfer_reverse``: one posting (marketplace, funding,
  enterprises, expiry, rewards). On PostgreSQL a posting without reversals is one SQL statement.
- ``postings_post``: many postings at once in the caller's transaction (the coin conversion): the
  caller may ``accounts_lock`` first to plan legs from balances; the same floors, idempotency per key
  and set-based inserts/updates (``_apply``) as the locking path of a single posting.
``balance_changes`` is the one place a posting's balance changes are worked out.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, NamedTuple

import psycopg
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, F, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tanpuhui.accounts.models import User
from tanpuhui.common import metrics
from tanpuhui.common.errors import Unprocessable, ValidationFailed
from tanpuhui.ledger.errors import (
    AccountNotFound,
    AlreadyReversed,
    IdempotencyMismatch,
    InsufficientCoins,
    InvalidAmount,
)
from tanpuhui.ledger.models import NEGATIVE_KINDS, Account, AccountKind, Transfer, TransferKind
from tanpuhui.ledger.sqlarrays import array_literal
from tanpuhui.tenancy.models import Centre

__all__ = [
    "AccountNotFound",
    "IdempotencyMismatch",
    "InsufficientCoins",
    "Leg",
    "LockedAccount",
    "Posting",
    "account_get_or_create",
    "accounts_lock",
    "balance_changes",
    "debt_account_of",
    "issuance_of",
    "postings_post",
    "transfer_post",
    "transfer_reverse",
    "transfers_post",
    "user_accounts_lock",
    "wallet_of",
]

MAX_AMOUNT = 10**15
TRANSFER_KINDS = frozenset(TransferKind.values)  # (TextChoices.values is recomputed on every access)


@dataclass(frozen=True)
class Leg:
    debit: Account | int
    credit: Account | int
    amount: int
    kind: str
    reverses: Transfer | int | None = None


# --- accounts ---------------------------------------------------------------------------------


def _owner_ref(owner: Any) -> tuple[str, str]:
    if owner is None:
        return "", ""
    if isinstance(owner, tuple):
        return str(owner[0]), str(owner[1])
    return owner._meta.label_lower, str(owner.pk)


def account_get_or_create(
    *, kind: str, centre: Centre | int | None, owner: Any = None, code: str = ""
) -> Account:
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


def wallet_of(resident: User) -> Account:
    """The resident's wallet in their home centre (created on first use)."""
    return account_get_or_create(kind=AccountKind.WALLET, centre=resident.centre, owner=resident)


def debt_account_of(resident: User) -> Account:
    """The resident's coin debt: negative while coins are owed (reversal policy, docs/ledger.md)."""
    return account_get_or_create(kind=AccountKind.DEBT, centre=resident.centre, owner=resident)


def issuance_of(centre: Centre | int | None) -> Account:
    """The centre's issuance account (``None``: refused with ``no_centre``, like every account)."""
    return account_get_or_create(kind=AccountKind.ISSUANCE, centre=centre)


def breakage_of(centre: Centre | int | None) -> Account:
    return account_get_or_create(kind=AccountKind.BREAKAGE, centre=centre)


UserKey = tuple[str, int]  # (resident id as canonical UUID text, centre id)


class UserAccounts(NamedTuple):
    """``user_accounts_lock``'s answer: the account ids by (kind, resident, centre), and every
    locked account's balance."""

    ids: dict[tuple[str, str, int], int]
    locked: dict[int, LockedAccount]


def user_accounts_lock(
    *,
    keys: Iterable[UserKey],
    kinds: Sequence[str],
    open_: dict[str, Iterable[UserKey]] | None = None,
    with_ids: Iterable[int] = (),
) -> UserAccounts:
    """Lock, in primary-key order, the ``kinds`` accounts (wallet, debt) of many (resident, centre)
    and the accounts ``with_ids`` (e.g. the centres' issuance accounts) — one look-up that is also the
    lock — after opening the missing accounts that ``open_`` asks for (``{kind: keys}``, set-based,
    ignoring conflicts). Call inside ``transaction.atomic``. Accounts opened here have higher ids than
    every account locked before them, so locking them in a second statement keeps the pk order."""
    wanted = set(keys)
    locked: dict[int, LockedAccount] = {}
    ids: dict[tuple[str, str, int], int] = {}
    extra = sorted(set(with_ids))
    for pk, kind, user_id, centre_id, *balances in _user_accounts_locked(kinds, wanted, extra):
        locked[pk] = LockedAccount(pk, *balances)
        if user_id is not None and kind in kinds and (key := (_user_text(user_id), centre_id)) in wanted:
            ids[(kind, *key)] = pk
    missing = {
        kind: sorted({k for k in opened if (kind, *k) not in ids}) for kind, opened in (open_ or {}).items()
    }
    if any(missing.values()):
        for kind, part in missing.items():
            _user_accounts_open(kind, part)
        new = {k for part in missing.values() for k in part}
        for pk, kind, user_id, centre_id, *balances in _user_accounts_locked(list(missing), new, []):
            key = (_user_text(user_id), centre_id)
            if key in new and (kind, *key) not in ids:
                locked[pk] = LockedAccount(pk, *balances)
                ids[(kind, *key)] = pk
    absent = [pk for pk in extra if pk not in locked]
    if absent:
        raise AccountNotFound(_("Unknown account."), fields={"accounts": absent})
    return UserAccounts(ids, locked)


def _user_text(value: Any) -> str:
    return value if isinstance(value, str) and len(value) == 36 else str(uuid.UUID(str(value)))


def _user_accounts_open(kind: str, keys: Sequence[UserKey]) -> None:
    if keys:
        Account.objects.bulk_create(
            [
                Account(
                    centre_id=centre_id,
                    kind=kind,
                    user_id=resident_id,
                    owner_type="accounts.user",
                    owner_id=str(resident_id),
                    allow_negative=kind in NEGATIVE_KINDS,
                )
                for resident_id, centre_id in keys
            ],
            ignore_conflicts=True,
            batch_size=5000,
        )


def _user_accounts_locked(kinds: Sequence[str], keys: set[UserKey], ids: list[int]) -> list[tuple[Any, ...]]:
    """(id, kind, user, centre, balance, fraction, allow_negative) of the ``kinds`` accounts of
    ``keys`` (and of any other centre those residents hold one in) and of ``ids``, locked in pk order."""
    users, centres = list({r for r, _c in keys}), sorted({c for _r, c in keys})
    if connection.vendor == "postgresql":
        sql = f"""SELECT id, kind, user_id::text, centre_id, balance, fraction_milli, allow_negative
                  FROM {Account._meta.db_table}
                  WHERE (user_id = ANY(%s::uuid[]) AND kind = ANY(%s::text[]) AND centre_id = ANY(%s::bigint[])
                         AND owner_type = 'accounts.user' AND code = '')
                     OR id = ANY(%s::bigint[])
                  ORDER BY id FOR UPDATE"""  # noqa: S608 — table name from model meta; values are parameters
        return _fetch(
            sql, [array_literal(users), array_literal(kinds), array_literal(centres), array_literal(ids)]
        )
    fields = ("pk", "kind", "user_id", "centre_id", "balance", "fraction_milli", "allow_negative")
    found: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(users), LOCK_CHUNK):  # SQLite serialises writers: no row locks
        part = users[start : start + LOCK_CHUNK]
        for row in Account.objects.filter(
            user_id__in=part, kind__in=kinds, centre_id__in=centres, owner_type="accounts.user", code=""
        ).values_list(*fields):
            found[row[0]] = row
    for row in Account.objects.filter(pk__in=ids).values_list(*fields):
        found[row[0]] = row
    return [found[pk] for pk in sorted(found)]


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- posting ----------------------------------------------------------------------------------


class Row(NamedTuple):
    """A checked leg: account ids, a whole positive amount, a known kind."""

    debit: int
    credit: int
    amount: int
    kind: str
    reverses: int | None = None


class Posting(NamedTuple):
    """One posting of a bulk: its idempotency key and its legs (posted all or none)."""

    idempotency_key: str
    legs: Sequence[Leg]


class LockedAccount(NamedTuple):
    pk: int
    balance: int
    fraction_milli: int
    allow_negative: bool


def _pk(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _cause_ref(cause: Any) -> tuple[str, str]:
    if cause is None:
        return "", ""
    if isinstance(cause, tuple):
        return str(cause[0]), str(cause[1])
    return cause._meta.label_lower, str(cause.pk)


def _check_amount(amount: Any) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidAmount(
            _("The amount must be a whole number of coins."), fields={"amount": [str(amount)]}
        )
    if amount <= 0 or amount > MAX_AMOUNT:
        raise InvalidAmount(
            _("The amount must be a positive number of coins."), fields={"amount": [str(amount)]}
        )
    return amount


def _check_key(idempotency_key: Any) -> str:
    if not isinstance(idempotency_key, str) or not idempotency_key or len(idempotency_key) > 200:
        raise ValidationFailed(
            _("An idempotency key of 1–200 characters is required."), code="idempotency_key_required"
        )
    return idempotency_key


def _normalise_legs(legs: Iterable[Leg]) -> list[Row]:
    out = []
    for leg in legs:
        debit, credit = _pk(leg.debit), _pk(leg.credit)
        for name, value in (("debit", debit), ("credit", credit)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
                raise AccountNotFound(_("Unknown account."), fields={name: [str(value)]})
        amount = _check_amount(leg.amount)
        if leg.kind not in TRANSFER_KINDS:
            raise ValidationFailed(
                _("Unknown transfer kind."), code="invalid_kind", fields={"kind": [leg.kind]}
            )
        if debit == credit:
            raise ValidationFailed(_("A transfer needs two different accounts."), code="same_account")
        out.append(Row(debit, credit, amount, str(leg.kind), _pk(leg.reverses)))
    if not out:
        raise ValidationFailed(_("A posting needs at least one leg."), code="no_legs")
    return out


def balance_changes(rows: Iterable[Row]) -> dict[int, int]:
    """Σ credits − Σ debits per account: the one place a posting's balance changes are worked out."""
    delta: dict[int, int] = defaultdict(int)
    for row in rows:
        delta[row.debit] -= row.amount
        delta[row.credit] += row.amount
    return delta


def _request_hash(legs: Sequence[Row], cause_type: str, cause_id: str) -> str:
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


LOCK_CHUNK = 10_000


def accounts_lock(*, ids: Iterable[int]) -> dict[int, LockedAccount]:
    """Lock the accounts in primary-key order (one fixed order: no deadlocks between postings) and
    return their balances. Call inside ``transaction.atomic``; the locks last until it ends."""
    wanted = sorted(set(ids))
    locked: dict[int, LockedAccount] = {}
    if connection.vendor == "postgresql":
        sql = f"""SELECT id, balance, fraction_milli, allow_negative FROM {Account._meta.db_table}
                  WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE"""  # noqa: S608
        locked = {row[0]: LockedAccount(*row) for row in _fetch(sql, [array_literal(wanted)])}
    else:
        for start in range(0, len(wanted), LOCK_CHUNK):  # ascending chunks: still the pk order
            part = wanted[start : start + LOCK_CHUNK]
            query = Account.objects.select_for_update().filter(pk__in=part).order_by("pk")
            for row in query.values_list("pk", "balance", "fraction_milli", "allow_negative"):
                locked[row[0]] = LockedAccount(*row)
    missing = [pk for pk in wanted if pk not in locked]
    if missing:
        raise AccountNotFound(_("Unknown account."), fields={"accounts": missing})
    return locked


def transfers_post(
    *,
    legs: Sequence[Leg],
    idempotency_key: str,
    cause: Any = None,
    memo: str = "",
    actor: Any = None,
) -> list[Transfer]:
    """Post all ``legs`` in one transaction, or none of them. Returns the transfers in leg order."""
    _check_key(idempotency_key)
    normal = _normalise_legs(legs)
    cause_type, cause_id = _cause_ref(cause)
    request_hash = _request_hash(normal, cause_type, cause_id)
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    request = _Request(normal, idempotency_key, request_hash, cause_type, cause_id, memo[:200], actor_id)
    if connection.vendor == "postgresql" and all(leg.reverses is None for leg in normal):
        fast = _post_fast(request)
        if fast is not None:
            return fast
        # else: the one-statement path met a race it cannot settle alone: take the locking path
    return _post_locked(request)


class _Request(NamedTuple):
    """One checked posting request (what ``transfers_post`` hands its two paths)."""

    rows: list[Row]
    idempotency_key: str
    request_hash: str
    cause_type: str
    cause_id: str
    memo: str
    actor_id: Any


def _post_locked(request: _Request) -> list[Transfer]:
    """The general path: lock (pk order), re-check the key, check reversals and floors, insert, update."""
    normal, idempotency_key, request_hash, cause_type, cause_id, memo, actor_id = request
    replay = _replay(idempotency_key, request_hash)
    if replay is not None:
        return replay
    try:
        with transaction.atomic():
            reversed_ids = {leg.reverses for leg in normal if leg.reverses is not None}
            originals = {t.pk: t for t in Transfer.objects.filter(pk__in=reversed_ids)}
            if len(originals) != len(reversed_ids):
                raise ValidationFailed(_("Unknown transfer to reverse."), code="transfer_not_found")
            lock_ids = {leg.debit for leg in normal} | {leg.credit for leg in normal}
            for original in originals.values():  # every reversal of X serialises on X's accounts
                lock_ids |= {original.debit_id, original.credit_id}
            accounts = accounts_lock(ids=lock_ids)
            replay = _replay(idempotency_key, request_hash)  # a duplicate that committed while we waited
            if replay is not None:
                return replay
            _check_reversals(normal, originals)
            now = timezone.now()
            plan = _Plan(idempotency_key, request_hash, normal)
            created = _apply([plan], accounts, cause_type, cause_id, memo, actor_id, now)
            return [_transfer(*created[(idempotency_key, leg)]) for leg in range(len(normal))]
    except IntegrityError:
        # A concurrent posting with the same key won the unique (key, leg) race: replay it.
        replay = _replay(idempotency_key, request_hash)
        if replay is not None:
            return replay
        raise


class _Plan(NamedTuple):
    key: str
    request_hash: str
    rows: Sequence[Row]


def postings_post(
    *,
    postings: Sequence[Posting],
    cause: Any = None,
    memo: str = "",
    actor: Any = None,
    locked: dict[int, LockedAccount] | None = None,
    fractions: dict[int, int] | None = None,
) -> dict[tuple[str, int], int]:
    """The bulk posting engine: many postings (each its own idempotency key) in the caller's
    transaction, with the same rules as ``transfers_post``:

    - accounts locked in primary-key order (``locked``: the caller's own ``accounts_lock`` of at least
      these accounts, when it had to read balances to plan the legs);
    - idempotency per key: a key already posted with the same legs and cause is skipped (its transfer
      ids are returned), with different ones raises ``IdempotencyMismatch``;
    - floors checked on the locked balances (``InsufficientCoins``), the database check as backstop;
    - transfers inserted set-based (append-only rows), balances changed set-based
      (``balance = balance + change``) — and, for wallets, ``fractions`` (milli-coins carried to the
      next conversion) set in the same statement.

    Reversals (``Leg.reverses``) go through ``transfer_reverse``. Returns ``{(key, leg): transfer id}``.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("postings_post runs inside the caller's transaction.atomic()")
    cause_type, cause_id = _cause_ref(cause)
    plans: list[_Plan] = []
    for posting in postings:
        rows = _normalise_legs(posting.legs)
        if any(row.reverses is not None for row in rows):
            raise ValidationFailed(_("Reverse transfers one at a time."), code="bulk_reversal")
        plans.append(
            _Plan(_check_key(posting.idempotency_key), _request_hash(rows, cause_type, cause_id), rows)
        )
    if not plans and not fractions:
        return {}
    ids = {row.debit for plan in plans for row in plan.rows} | {
        row.credit for plan in plans for row in plan.rows
    }
    ids |= set(fractions or ())
    if locked is None or not ids <= locked.keys():
        locked = accounts_lock(ids=ids)
    done = _posted(plans)
    fresh = [plan for plan in plans if plan.key not in done]
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    created = _apply(
        fresh, locked, cause_type, cause_id, memo[:200], actor_id, timezone.now(), fractions=fractions
    )
    ids_of = {key: pk for key, (_row, pk) in created.items()}
    for plan in plans:
        for leg, pk in enumerate(done.get(plan.key, ())):
            ids_of[(plan.key, leg)] = pk
    return ids_of


def _posted(plans: Sequence[_Plan]) -> dict[str, list[int]]:
    """The transfer ids (in leg order) of the keys already posted; a key posted with other legs raises."""
    keys = [plan.key for plan in plans]
    found: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    rows: Iterable[tuple[int, str, int, str]]
    if connection.vendor == "postgresql":
        sql = f"""SELECT id, idempotency_key, leg, request_hash FROM {Transfer._meta.db_table}
                  WHERE idempotency_key = ANY(%s::text[])"""  # noqa: S608
        rows = _fetch(sql, [array_literal(keys)])
    else:
        rows = [
            row
            for start in range(0, len(keys), LOCK_CHUNK)
            for row in Transfer.objects.filter(
                idempotency_key__in=keys[start : start + LOCK_CHUNK]
            ).values_list("pk", "idempotency_key", "leg", "request_hash")
        ]
    for pk, key, leg, request_hash in rows:
        found[key].append((leg, pk, request_hash))
    if not found:
        return {}
    hashes = {plan.key: plan.request_hash for plan in plans}
    for key, legs in found.items():
        if any(request_hash != hashes[key] for _leg, _pk, request_hash in legs):
            raise IdempotencyMismatch(
                _("This idempotency key was already used for a different request."),
                fields={"idempotency_key": [key]},
            )
    return {key: [pk for _leg, pk, _h in sorted(legs)] for key, legs in found.items()}


class _TransferRow(NamedTuple):
    """The columns of one transfer row, in ``INSERT`` order."""

    debit_id: int
    credit_id: int
    amount: int
    kind: str
    cause_type: str
    cause_id: str
    idempotency_key: str
    leg: int
    request_hash: str
    reverses_id: int | None
    created_at: Any
    actor_id: Any
    memo: str


def _transfer(row: _TransferRow, pk: int) -> Transfer:
    """The ``Transfer`` of a row just inserted with id ``pk`` (no extra query)."""
    transfer = Transfer(id=pk, **row._asdict())
    transfer._state.adding = False
    transfer._state.db = "default"
    return transfer


def _rows_of(
    plan: _Plan, cause_type: str, cause_id: str, now: Any, actor_id: Any, memo: str
) -> list[_TransferRow]:
    """The transfer rows of one posting, leg by leg."""
    return [
        _TransferRow(
            row.debit,
            row.credit,
            row.amount,
            row.kind,
            cause_type,
            cause_id,
            plan.key,
            leg,
            plan.request_hash,
            row.reverses,
            now,
            actor_id,
            memo,
        )
        for leg, row in enumerate(plan.rows)
    ]


def _apply(
    plans: Sequence[_Plan],
    locked: dict[int, LockedAccount],
    cause_type: str,
    cause_id: str,
    memo: str,
    actor_id: Any,
    now: Any,
    *,
    fractions: dict[int, int] | None = None,
) -> dict[tuple[str, int], tuple[_TransferRow, int]]:
    """Check the floors, insert the transfers and change the balances (accounts already locked).
    Returns each ``(key, leg)``'s row and new transfer id."""
    delta = balance_changes(row for plan in plans for row in plan.rows)
    short = {
        pk: {"balance": locked[pk].balance, "change": change}
        for pk, change in delta.items()
        if change < 0 and not locked[pk].allow_negative and locked[pk].balance + change < 0
    }
    if short:
        raise InsufficientCoins(_("Not enough coins."), fields={"accounts": short})
    rows = [r for plan in plans for r in _rows_of(plan, cause_type, cause_id, now, actor_id, memo)]
    ids = _insert_transfers(rows)
    _change_balances({pk: c for pk, c in delta.items() if c}, fractions or {})
    metrics.coins_moved((row.kind, row.amount) for row in rows)
    return {(row.idempotency_key, row.leg): (row, pk) for row, pk in zip(rows, ids, strict=True)}


INSERT_CHUNK = 20_000
_TRANSFER_TYPES = ("bigint", "bigint", "bigint", "text", "text", "text", "text", "int", "text", "bigint",
                   "timestamptz", "uuid", "text")  # fmt: skip


def _insert_transfers(rows: list[_TransferRow]) -> list[int]:
    """Insert append-only transfer rows; their new ids in order (one ``INSERT … SELECT unnest`` per
    20,000 rows on PostgreSQL — a column with one value for every row is sent once, not as an array —
    ``bulk_create`` elsewhere)."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = Transfer.objects.bulk_create([Transfer(**r._asdict()) for r in rows], batch_size=2000)
        return [t.pk for t in created]
    table = Transfer._meta.db_table
    columns = ", ".join(_TransferRow._fields)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_CHUNK):
            part = rows[start : start + INSERT_CHUNK]
            values = [list(column) for column in zip(*part, strict=True)]
            same = [len(set(column)) == 1 for column in values]
            arrays = [f"%s::{t}[]" for t, one in zip(_TRANSFER_TYPES, same, strict=True) if not one]
            names = iter(f"v.c{i}" for i in range(len(arrays)))
            select = ", ".join(
                f"%s::{t}" if one else next(names) for t, one in zip(_TRANSFER_TYPES, same, strict=True)
            )
            unnested = ", ".join(f"c{i}" for i in range(len(arrays)))
            source = f" FROM unnest({', '.join(arrays)}) AS v({unnested})" if arrays else ""  # 1 row
            sql = f"INSERT INTO {table} ({columns}) SELECT {select}{source} RETURNING id"
            params = [column[0] for column, one in zip(values, same, strict=True) if one]
            params += [array_literal(column) for column, one in zip(values, same, strict=True) if not one]
            cursor.execute(sql, params)
            ids += [pk for (pk,) in cursor.fetchall()]
    return ids


def _change_balances(delta: dict[int, int], fractions: dict[int, int]) -> None:
    """``balance = balance + change`` (and a wallet's carried fraction) for every account, set-based."""
    ids = sorted(set(delta) | set(fractions))
    if not ids:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {Account._meta.db_table} AS a
                    SET balance = a.balance + v.delta,
                        fraction_milli = COALESCE(v.frac, a.fraction_milli)
                    FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS v(id, delta, frac)
                    WHERE a.id = v.id""",  # noqa: S608 — table name from model meta; values are parameters
                [
                    array_literal(ids),
                    array_literal([delta.get(i, 0) for i in ids]),
                    array_literal([fractions.get(i) for i in ids]),
                ],
            )
        return
    Account.objects.filter(pk__in=ids).update(
        balance=F("balance") + Case(*(When(pk=pk, then=Value(c)) for pk, c in delta.items()), default=0),
        fraction_milli=Case(
            *(When(pk=pk, then=Value(f)) for pk, f in fractions.items()), default=F("fraction_milli")
        ),
    )


def _post_fast(request: _Request) -> list[Transfer] | None:
    """The same posting as one SQL statement on PostgreSQL (same semantics, one round trip):
    lock the accounts in pk order (``FOR UPDATE``), check the floors, insert the legs and change the
    balances (``balance = balance + delta``) only if every check passed and the key is new. A
    duplicate that commits while we wait for the locks is caught by the unique (key, leg) constraint
    or by the re-read before reporting insufficient coins, and replayed. Outside a transaction the
    statement is its own transaction; inside one, it runs in a savepoint."""
    normal, idempotency_key, request_hash, cause_type, cause_id, memo, actor_id = request
    account_table, transfer_table = Account._meta.db_table, Transfer._meta.db_table
    delta = balance_changes(normal)
    ids = sorted(delta)
    now = timezone.now()
    params = {
        "d": [leg.debit for leg in normal],
        "c": [leg.credit for leg in normal],
        "a": [leg.amount for leg in normal],
        "k": [leg.kind for leg in normal],
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
                   (SELECT t.request_hash FROM {transfer_table} t WHERE t.idempotency_key = %(key)s::varchar AND t.leg = 0) AS prior
            FROM locked l JOIN delta d ON d.id = l.id
        ), ins AS (
            INSERT INTO {transfer_table}
                (debit_id, credit_id, amount, kind, cause_type, cause_id, idempotency_key, leg, request_hash,
                 created_at, actor_id, memo)
            SELECT v.d, v.c, v.a, v.k, %(ct)s::varchar, %(ci)s::varchar, %(key)s::varchar, v.l,
                   %(hash)s::varchar, %(now)s::timestamptz, %(actor)s::uuid, %(memo)s::varchar
            FROM unnest(%(d)s::bigint[], %(c)s::bigint[], %(a)s::bigint[], %(k)s::text[], %(l)s::int[])
                 AS v(d, c, a, k, l), chk
            WHERE chk.ok AND chk.found = %(n)s::int AND chk.prior IS NULL
            RETURNING id, leg
        ), upd AS (
            UPDATE {account_table} AS acc SET balance = acc.balance + delta.delta
            FROM delta, chk
            WHERE acc.id = delta.id AND delta.delta <> 0 AND chk.ok AND chk.found = %(n)s::int AND chk.prior IS NULL
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
        with scope:
            found, ok, prior, new_ids, _updated = _execute_prepared(sql, params)
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
    plan = _Plan(idempotency_key, request_hash, normal)
    rows = _rows_of(plan, cause_type, cause_id, now, actor_id, memo)
    metrics.coins_moved((row.kind, row.amount) for row in rows)
    return [_transfer(row, pk) for row, pk in zip(rows, new_ids, strict=True)]


def _execute_prepared(sql: str, params: dict[str, Any]) -> tuple[Any, ...]:
    """Run one statement with server-side parameters, so PostgreSQL can keep its plan.

    Django's cursors bind parameters on the client, which makes every posting a new statement text to
    parse and plan (about a fifth of a single posting's time). A server-side-binding cursor on the same
    connection (same transaction) lets psycopg prepare the statement once it has run a few times
    (``prepare_threshold``, 5 by default; set ``OPTIONS: {"prepare_threshold": None}`` behind a pooler
    that cannot keep prepared statements). Errors are Django's, as from any other cursor.
    """
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    assert row is not None  # the statement always returns its one summary row
    return row


def _check_reversals(normal: list[Row], originals: dict[int, Transfer]) -> None:
    if not originals:
        return
    wanted: dict[int, int] = defaultdict(int)
    for leg in normal:
        if leg.reverses is not None:
            wanted[leg.reverses] += leg.amount
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
    debit: Account | int,
    credit: Account | int,
    amount: int,
    kind: str,
    idempotency_key: str,
    cause: Any = None,
    memo: str = "",
    actor: Any = None,
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
    *,
    transfer: Transfer | int,
    idempotency_key: str,
    actor: Any = None,
    memo: str = "",
    amount: int | None = None,
) -> Transfer:
    """Post the reversing transfer (credit → debit) of ``transfer`` (all of it, or ``amount``).

    Raises ``AlreadyReversed`` when the reversals would exceed the original, and
    ``InsufficientCoins`` when the credited account no longer holds the coins.
    """
    original = transfer if isinstance(transfer, Transfer) else Transfer.objects.filter(pk=transfer).first()
    if original is None:
        raise ValidationFailed(_("Unknown transfer to reverse."), code="transfer_not_found")
    leg = Leg(
        debit=original.credit_id,
        credit=original.debit_id,
        amount=original.amount if amount is None else amount,
        kind=TransferKind.REVERSAL,
        reverses=original.pk,
    )
    return transfers_post(
        legs=[leg],
        idempotency_key=idempotency_key,
        cause=(original.cause_type, original.cause_id) if original.cause_type else None,
        memo=memo,
        actor=actor,
    )[0]


# --- staff actions ----------------------------------------------------------------------------


def pool_issue(
    *, pool: Account, amount: int, idempotency_key: str, actor: Any = None, memo: str = ""
) -> Transfer:
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
    *,
    pool: Account,
    resident: User,
    amount: int,
    idempotency_key: str,
    actor: Any = None,
    memo: str = "",
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
