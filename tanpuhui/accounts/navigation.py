"""Pages of the accounts context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

# Resident, public and portal pages ---------------------------------------------------------------

register()


# Staff console -----------------------------------------------------------------------------------

# Residents are found and corrected on the console's own page; API keys are issued, rotated and revoked
# on each data provider's page (metering's "Data providers and keys"); the admin is for platform administrators.
register(
    NavItem(
        "staff-residents",
        _("Residents"),
        "web:staff-residents",
        audience="staff",
        area="staff",
        group=_("Records and settings"),
        order=82,
        active_on=("web:staff-resident",),
    ),
)
