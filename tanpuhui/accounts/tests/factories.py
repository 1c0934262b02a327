from typing import cast

import factory

from tanpuhui.accounts.models import Binding, Role, RoleAssignment, User
from tanpuhui.tenancy.tests.factories import CentreFactory

PASSWORD = "correct-horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"137{n:08d}")
    display_name = factory.Sequence(lambda n: f"居民{n}")
    centre = factory.SubFactory(CentreFactory, code="GZ")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ResidentFactory(UserFactory):
    @factory.post_generation
    def resident_role(obj, create, extracted, **kwargs):
        if create:
            RoleAssignment.objects.get_or_create(user=obj, role=Role.RESIDENT, centre=obj.centre)


def make_staff(role: str, centre, **kwargs) -> User:
    from tanpuhui.accounts.services import role_grant

    user = cast(User, UserFactory(centre=centre, **kwargs))
    role_grant(user=user, role=role, centre=centre)
    return User.objects.get(pk=user.pk)


class BindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Binding

    resident = factory.SubFactory(ResidentFactory)
    centre = factory.LazyAttribute(lambda o: o.resident.centre)
    kind = Binding.Kind.TRANSIT_CARD
    account_number = factory.Sequence(lambda n: f"T{n:010d}")
