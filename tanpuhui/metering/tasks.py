from celery import shared_task


@shared_task(acks_late=True)
def batch_process_task(batch_id: str) -> str:
    from tanpuhui.metering.services import batch_process

    batch = batch_process(batch_id=batch_id)
    return batch.status


@shared_task
def late_binding_task(binding_id: int) -> int:
    from tanpuhui.metering.services import records_match_late

    return records_match_late(binding_id=binding_id)
