from celery import shared_task

from tanpuhui.funding.services import crowdfunding_settle_due as settle


@shared_task(name="funding.crowdfunding_settle_due")
def crowdfunding_settle_due() -> int:
    """Release or refund every crowdfunding project whose deadline has passed (idempotent)."""
    return settle()
