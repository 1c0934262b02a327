"""Signals other contexts listen to, and the hook that queues a batch.

``reductions_quantified`` is sent (on commit) after a batch's — or a late binding's — reductions
are written. Receivers (the ledger) convert every not-yet-claimed reduction of those centres.
kwargs: ``centre_ids: list[int]``, ``batch_id: uuid.UUID | None`` (None for late binding).

``batch_queued`` is sent when a batch must be processed (after its upload commits, or when its
worker died); kwargs: ``batch_id: str``. ``apps.MeteringConfig.ready`` connects the Celery task
(``tasks.batch_process_task``), so the services never import the tasks that call them.
"""

import django.dispatch

reductions_quantified = django.dispatch.Signal()
batch_queued = django.dispatch.Signal()
