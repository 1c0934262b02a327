import uuid
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from tanpuhui.accounts.models import PROVINCIAL_ROLES, STAFF_ROLES, Binding, Role, User
from tanpuhui.tenancy.models import Centre


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


# --- the one scoping decision every staff view and admin relies on -----------------------------------


def visible_centre_ids(user: Any) -> frozenset[int] | None:
    """Centres whose data ``user`` may see as staff; ``None`` means all (platform superuser).

    Staff roles at a city centre see that centre; a provincial officer at a provincial centre
    sees it and every centre under it. Non-staff roles see no centre's data as staff.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    cached = getattr(user, "_visible_centre_ids", None)
    if cached is not None:
        return cached
    assignments = list(user.role_assignments.filter(role__in=STAFF_ROLES).values_list("role", "centre_id"))
    direct = {centre_id for _role, centre_id in assignments}
    provincial = {centre_id for role, centre_id in assignments if role in PROVINCIAL_ROLES}
    if provincial:
        direct |= set(Centre.objects.filter(Q(parent_id__in=provincial)).values_list("id", flat=True))
    result = frozenset(direct)
    user._visible_centre_ids = result
    return result


def scope_to_user(queryset: QuerySet, user: Any, centre_lookup: str = "centre") -> QuerySet:
    """Filter ``queryset`` to the rows of centres ``user`` may see as staff."""
    ids = visible_centre_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{centre_lookup}__in": ids})
