"""Pages of the pilots context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

register(
    NavItem(
        "staff-pilots",
        _("Low-carbon pilots"),
        "web:staff-pilots",
        audience="pilot_reviewer",
        area="staff",
        group=_("Overview"),
        order=30,
        active_on=("web:staff-pilot",),
    ),
)
register(
    NavItem(
        "my-pilots",
        _("My pilots"),
        "web:my-pilots",
        audience="pilot",
        area="staff",
        group=_("Overview"),
        order=31,
        active_on=("web:my-pilot",),
    ),
)
