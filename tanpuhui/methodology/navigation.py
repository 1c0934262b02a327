"""Pages of the methodology context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

# Resident, public and portal pages ---------------------------------------------------------------

register(
    NavItem(
        "methodologies",
        _("Methods"),
        "web:methodologies",
        audience="public",
        area="public",
        order=80,
        active_on=("web:methodology",),
        icon="book",
    ),
)


# Staff console -----------------------------------------------------------------------------------

register(
    NavItem(
        "staff-parameters",
        _("Emission factors and parameters"),
        "web:staff-parameters",
        audience="staff",
        area="staff",
        group=_("Records and settings"),
        order=84,
        active_on=("web:staff-parameter-publish",),
    ),
)
