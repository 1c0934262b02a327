"""Wall-test declarations of the console (see ``common/tests/walls.py``).

The console's pages use the accounts audiences: the dashboard and its CSV ``staff`` (every staff role
sees its own tasks), the roll-up and its CSV ``provincial``. The member kinds below add the reviewer
and finance roles, so that ``test_console.py`` opens the console as each staff role.
"""

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import make_staff

MEMBERS = {
    "reviewer": lambda centre: make_staff(Role.CENTRE_REVIEWER, centre),
    "finance": lambda centre: make_staff(Role.CENTRE_FINANCE, centre),
}
# The console audience of each staff role: the pages each may open.
CONSOLE_AUDIENCES = {
    "operator": {"staff"},
    "reviewer": {"staff"},
    "finance": {"staff"},
    "provincial": {"staff", "provincial"},
}
