"""Funding's answers to the hooks of the apps below it.

- ``marketplace.services.voucher_verified``: the funding pool behind the offer pays for the voucher;
- ``marketplace.pools``: a redemption reserves the pool's share, an expiry frees it;
- ``ledger.check.extra_checks``: a pool's figures agree with its ledger accounts.

Connected in ``FundingConfig.ready()``.
"""

from __future__ import annotations

import logging

from django.db import transaction

from tanpuhui.common.errors import ServiceError
from tanpuhui.common.services import audit_record
from tanpuhui.funding.models import FundingPool
from tanpuhui.funding.selectors import pool_ledger_problems
from tanpuhui.funding.services import (
    pool_draw_for_voucher,
    pool_exhausted,
    pool_release_for_voucher,
    pool_reserve_for_voucher,
)
from tanpuhui.marketplace import pools

FUNDER = pools.Funder(
    reserve=pool_reserve_for_voucher, release=pool_release_for_voucher, exhausted=pool_exhausted
)

logger = logging.getLogger(__name__)


def on_voucher_verified(sender, voucher, **kwargs) -> None:
    if not voucher.funding_pool_id or not voucher.yuan_value:
        return
    try:
        pool_draw_for_voucher(
            pool_id=voucher.funding_pool_id,
            yuan=voucher.yuan_value,
            reference=f"voucher:{voucher.pk}",
            voucher_id=voucher.pk,
        )
    except ServiceError as exc:
        # The voucher is already verified (the merchant served the resident): record that the pool could
        # not pay, for the centre's finance staff, instead of failing the merchant's request.
        logger.warning(
            "funding pool %s could not pay voucher %s: %s", voucher.funding_pool_id, voucher.pk, exc.code
        )
        with transaction.atomic():
            pool = FundingPool.objects.filter(pk=voucher.funding_pool_id).first()
            audit_record(
                actor=None,
                action="pool.unfunded_voucher",
                target=pool,
                data={"voucher": str(voucher.pk), "yuan": str(voucher.yuan_value), "code": exc.code},
            )


def on_ledger_check(sender, **kwargs) -> list[dict]:
    return pool_ledger_problems()
