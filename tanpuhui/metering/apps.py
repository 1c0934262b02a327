from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeteringConfig(AppConfig):
    name = "tanpuhui.metering"
    label = "metering"
    verbose_name = _("Data and reductions")

    def ready(self) -> None:
        from django.conf import settings

        from tanpuhui.accounts.services import binding_created

        binding_created.connect(_on_binding_created, dispatch_uid="metering.late_binding")
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            # A batch whose worker died (lease expired) is picked up again and resumed.
            "metering-recover-batches",
            {"task": "metering.recover_batches", "schedule": 60},
        )


def _on_binding_created(sender, binding, **kwargs) -> None:
    # binding_created is already sent on commit: the worker sees the binding.
    from tanpuhui.metering.tasks import late_binding_task

    late_binding_task.delay(binding.pk)
