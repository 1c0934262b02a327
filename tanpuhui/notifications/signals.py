"""The hook the message centre offers to the channels above it (WeChat): sent on commit after a
builder wrote notifications, set-based — the kinds and the causes, never one signal per row.

``notifications_written.send(sender=Notification, kinds=[...], cause_type="ledger.conversionrun",
cause_ids=["42"])``: the rows are ``Notification.objects.filter(kind__in=kinds, cause_type=...,
cause_id__in=cause_ids)`` (a builder run twice announces again; receivers stay idempotent)."""

import django.dispatch

notifications_written = django.dispatch.Signal()
