"""Celery application.

Production uses Redis (``REDIS_URL``). The embedded default (no ``REDIS_URL``) uses kombu's
filesystem transport, so ``make run`` processes uploads in a real background worker without
any server; tests run tasks eagerly.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tanpuhui.settings")

app = Celery("tanpuhui")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
