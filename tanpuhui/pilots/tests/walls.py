"""Wall-test declarations of the pilot audiences (see ``common/tests/walls.py``)."""

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.pilots.models import Appropriation, Pilot
from tanpuhui.pilots.tests.factories import make_appropriation, make_pilot

MEMBERS = {"pilot_manager": lambda centre: make_staff(Role.PILOT_MANAGER, centre)}
AUDIENCE_MEMBER = {"pilot": "pilot_manager", "pilot_reviewer": "operator"}

OBJECTS = {
    ("pilot", Pilot): lambda owner: make_pilot(owner.centre, manager=owner),
    ("pilot_reviewer", Pilot): lambda owner: make_pilot(owner.centre),
    ("pilot_reviewer", Appropriation): lambda owner: make_appropriation(make_pilot(owner.centre)),
}
