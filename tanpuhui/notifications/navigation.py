"""Pages of the message centre (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register
from tanpuhui.notifications.selectors import unread_count

# Resident, public and portal pages ---------------------------------------------------------------

register(
    NavItem(
        "notifications",
        _("Messages"),
        "web:notifications",
        audience="resident",
        area="resident",
        order=50,
        icon="bell",
        badge=unread_count,
    ),
)


# Staff console -----------------------------------------------------------------------------------

register()
