"""The marketplace's door to the context that funds offers (funding registers itself in its ``ready()``).

The marketplace sits below funding: it never imports it. An offer may name a funding pool; a
redemption asks the registered funder for the pool's share of the voucher (ledger legs posted with the
resident's payment, or a refusal), and an expiry asks it to free that share. Without a registered
funder an offer with a pool cannot be redeemed (a configuration error, not a resident's mistake).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from tanpuhui.common.errors import ServiceError


@dataclass(frozen=True)
class Reservation:
    """A voucher's pool share: the ledger legs to post with the redemption, and the account that pays them."""

    legs: list = field(default_factory=list)
    pool_account_id: int | None = None


@dataclass(frozen=True)
class Funder:
    """What the marketplace needs from whoever funds offers."""

    reserve: Callable[..., Reservation]  # (*, pool_id, yuan: Decimal, voucher_id) -> Reservation
    release: Callable[..., Any]  # (*, voucher_id) -> None
    exhausted: Callable[[], ServiceError]  # the error a redemption gets when the pool cannot pay


_funder: Funder | None = None


def register(funder: Funder) -> None:
    global _funder
    _funder = funder


def funder() -> Funder:
    if _funder is None:
        raise ImproperlyConfigured("No funder registered for pooled offers (is tanpuhui.funding installed?)")
    return _funder


def reserve(*, pool_id: int | None, yuan: Decimal, voucher_id) -> Reservation:
    if pool_id is None:
        return Reservation()
    return funder().reserve(pool_id=pool_id, yuan=Decimal(yuan), voucher_id=voucher_id)


def release(*, voucher_id) -> None:
    funder().release(voucher_id=voucher_id)


def exhausted() -> ServiceError:
    return funder().exhausted()
