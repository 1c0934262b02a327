"""Signals other contexts listen to.

``reductions_quantified`` is sent (on commit) after a batch's — or a late binding's — reductions
are written. Receivers (the ledger) convert every not-yet-claimed reduction of those centres.
kwargs: ``centre_ids: list[int]``, ``batch_id: uuid.UUID | None`` (None for late binding).
"""

import django.dispatch

reductions_quantified = django.dispatch.Signal()
