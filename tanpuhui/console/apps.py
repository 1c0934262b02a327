from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "tanpuhui.console"
    label = "console"
    verbose_name = _("Staff console")
