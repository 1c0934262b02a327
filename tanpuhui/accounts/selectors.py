from datetime import date, datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth

from tanpuhui.accounts.models import Binding, Role, RoleAssignment, User


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


def user_with_profile(user_id) -> User:
    return (
        User.objects.select_related("centre")
        .prefetch_related(Prefetch("bindings", queryset=Binding.objects.filter(unbound_at__isnull=True)))
        .get(pk=user_id)
    )


def _month(value: date | datetime) -> date:
    return (value.date() if isinstance(value, datetime) else value).replace(day=1)


def residents_joined_by_month(centres: QuerySet) -> dict[tuple[int, date], int]:
    """Residents registered at each of ``centres`` per calendar month (of the resident role's grant),
    over all time: (centre id, first day of the month) → count. One grouped query."""
    rows = (
        RoleAssignment.objects.filter(role=Role.RESIDENT, centre__in=centres)
        .annotate(month=TruncMonth("created_at"))
        .values("centre_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["centre_id"], _month(r["month"])): r["n"] for r in rows}
