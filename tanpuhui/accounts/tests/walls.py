"""Wall-test declarations of the accounts audiences (see ``common/tests/walls.py``)."""

from tanpuhui.accounts.models import ApiKey, Binding, Role, User
from tanpuhui.accounts.tests.factories import BindingFactory, ResidentFactory, make_staff

MEMBERS = {
    "resident": lambda centre: ResidentFactory(centre=centre),
    "operator": lambda centre: make_staff(Role.CENTRE_OPERATOR, centre),
    "provincial": lambda centre: make_staff(Role.PROVINCIAL_OFFICER, centre.parent),
}
AUDIENCE_MEMBER = {
    "staff": "operator",
    "provincial": "provincial",
    "resident": "resident",
    "home_centre": "resident",
    "centre_member": "resident",
}


def _api_key(owner) -> ApiKey:
    from tanpuhui.metering.services import provider_key_issue
    from tanpuhui.metering.tests.factories import make_provider

    provider = make_provider(owner.centre)
    provider_key_issue(provider=provider)
    return ApiKey.objects.get(user=provider.service_user)


OBJECTS = {
    ("resident", Binding): lambda owner: BindingFactory(resident=owner, centre=owner.centre),
    ("staff", Binding): lambda owner: BindingFactory(
        resident=ResidentFactory(centre=owner.centre), centre=owner.centre
    ),
    ("staff", User): lambda owner: ResidentFactory(centre=owner.centre),
    ("staff", ApiKey): _api_key,
}
