from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "tanpuhui.common"
    label = "common"
