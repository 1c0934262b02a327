from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeteringConfig(AppConfig):
    name = "tanpuhui.metering"
    label = "metering"
    verbose_name = _("Data and reductions")

    def ready(self) -> None:
        from django.conf import settings

        from tanpuhui.accounts.services import binding_created
        from tanpuhui.common import metrics
        from tanpuhui.metering import selectors
        from tanpuhui.metering.signals import batch_queued
        from tanpuhui.metering.tasks import on_batch_queued, on_binding_created

        binding_created.connect(on_binding_created, dispatch_uid="metering.late_binding")
        batch_queued.connect(on_batch_queued, dispatch_uid="metering.batch_queued")
        metrics.register_source(
            "metering_batches_in_flight",
            "Provider batches waiting for a worker (received) or being processed, by status and stage.",
            lambda: [
                metrics.Sample({"status": status, "stage": stage}, count)
                for (status, stage), count in selectors.batches_in_flight().items()
            ],
        )
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            # A batch whose worker died (lease expired) is picked up again and resumed.
            "metering-recover-batches",
            {"task": "metering.recover_batches", "schedule": 60},
        )
