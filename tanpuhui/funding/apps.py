from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "tanpuhui.funding"
    label = "funding"
