import uuid

from django.db.models import Count, Prefetch, Q, QuerySet

from tanpuhui.accounts.models import Binding, Role, User


def resident_list() -> QuerySet[User]:
    return (
        User.objects.filter(role_assignments__role=Role.RESIDENT)
        .select_related("centre")
        .annotate(binding_count=Count("bindings", filter=Q(bindings__unbound_at__isnull=True), distinct=True))
        .order_by("-date_joined")
    )


def resident_search(queryset: QuerySet[User], term: str) -> QuerySet[User]:
    term = term.strip()
    if not term:
        return queryset
    return queryset.filter(Q(display_name__icontains=term) | Q(phone__endswith=term) | Q(email__iexact=term))


def user_with_profile(user_id: uuid.UUID | str) -> User:
    return (
        User.objects.select_related("centre")
        .prefetch_related(Prefetch("bindings", queryset=Binding.objects.filter(unbound_at__isnull=True)))
        .get(pk=user_id)
    )
