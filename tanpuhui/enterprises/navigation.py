"""Pages of the enterprises context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

# Resident, public and portal pages ---------------------------------------------------------------

register(
    NavItem(
        "enterprise-portal",
        _("My enterprise"),
        "web:enterprise-portal",
        audience="enterprise_applicant",
        area="enterprise",
        order=10,
        tab=True,
        active_on=("web:enterprise-project",),
        icon="factory",
    ),
)


# Staff console -----------------------------------------------------------------------------------

register(
    NavItem(
        "staff-retrofits",
        _("Retrofit reviews"),
        "web:staff-retrofits",
        audience="staff",
        area="staff",
        group=_("Reviews"),
        order=45,
    ),
)
