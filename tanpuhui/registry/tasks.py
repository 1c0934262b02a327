from celery import shared_task

from tanpuhui.registry import check


@shared_task(name="registry.check")
def check_registry() -> dict:
    """The daily audit, kept for the ``/metrics`` gauges (``tanpuhui_check_ok{check="registry_check"}``)."""
    result = check.run(record=True)
    return {"ok": result.ok, "problems": len(result.problems)}
