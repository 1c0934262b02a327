from celery import shared_task

from tanpuhui.ledger.check import ledger_check
from tanpuhui.ledger.conversion import conversions_finish, reductions_convert
from tanpuhui.ledger.expiry import coins_expire


@shared_task(name="ledger.convert_reductions")
def convert_reductions(centre_ids=None, batch_id: str = "", chunk_size: int | None = None) -> dict:
    result = reductions_convert(centre_ids=centre_ids, batch_id=batch_id, chunk_size=chunk_size)
    return {"reductions": result.reductions, "coins_earned": result.coins_earned}


@shared_task(name="ledger.expire_coins")
def expire_coins() -> dict:
    return coins_expire()


@shared_task(name="ledger.check")
def check_ledger() -> dict:
    result = ledger_check(record=True)
    return {"ok": result.ok, "problems": len(result.problems)}


@shared_task(name="ledger.finish_conversions")
def finish_conversions() -> dict:
    """Post the runs whose owner died between pricing and posting (their lease ran out)."""
    return {"finished": conversions_finish()}
