from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "tanpuhui.common"
    label = "common"

    def ready(self):
        from tanpuhui.common import checks  # noqa: F401 — registers the deploy checks
