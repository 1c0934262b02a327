"""Pages of the shell itself (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

# Resident, public and portal pages ---------------------------------------------------------------

register(
    NavItem("home", _("Home"), "web:home", audience="public", area="public", order=10, tab=True, icon="home"),
    NavItem(
        "profile",
        _("Me"),
        "web:profile",
        audience="signed_in",
        area="resident",
        order=90,
        tab=True,
        icon="user",
    ),
)


# Staff console -----------------------------------------------------------------------------------

register()
