"""Background work of the WeChat channel: follower bookkeeping after subscribe/unsubscribe, and
template messages (rate-limited, retried with backoff; each attempt recorded in ``Send``)."""

from __future__ import annotations

from celery import shared_task

from tanpuhui.wechat import services


@shared_task(name="wechat.follow_changed")
def follow_changed(account_id: int, openid: str, followed: bool) -> int:
    return services.follow_set(account_id=account_id, openid=openid, followed=followed)


@shared_task(name="wechat.deliver")
def deliver(notification_id: int, link_id: int, attempt: int = 1) -> str:
    status, retry_in = services.template_deliver(
        notification_id=notification_id, link_id=link_id, attempt=attempt
    )
    if retry_in is not None:
        next_attempt = attempt if status == "deferred" else attempt + 1
        if next_attempt <= services.MAX_ATTEMPTS and not deliver.app.conf.task_always_eager:
            deliver.apply_async((notification_id, link_id, next_attempt), countdown=retry_in)
        elif next_attempt <= services.MAX_ATTEMPTS and status != "deferred":
            deliver(notification_id, link_id, next_attempt)  # eager (tests): the retries run now
    return status


@shared_task(name="wechat.deliver_many")
def deliver_many(pairs: list[list[int]]) -> int:
    for notification_id, link_id in pairs:
        deliver.delay(notification_id, link_id)
    return len(pairs)


@shared_task(name="wechat.inbound_prune")
def inbound_prune() -> int:
    return services.inbound_prune()
