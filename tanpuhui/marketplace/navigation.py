"""Pages of the marketplace context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

# Resident, public and portal pages ---------------------------------------------------------------

register(
    NavItem(
        "offers",
        _("Spend coins"),
        "web:offers",
        audience="home_centre",
        area="resident",
        order=40,
        tab=True,
        active_on=("web:offer-detail",),
        icon="gift",
    ),
    NavItem(
        "vouchers",
        _("My vouchers"),
        "web:vouchers",
        audience="resident",
        area="resident",
        order=45,
        active_on=("web:voucher-detail",),
        icon="ticket",
    ),
    NavItem(
        "merchant-dashboard",
        _("My shop"),
        "web:merchant-dashboard",
        audience="merchant",
        area="merchant",
        order=10,
        tab=True,
        icon="shop",
    ),
    NavItem(
        "merchant-verify",
        _("Verify a voucher"),
        "web:merchant-verify",
        audience="merchant",
        area="merchant",
        order=20,
        tab=True,
        icon="scan",
    ),
    NavItem(
        "merchant-settlement",
        _("Settlement"),
        "web:merchant-settlement",
        audience="merchant",
        area="merchant",
        order=30,
        tab=True,
        icon="chart",
    ),
)


# Staff console -----------------------------------------------------------------------------------

register(
    NavItem(
        "staff-approvals",
        _("Merchant and offer approvals"),
        "web:staff-approvals",
        audience="staff",
        area="staff",
        group=_("Reviews"),
        order=40,
    ),
    NavItem(
        "staff-settlement",
        _("Settlement"),
        "web:staff-settlement",
        audience="staff",
        area="staff",
        group=_("Coins"),
        order=35,
    ),
)
