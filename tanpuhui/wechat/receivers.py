"""The hook wechat listens to (connected in ``apps.WechatConfig.ready()``)."""

from __future__ import annotations

import logging

from django.db import DatabaseError

from tanpuhui.wechat import services

logger = logging.getLogger(__name__)


def on_notifications_written(
    sender, kinds: list[str], cause_type: str, cause_ids: list[str], **kwargs
) -> None:
    try:
        services.notifications_forward(kinds=kinds, cause_type=cause_type, cause_ids=cause_ids)
    except DatabaseError:
        logger.exception("WeChat messages for %s %s could not be queued", cause_type, cause_ids[:5])
