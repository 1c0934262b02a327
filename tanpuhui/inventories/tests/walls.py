"""Wall-test declarations of the inventories audiences (see ``common/tests/walls.py``)."""

from tanpuhui.inventories.models import Inventory
from tanpuhui.inventories.tests.factories import make_inventory, make_statistician

MEMBERS = {"town_statistician": lambda centre: make_statistician(centre)}
AUDIENCE_MEMBER = {"town_statistician": "town_statistician", "inventory_reviewer": "operator"}

OBJECTS = {
    ("town_statistician", Inventory): lambda owner: make_inventory(owner),
    ("inventory_reviewer", Inventory): lambda owner: make_inventory(make_statistician(owner.centre)),
}
