from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "tanpuhui.enterprises"
    label = "enterprises"
