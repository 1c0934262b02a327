from django.apps import AppConfig


class MeteringConfig(AppConfig):
    name = "tanpuhui.metering"
    label = "metering"
