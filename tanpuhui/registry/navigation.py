"""Pages of the registry context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

register(
    NavItem(
        "registry",
        _("Credit registry"),
        "web:registry",
        audience="public",
        area="public",
        order=70,
        active_on=("web:registry-serials", "web:registry-project", "web:registry-certificate"),
        icon="list",
    ),
    NavItem(
        "staff-registry",
        _("Credit registry"),
        "web:staff-registry",
        audience="staff",
        area="staff",
        group=_("Reviews"),
        order=50,
    ),
)
