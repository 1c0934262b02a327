"""Pages of the ledger context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

# Resident, public and portal pages ---------------------------------------------------------------

register(
    NavItem(
        "wallet",
        _("My coins"),
        "web:wallet",
        audience="resident",
        area="resident",
        order=30,
        tab=True,
        icon="coin",
    ),
)


# Staff console -----------------------------------------------------------------------------------

register(
    NavItem(
        "staff-ledger",
        _("Coin ledger"),
        "web:staff-ledger",
        audience="staff",
        area="staff",
        group=_("Coins"),
        order=30,
    ),
)
