"""Pages of the accounts context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

# Resident, public and portal pages ---------------------------------------------------------------

register()


# Staff console -----------------------------------------------------------------------------------

# Until the console has pages of its own for them, these are the admin's forms, scoped to the staff
# member's centres (``common.admin.CentreScopedAdmin``); the admin's home is for platform administrators.
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
