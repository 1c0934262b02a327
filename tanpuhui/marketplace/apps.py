from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "tanpuhui.marketplace"
    label = "marketplace"
