"""Pages of the WeChat channel (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register

register(
    NavItem("me-wechat", _("WeChat"), "web:me-wechat", audience="resident", area="resident", order=80),
    NavItem(
        "staff-wechat",
        _("WeChat account"),
        "web:staff-wechat",
        audience="staff",
        area="staff",
        group=_("Records and settings"),
        order=80,
    ),
)
