"""Wall-test declarations of the enterprise audiences (see ``common/tests/walls.py``)."""

from tanpuhui.enterprises.models import Enterprise, RetrofitProject
from tanpuhui.enterprises.tests.factories import make_enterprise, make_project

MEMBERS = {"enterprise": lambda centre: make_enterprise(centre, name=f"{centre.code} 照明公司")[1]}
AUDIENCE_MEMBER = {
    "enterprise": "enterprise",
    "enterprise_applicant": "enterprise",
    "project_viewer": "enterprise",
}


def _own_project(owner) -> RetrofitProject:
    return make_project(Enterprise.objects.get(members__user=owner), owner)


def _centre_project(owner) -> RetrofitProject:
    enterprise, user = make_enterprise(owner.centre, name=f"{owner.centre.code} 另一家公司")
    return make_project(enterprise, user)


OBJECTS = {
    ("enterprise", RetrofitProject): _own_project,
    ("project_viewer", RetrofitProject): _own_project,
    ("staff", RetrofitProject): _centre_project,
    ("staff", Enterprise): lambda owner: make_enterprise(owner.centre, name=f"{owner.centre.code} 待审公司")[
        0
    ],
}
