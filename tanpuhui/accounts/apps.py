from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tanpuhui.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        # Registers the audiences (common.scoping) before any admin class or view asks for one by name.
        from tanpuhui.accounts import audiences  # noqa: F401
