from celery import shared_task

from tanpuhui.metering.services import batch_process, batches_recover, records_match_late


# acks_late + reject_on_worker_lost: a message whose worker died is delivered again (Redis: after
# the broker's visibility_timeout). Running it again is safe: batch_process takes a batch only when
# no live worker holds its lease, and resumes it from its stage.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def batch_process_task(batch_id: str) -> str:
    batch = batch_process(batch_id=batch_id)
    return batch.status


@shared_task(name="metering.recover_batches")
def recover_batches_task() -> int:
    """Beat, every minute: re-queue the batches whose worker died (services.batches_recover)."""
    return len(batches_recover())


@shared_task
def late_binding_task(binding_id: int) -> int:
    return records_match_late(binding_id=binding_id)


def on_batch_queued(sender, batch_id: str, **kwargs) -> None:
    """``signals.batch_queued`` → the worker processes the batch."""
    batch_process_task.delay(batch_id)


def on_binding_created(sender, binding, **kwargs) -> None:
    """``accounts.services.binding_created`` (sent on commit: the worker sees the binding)."""
    late_binding_task.delay(binding.pk)
