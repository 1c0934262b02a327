"""The console's reads: what needs doing for a staff member, and the figures a centre is judged by.

Every figure comes from its own app's selector, one grouped query for all the centres and months asked
for (``accounts.selectors.residents_joined_by_month``, ``metering.selectors.reductions_by_month``,
``ledger.selectors.coins_issued_by_month`` / ``coins_redeemed_by_month``,
``marketplace.selectors.vouchers_verified_by_month``); this module only lays them out by month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from tanpuhui.accounts import selectors as accounts
from tanpuhui.accounts.audiences import STAFF
from tanpuhui.accounts.models import Role, User
from tanpuhui.common.models import AuditEvent
from tanpuhui.enterprises import selectors as enterprises
from tanpuhui.ledger import selectors as ledger
from tanpuhui.marketplace import selectors as marketplace
from tanpuhui.metering import selectors as metering
from tanpuhui.tenancy.models import Centre

MONTHS = 12
KG_PER_TONNE = Decimal(1000)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_ending(today: date, n: int = MONTHS) -> list[date]:
    """The first days of the ``n`` calendar months ending with ``today``'s, oldest first."""
    last = month_start(today)
    return [add_months(last, i - n + 1) for i in range(n)]


@dataclass
class MonthFigures:
    """One month of a centre's (or several centres') figures."""

    month: date
    residents: int = 0  # registered by the month's end
    participants: int = 0  # residents with a reduction that month
    kg_co2e: Decimal = Decimal("0")
    coins_issued: int = 0
    coins_redeemed: int = 0
    vouchers_verified: int = 0

    @property
    def t_co2e(self) -> Decimal:
        return self.kg_co2e / KG_PER_TONNE

    def add(self, other: MonthFigures) -> None:
        self.residents += other.residents
        self.participants += other.participants
        self.kg_co2e += other.kg_co2e
        self.coins_issued += other.coins_issued
        self.coins_redeemed += other.coins_redeemed
        self.vouchers_verified += other.vouchers_verified


@dataclass
class Figures:
    """A run of months, oldest first, with the totals a dashboard shows."""

    months: list[MonthFigures]

    @property
    def current(self) -> MonthFigures:
        return self.months[-1]

    @property
    def previous(self) -> MonthFigures:
        return self.months[-2] if len(self.months) > 1 else MonthFigures(month=self.current.month)

    @property
    def residents(self) -> int:
        return self.current.residents

    @property
    def t_co2e(self) -> Decimal:
        return sum((m.t_co2e for m in self.months), Decimal("0"))

    @property
    def coins_issued(self) -> int:
        return sum(m.coins_issued for m in self.months)

    @property
    def coins_redeemed(self) -> int:
        return sum(m.coins_redeemed for m in self.months)

    @property
    def vouchers_verified(self) -> int:
        return sum(m.vouchers_verified for m in self.months)


def figures_by_centre(
    centres: QuerySet[Centre], *, today: date | None = None, months: int = MONTHS
) -> dict[int, Figures]:
    """Each centre of ``centres`` (already scoped to the caller) → its last ``months`` months of
    figures; five queries whatever the number of centres."""
    today = today or timezone.localdate()
    window = months_ending(today, months)
    since_day = window[0]
    since_at = timezone.make_aware(datetime.combine(since_day, time.min))
    centre_ids = list(centres.values_list("pk", flat=True))
    centre_qs = Centre.objects.filter(pk__in=centre_ids)

    joined = accounts.residents_joined_by_month(centre_qs)
    reduced = metering.reductions_by_month(centre_qs, since=since_day)
    issued = ledger.coins_issued_by_month(centre_qs, since=since_at)
    redeemed = ledger.coins_redeemed_by_month(centre_qs, since=since_at)
    verified = marketplace.vouchers_verified_by_month(centre_qs, since=since_at)

    out: dict[int, Figures] = {}
    for centre_id in centre_ids:
        before = sum(n for (c, m), n in joined.items() if c == centre_id and m < since_day)
        rows = []
        running = before
        for month in window:
            running += joined.get((centre_id, month), 0)
            r = reduced.get((centre_id, month), {})
            rows.append(
                MonthFigures(
                    month=month,
                    residents=running,
                    participants=r.get("participants", 0),
                    kg_co2e=r.get("kg_co2e", Decimal("0")),
                    coins_issued=issued.get((centre_id, month), 0),
                    coins_redeemed=redeemed.get((centre_id, month), 0),
                    vouchers_verified=verified.get((centre_id, month), 0),
                )
            )
        out[centre_id] = Figures(rows)
    return out


def combined(per_centre: dict[int, Figures], *, today: date | None = None, months: int = MONTHS) -> Figures:
    """The figures of several centres added month by month (a resident belongs to one centre, so the
    participant counts add up too)."""
    window = months_ending(today or timezone.localdate(), months)
    total = [MonthFigures(month=m) for m in window]
    for figures in per_centre.values():
        for into, month in zip(total, figures.months, strict=True):
            into.add(month)
    return Figures(total)


def booths_open(user: User, *, now: datetime | None = None) -> QuerySet:
    """Events of the staff member's centres still running or to come, soonest first (their booths)."""
    now = now or timezone.now()
    return marketplace.events_for_booth(user).filter(ends_at__gte=now).order_by("starts_at")[:5]


# --- what needs doing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Todo:
    key: str
    label: Any
    count: int
    url: str
    help: Any = ""


@dataclass
class TodoList:
    items: list[Todo] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items)


# Which staff roles each task is for (a provincial officer and the platform administrator see all).
TASK_ROLES: dict[str, frozenset[str]] = {
    "batches": frozenset({Role.CENTRE_OPERATOR}),
    "unmatched": frozenset({Role.CENTRE_OPERATOR}),
    "merchants": frozenset({Role.CENTRE_OPERATOR, Role.CENTRE_REVIEWER}),
    "offers": frozenset({Role.CENTRE_OPERATOR, Role.CENTRE_REVIEWER}),
    "retrofits": frozenset({Role.CENTRE_OPERATOR, Role.CENTRE_REVIEWER}),
    "settlement": frozenset({Role.CENTRE_OPERATOR, Role.CENTRE_FINANCE}),
}
SEE_ALL = frozenset({Role.PROVINCIAL_OFFICER, Role.PILOT_MANAGER})


def tasks_of(user: User) -> set[str]:
    if user.is_superuser or user.has_role(*SEE_ALL):
        return set(TASK_ROLES)
    return {task for task, roles in TASK_ROLES.items() if user.has_role(*roles)}


def todo_for(user: User, today: date | None = None) -> TodoList:
    """What needs doing, for this staff member's role(s) and centres; each a count and the page to do it."""
    tasks = tasks_of(user)
    items = []
    if "batches" in tasks:
        items.append(
            Todo(
                "batches",
                _("Data batches with errors or stuck"),
                metering.batches_waiting(user),
                reverse("web:staff-batches"),
                _(
                    "Rejected or failed uploads, rows refused in the last 30 days, or still processing after an hour."
                ),
            )
        )
    if "unmatched" in tasks:
        items.append(
            Todo(
                "unmatched",
                _("Records waiting for a resident"),
                metering.unmatched_waiting_count(user),
                reverse("web:staff-unmatched"),
                _("Records no bound account matches yet, still inside the binding window."),
            )
        )
    if "merchants" in tasks:
        items.append(
            Todo(
                "merchants",
                _("Merchants awaiting approval"),
                marketplace.merchants_waiting(user),
                reverse("web:staff-approvals"),
            )
        )
    if "offers" in tasks:
        items.append(
            Todo(
                "offers",
                _("Offers awaiting approval"),
                marketplace.offers_waiting(user),
                reverse("web:staff-approvals"),
            )
        )
    if "retrofits" in tasks:
        items.append(
            Todo(
                "retrofits",
                _("Retrofits awaiting review"),
                enterprises.retrofits_waiting(user),
                reverse("web:staff-retrofits"),
            )
        )
    if "settlement" in tasks:
        start, end = marketplace.previous_month(today)
        url = (
            reverse("web:staff-settlement")
            + "?"
            + urlencode({"start": start.isoformat(), "end": end.isoformat()})
        )
        items.append(
            Todo(
                "settlement",
                _("Merchant statements to settle for last month"),
                marketplace.settlement_due(user, today),
                url,
                _("Merchants with vouchers verified last month."),
            )
        )
        first = (today or timezone.localdate()).replace(day=1)
        url = (
            reverse("web:staff-settlement")
            + "?"
            + urlencode({"start": first.isoformat(), "end": (today or timezone.localdate()).isoformat()})
        )
        items.append(
            Todo(
                "settlement-next",
                _("Merchants to settle next month"),
                marketplace.settlement_this_month(user, today),
                url,
                _("Merchants with vouchers verified so far this month."),
            )
        )
    return TodoList(items)


def audit_events(user: Any) -> QuerySet[AuditEvent]:
    """The audit log of the centres ``user`` works at (a provincial officer: and those under it)."""
    return STAFF.scope(AuditEvent.objects.select_related("actor", "centre"), user, "centre")
