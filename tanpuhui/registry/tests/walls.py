"""Wall-test declarations of the registry audiences (see ``common/tests/walls.py``)."""

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.registry.tests.factories import account

MEMBERS = {
    "registry_holder": lambda centre: account(centre)[1],
    "verifier": lambda centre: make_staff(Role.VERIFIER, centre),
}
AUDIENCE_MEMBER = {"registry_holder": "registry_holder", "verifier": "verifier"}
OBJECTS: dict = {}
