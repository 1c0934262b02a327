"""Celery application.

Production uses Redis (``REDIS_URL``). The embedded default (no ``REDIS_URL``) uses kombu's
filesystem transport, so ``make run`` processes uploads in a real background worker without
any server; tests run tasks eagerly.
"""

import os
from pathlib import Path

from celery import Celery
from celery.signals import before_task_publish, worker_process_shutdown, worker_ready
from prometheus_client import multiprocess

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tanpuhui.settings")

app = Celery("tanpuhui")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@before_task_publish.connect(dispatch_uid="tanpuhui.filesystem_queue_folders")
def filesystem_queue_folders(**kwargs) -> None:
    """The embedded filesystem broker needs its folders before the first message: a fresh checkout
    (``rm -rf var && make demo``) has none, and demo loading already enqueues (ledger conversion)."""
    options = app.conf.get("broker_transport_options") or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@worker_ready.connect(dispatch_uid="tanpuhui.worker_metrics")
def worker_metrics(**kwargs) -> None:
    """``METRICS_PORT=9101 celery -A tanpuhui worker``: the worker's batch, stage and coin counters for
    Prometheus (docs/operations.md "Metrics"; prefork children need PROMETHEUS_MULTIPROC_DIR)."""
    port = os.environ.get("METRICS_PORT")
    if port:
        from tanpuhui.common import metrics  # needs the apps loaded; this module is imported before them

        metrics.serve(int(port))


@worker_process_shutdown.connect(dispatch_uid="tanpuhui.worker_process_metrics")
def worker_process_gone(pid=None, **kwargs) -> None:
    if pid and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
