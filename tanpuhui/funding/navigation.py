"""Pages of the funding context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

# Resident, public and portal pages ---------------------------------------------------------------

register(
    NavItem(
        "crowdfunding",
        _("Low-carbon giving"),
        "web:crowdfunding",
        audience="centre_member",
        area="resident",
        order=50,
        active_on=("web:crowdfunding-detail", "web:causes", "web:campaigns"),
        icon="heart",
    ),
)


# Staff console -----------------------------------------------------------------------------------

register(
    NavItem(
        "staff-funding",
        _("Funding pools"),
        "web:staff-funding",
        audience="staff",
        area="staff",
        group=_("Coins"),
        order=38,
    ),
)
