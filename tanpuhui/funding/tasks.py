from celery import shared_task


@shared_task(name="funding.crowdfunding_settle_due")
def crowdfunding_settle_due() -> int:
    """Release or refund every crowdfunding project whose deadline has passed (idempotent)."""
    from tanpuhui.funding.services import crowdfunding_settle_due as settle

    return settle()
