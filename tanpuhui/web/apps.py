from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tanpuhui.web"
    label = "web"
