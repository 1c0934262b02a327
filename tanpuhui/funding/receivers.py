"""The marketplace's ``voucher_verified`` hook: the funding pool behind the offer pays for the voucher."""

from __future__ import annotations

import logging

from django.db import transaction

from tanpuhui.common.errors import ServiceError

logger = logging.getLogger(__name__)


def on_voucher_verified(sender, voucher, **kwargs) -> None:
    if not voucher.funding_pool_id or not voucher.yuan_value:
        return
    from tanpuhui.common.services import audit_record
    from tanpuhui.funding.services import pool_draw_for_voucher

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
            from tanpuhui.funding.models import FundingPool

            pool = FundingPool.objects.filter(pk=voucher.funding_pool_id).first()
            audit_record(
                actor=None,
                action="pool.unfunded_voucher",
                target=pool,
                data={"voucher": str(voucher.pk), "yuan": str(voucher.yuan_value), "code": exc.code},
            )
