"""Pages of the accounts context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

# Resident, public and portal pages ---------------------------------------------------------------

register()


# Staff console -----------------------------------------------------------------------------------

# Until the console has a page of its own for residents, this is the admin's form, scoped to the staff
# member's centres (``common.admin.CentreScopedAdmin``); the admin's home is for platform administrators.
# API keys are issued, rotated and revoked on each data provider's page (metering's "Data providers
# and keys").
register(
    NavItem(
        "staff-residents",
        _("Residents"),
        "admin:accounts_user_changelist",
        audience="staff",
        area="staff",
        group=_("Records and settings"),
        order=82,
    ),
)
