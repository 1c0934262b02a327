"""Background tasks of the pilots context."""

from celery import shared_task

from tanpuhui.pilots import aggregates


@shared_task(name="tanpuhui.pilots.tasks.screen_refresh")
def screen_refresh() -> dict:
    return aggregates.refresh()


@shared_task(name="tanpuhui.pilots.tasks.screen_rebuild")
def screen_rebuild() -> dict:
    return aggregates.rebuild()
