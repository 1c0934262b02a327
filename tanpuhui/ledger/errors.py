"""Ledger errors (``tanpuhui.common.errors`` subclasses: the API renders them in the one error shape)."""

from __future__ import annotations

from tanpuhui.common.errors import Conflict, NotFound, Unprocessable, ValidationFailed


class InsufficientCoins(Conflict):
    """A posting would take a non-negative account below zero. Nothing was written."""

    default_code = "insufficient_coins"


class IdempotencyMismatch(Unprocessable):
    """The idempotency key was already used for a different request. Nothing was written."""

    default_code = "idempotency_key_reused"


class AccountNotFound(NotFound):
    default_code = "account_not_found"


class InvalidAmount(ValidationFailed):
    default_code = "invalid_amount"


class AlreadyReversed(Conflict):
    default_code = "already_reversed"
