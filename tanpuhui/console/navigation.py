"""Pages of the staff console itself (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

# Resident, public and portal pages ---------------------------------------------------------------

register()


# Staff console -----------------------------------------------------------------------------------

register(
    NavItem(
        "console",
        _("Console home"),
        "web:console",
        audience="staff",
        area="staff",
        group=_("Overview"),
        order=1,
        tab=True,
        icon="home",
    ),
    NavItem(
        "console-rollup",
        _("Provincial roll-up"),
        "web:console-rollup",
        audience="provincial",
        area="staff",
        group=_("Overview"),
        order=2,
        tab=True,
        icon="chart",
    ),
    NavItem(
        "staff-audit-log",
        _("Audit log"),
        "web:console-audit-log",
        audience="staff",
        area="staff",
        group=_("Records and settings"),
        order=89,
    ),
)
