"""Pages of the accounts context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

# Resident, public and portal pages ---------------------------------------------------------------

register()


# Staff console -----------------------------------------------------------------------------------

# The API keys are still the admin's form, scoped to the staff member's centres
# (``common.admin.CentreScopedAdmin``); the admin's home is for platform administrators.
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
    NavItem(
        "staff-api-keys",
        _("API keys"),
        "admin:accounts_apikey_changelist",
        audience="staff",
        area="staff",
        group=_("Records and settings"),
        order=83,
    ),
)
