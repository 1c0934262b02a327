"""Pages of the labels context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

register(
    NavItem(
        "labels-studies",
        _("Product footprints"),
        "web:labels-studies",
        audience="enterprise_applicant",
        area="enterprise",
        order=20,
        active_on=("web:labels-study",),
        icon="leaf",
    ),
)
