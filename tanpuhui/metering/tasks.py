from celery import shared_task


# acks_late + reject_on_worker_lost: a message whose worker died is delivered again (Redis: after
# the broker's visibility_timeout). Running it again is safe: batch_process takes a batch only when
# no live worker holds its lease, and resumes it from its stage.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def batch_process_task(batch_id: str) -> str:
    from tanpuhui.metering.services import batch_process

    batch = batch_process(batch_id=batch_id)
    return batch.status


@shared_task(name="metering.recover_batches")
def recover_batches_task() -> int:
    """Beat, every minute: re-queue the batches whose worker died (services.batches_recover)."""
    from tanpuhui.metering.services import batches_recover

    return len(batches_recover())


@shared_task
def late_binding_task(binding_id: int) -> int:
    from tanpuhui.metering.services import records_match_late

    return records_match_late(binding_id=binding_id)
