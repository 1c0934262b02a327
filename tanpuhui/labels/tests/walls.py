"""Wall-test declarations of the labels routes (see ``common/tests/walls.py``). Studies belong to the
ENTERPRISE audience (members from enterprises' walls); rules are PUBLIC."""

from tanpuhui.labels.models import ProductCategoryRule, Study
from tanpuhui.labels.tests.factories import own_study

MEMBERS: dict = {}
AUDIENCE_MEMBER: dict = {}

OBJECTS = {
    ("enterprise", Study): own_study,
    ("public", ProductCategoryRule): lambda owner: ProductCategoryRule.objects.get(code="paper"),
}
