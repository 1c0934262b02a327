"""Pages of the inventories context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register
from tanpuhui.inventories.audiences import INVENTORY_REVIEWER
from tanpuhui.inventories.models import Inventory

register(
    NavItem(
        "inventories-public",
        _("Town emission inventories"),
        "web:inventories",
        audience="public",
        area="public",
        order=60,
        active_on=("web:inventories-report",),
        icon="chart",
    ),
    NavItem(
        "inventories-town",
        _("Town inventory"),
        "web:inventories-town",
        audience="town_statistician",
        area="staff",
        group=_("Greenhouse-gas inventories"),
        order=10,
        active_on=("web:inventories-town-detail",),
        icon="chart",
    ),
    NavItem(
        "inventories-review",
        _("Town inventories"),
        "web:inventories-review",
        audience="inventory_reviewer",
        area="staff",
        group=_("Greenhouse-gas inventories"),
        order=20,
        active_on=("web:inventories-review-detail",),
        icon="chart",
        badge=lambda user: INVENTORY_REVIEWER.scope(
            Inventory.objects.filter(status=Inventory.Status.SUBMITTED), user
        ).count(),
    ),
    NavItem(
        "inventories-province",
        _("Inventories in the province"),
        "web:inventories-province",
        audience="provincial",
        area="staff",
        group=_("Greenhouse-gas inventories"),
        order=30,
        icon="chart",
    ),
)
