from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoriesConfig(AppConfig):
    name = "tanpuhui.inventories"
    label = "inventories"
    verbose_name = _("Greenhouse-gas inventories")
