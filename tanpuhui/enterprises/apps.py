from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The label of this area's link in web/templates/includes/nav.html (kept here so makemessages finds it).
NAV_LABEL = _("Low-carbon giving")


class EnterprisesConfig(AppConfig):
    name = "tanpuhui.enterprises"
    label = "enterprises"
    verbose_name = _("Enterprises")
