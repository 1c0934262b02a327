"""Writes of the registry: projects, monitoring reports and their workflow, issuance, transfers (sales),
retirements, cancellations and freezes.

Every movement of credits:
- locks the live block that holds the named serial (``SELECT … FOR UPDATE``; concurrent callers queue on
  that row and, once it is split, find the remainder that now holds the serial);
- checks everything first (quantity a positive whole number, not more than held, the caller holds the
  block, the block is active, the ETS cap) and raises a ``common.errors`` error before writing anything;
- splits instead of editing a range: the parent becomes ``superseded``, the moved part
  ``[start, start+n-1]`` and the remainder ``[start+n, end]`` become new blocks pointing at it;
- writes one append-only ``Movement`` with the caller's idempotency key (a repeated key returns the
  first movement and changes nothing).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from tanpuhui.accounts.models import PROVINCIAL_ROLES, Role, User
from tanpuhui.accounts.selectors import visible_centre_ids
from tanpuhui.common.errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from tanpuhui.common.services import audit_record
from tanpuhui.funding import services as funding_services
from tanpuhui.metering.models import Reduction, ReductionClaim
from tanpuhui.methodology import registry as methods
from tanpuhui.methodology.models import Methodology
from tanpuhui.registry import forestry_seed
from tanpuhui.registry.models import (
    LIVE,
    SERIAL_COUNTRY,
    CarbonProject,
    ClaimRule,
    CreditBlock,
    EtsCap,
    Holiday,
    Issuance,
    MonitoringReport,
    Movement,
    RegistryAccount,
    ReportLine,
    ReportReduction,
    ReportStep,
    Retirement,
    Sale,
    SerialCounter,
    SurveyPlot,
)
from tanpuhui.tenancy.models import Centre

KG_PER_TONNE = Decimal(1000)
NOTICE_WORKING_DAYS = 7
SERIAL_RE = re.compile(
    r"^GD-PHCER-(?P<code>[A-Z0-9]+)-(?P<project>\d{4,})-(?P<vintage>\d{4})-(?P<start>\d+)(?:-(?P<end>\d+))?$"
)
Status = CreditBlock.Status


# Serials -----------------------------------------------------------------------------------------


def serial_prefix(*, project: CarbonProject, vintage: int) -> str:
    """``GD-PHCER-<methodology code>-<project no., 4 digits>-<vintage>``; a block adds ``-<start>-<end>``."""
    return f"{SERIAL_COUNTRY}-{project.serial_code}-{project.number:04d}-{vintage}"


@dataclass(frozen=True)
class Serial:
    prefix: str
    start: int
    end: int


def serial_parse(value: str) -> Serial:
    """One serial (``…-<vintage>-<n>``) or a range (``…-<vintage>-<start>-<end>``); 400 when malformed."""
    match = SERIAL_RE.match((value or "").strip().upper())
    if match is None:
        raise ValidationFailed(
            _("This is not a PHCER serial number."),
            code="bad_serial",
            fields={"serial": [_("Expected GD-PHCER-<methodology>-<project>-<vintage>-<start>[-<end>].")]},
        )
    start = int(match["start"])
    end = int(match["end"]) if match["end"] else start
    if start < 1 or end < start:
        raise ValidationFailed(
            _("The serial range is reversed or starts below 1."),
            code="reversed_range",
            fields={"serial": [_("The end must not be below the start.")]},
        )
    prefix = f"{SERIAL_COUNTRY}-{match['code']}-{match['project']}-{match['vintage']}"
    return Serial(prefix=prefix, start=start, end=end)


def whole_quantity(value: Any, field: str = "quantity") -> int:
    """A positive whole number of credits (1 credit = 1 t CO₂e); 400 otherwise."""
    error = ValidationFailed(
        _("Enter a whole number of credits above zero."),
        code="bad_quantity",
        fields={field: [_("Enter a whole number of credits above zero.")]},
    )
    if isinstance(value, bool) or value is None:
        raise error
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise error from None
    if not number.is_finite() or number != number.to_integral_value() or number <= 0:
        raise error
    return int(number)


# Roles -------------------------------------------------------------------------------------------


def is_authority(user: User) -> bool:
    return bool(user.is_superuser or user.has_role(*PROVINCIAL_ROLES))


def _require_authority(user: User) -> None:
    if not is_authority(user):
        raise Forbidden(_("Only the provincial authority may do this."), code="not_authority")


def _require_centre_staff(user: User, centre_id: int) -> None:
    ids = visible_centre_ids(user)
    if not user.is_centre_staff or (ids is not None and centre_id not in ids):
        raise Forbidden(_("Only the staff of this project's centre may do this."), code="not_centre_staff")


def holds(user: User, account: RegistryAccount) -> bool:
    return bool(user.is_superuser or account.members.filter(pk=user.pk).exists())


# Accounts and projects ---------------------------------------------------------------------------


def account_create(
    *,
    kind: str,
    name: str,
    centre: Centre,
    members: tuple[User, ...] = (),
    enterprise: Any = None,
    funding_pool: Any = None,
) -> RegistryAccount:
    if kind not in RegistryAccount.Kind.values:
        raise ValidationFailed(_("Unknown account kind."), code="bad_kind", fields={"kind": [_("Unknown.")]})
    account, _made = RegistryAccount.objects.get_or_create(
        kind=kind,
        name=name,
        defaults={"centre": centre, "enterprise": enterprise, "funding_pool": funding_pool},
    )
    if members:
        account.members.add(*members)
    return account


def project_create(
    *,
    actor: User,
    centre: Centre,
    owner: RegistryAccount,
    methodology_code: str,
    title: str,
    kind: str,
    crediting_start: date,
    crediting_end: date,
    boundary: str = "",
    number: int | None = None,
) -> CarbonProject:
    _require_centre_staff(actor, centre.pk)
    methodology = Methodology.objects.filter(code=methodology_code).first()
    if methodology is None:
        raise ValidationFailed(
            _("Unknown methodology."), code="bad_methodology", fields={"methodology": [_("Unknown.")]}
        )
    if kind not in CarbonProject.Kind.values:
        raise ValidationFailed(_("Unknown project kind."), code="bad_kind", fields={"kind": [_("Unknown.")]})
    if crediting_end < crediting_start:
        raise ValidationFailed(
            _("The crediting period ends before it starts."),
            code="bad_period",
            fields={"crediting_end": [_("The end must not be before the start.")]},
        )
    with transaction.atomic():
        if number is None:
            last = CarbonProject.objects.select_for_update().order_by("-number").first()
            number = (last.number + 1) if last else 1
        elif CarbonProject.objects.filter(number=number).exists():
            raise Conflict(_("This project number is taken."), code="number_taken")
        project = CarbonProject.objects.create(
            number=number,
            title=title,
            kind=kind,
            centre=centre,
            owner=owner,
            methodology=methodology,
            boundary=boundary,
            crediting_start=crediting_start,
            crediting_end=crediting_end,
            created_by=actor,
        )
        audit_record(actor=actor, action="registry.project_create", target=project, centre=centre)
    return project


# Working days ------------------------------------------------------------------------------------


def is_working_day(day: date, calendar: dict[date, bool] | None = None) -> bool:
    if calendar is None:
        calendar = dict(Holiday.objects.values_list("day", "is_working_day"))
    if day in calendar:
        return calendar[day]
    return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The date on which ``days`` whole working days counted from ``start`` (included) have passed."""
    calendar = dict(
        Holiday.objects.filter(day__gte=start, day__lte=start + timedelta(days=days * 3 + 30)).values_list(
            "day", "is_working_day"
        )
    )
    day, counted = start, 0
    while True:
        if is_working_day(day, calendar):
            counted += 1
            if counted == days:
                return day + timedelta(days=1)
        day += timedelta(days=1)


# Forestry ----------------------------------------------------------------------------------------


def plot_record(
    *,
    project: CarbonProject,
    surveyor: User,
    plot_id: str,
    year: int,
    forest_type: str,
    area_ha: Decimal | str | int,
    claimed_t: Decimal | str | int | None = None,
) -> SurveyPlot:
    """A surveyor's plot record for a year, quantified ONLY through the methodology registry
    (``forest_by_type``: area × growth × BEF × (1 + R) × D × CF × 44/12 for the forest type).
    Refused (422 ``implausible_sink``) when the computed or the claimed sink per hectare and year
    exceeds the methodology's plausibility limit."""
    _require_centre_staff(surveyor, project.centre_id)
    if project.methodology.code != forestry_seed.METHODOLOGY_CODE:
        raise Unprocessable(_("This project is not quantified by forest type."), code="wrong_methodology")
    try:
        area = Decimal(str(area_ha))
    except InvalidOperation:
        area = Decimal(0)
    if not area.is_finite() or area <= 0:
        raise ValidationFailed(
            _("Enter the plot's area in hectares."), code="bad_area", fields={"area_ha": [_("Above zero.")]}
        )
    if forest_type not in forestry_seed.FOREST_TYPES:
        raise ValidationFailed(
            _("Unknown forest type."), code="bad_forest_type", fields={"forest_type": [_("Unknown.")]}
        )
    method = methods.resolve(
        behaviour=forestry_seed.BEHAVIOUR,
        centre_id=project.centre_id,
        on=date(int(year), 12, 31),
        variant=forest_type,
    )
    kg = method.evaluate(quantity=area)
    limit = method.limits["max_sink_per_ha"]  # kg CO₂e per ha and year
    per_ha = [kg / area]
    if claimed_t is not None:
        per_ha.append(Decimal(str(claimed_t)) * KG_PER_TONNE / area)
    if max(per_ha) > limit:
        raise Unprocessable(
            _("%(value)s t CO₂e per hectare and year is implausible (the limit is %(limit)s t).")
            % {"value": f"{max(per_ha) / KG_PER_TONNE:.1f}", "limit": f"{limit / KG_PER_TONNE:.0f}"},
            code="implausible_sink",
            fields={"claimed_t": [_("Implausible.")]},
        )
    with transaction.atomic():
        if SurveyPlot.objects.filter(project=project, plot_id=plot_id, year=year).exists():
            raise Conflict(_("This plot is already recorded for this year."), code="plot_recorded")
        return SurveyPlot.objects.create(
            project=project,
            plot_id=plot_id,
            year=year,
            forest_type=forest_type,
            area_ha=area,
            claimed_t=claimed_t,
            kg_co2e=kg,
            methodology_version_id=method.version_id,
            inputs=method.inputs_snapshot(),
            surveyor=surveyor,
        )


# Monitoring reports ------------------------------------------------------------------------------


def _excluded_purposes() -> list[str]:
    return list(ClaimRule.objects.filter(may_credit=False).values_list("purpose", flat=True))


def eligible_reductions(
    *, project: CarbonProject, period_start: date, period_end: date
) -> QuerySet[Reduction]:
    """The reductions a report of ``project`` for the period may count: the project centre's, of its
    methodology's behaviour, not in any report, not claimed for a purpose the claim rules exclude; an
    enterprise's project only its members' reductions."""
    qs = Reduction.objects.filter(
        centre_id=project.centre_id,
        behaviour=project.methodology.behaviour,
        period_end__gte=period_start,
        period_end__lte=period_end,
    ).exclude(pk__in=ReportReduction.objects.values("reduction_id"))
    qs = qs.exclude(
        pk__in=ReductionClaim.objects.filter(purpose__in=_excluded_purposes()).values("reduction_id")
    )
    if project.owner.kind == RegistryAccount.Kind.ENTERPRISE:
        qs = qs.filter(resident__in=project.owner.members.all())
    return qs


def _carried_in(report: MonitoringReport) -> dict[str, Decimal]:
    """What the project's previous counted report carried forward, by methodology (sub-tonne remainders)."""
    last = (
        MonitoringReport.objects.filter(project_id=report.project_id, created_at__lt=report.created_at)
        .exclude(state=MonitoringReport.State.REJECTED)
        .exclude(pk=report.pk)
        .order_by("-period_end", "-created_at")
        .first()
    )
    if last is None:
        return {}
    out: dict[str, Decimal] = {}
    for line in last.lines.order_by("-vintage"):
        out.setdefault(line.methodology_code, line.carried_out_kg)
    return out


def _tonnes(kg: Decimal) -> tuple[int, Decimal]:
    whole = int((kg / KG_PER_TONNE).to_integral_value(rounding=ROUND_DOWN)) if kg > 0 else 0
    return whole, kg - whole * KG_PER_TONNE


def _fill_lines(report: MonitoringReport, sums: dict[tuple[str, int], tuple[Decimal, int]]) -> None:
    carry = _carried_in(report)
    report.lines.all().delete()
    total_t, total_kg, carried_in = 0, Decimal(0), Decimal(0)
    lines = []
    for (code, vintage), (kg, count) in sorted(sums.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        carried = carry.pop(code, Decimal(0))
        tonnes, rest = _tonnes(kg + carried)
        lines.append(
            ReportLine(
                report=report,
                methodology_code=code,
                vintage=vintage,
                kg_co2e=kg,
                reductions=count,
                carried_in_kg=carried,
                tonnes=tonnes,
                carried_out_kg=rest,
            )
        )
        total_t += tonnes
        total_kg += kg
        carried_in += carried
    ReportLine.objects.bulk_create(lines)
    report.kg_total, report.carried_in_kg, report.tonnes = total_kg, carried_in, total_t
    report.carried_out_kg = sum((line.carried_out_kg for line in lines), Decimal(0))


def report_create(
    *, actor: User, project: CarbonProject, period_start: date, period_end: date
) -> MonitoringReport:
    """Aggregate the project's eligible verified reductions of the period, by methodology and vintage.
    Each counted reduction is recorded in ``ReportReduction`` (unique: a second report that reaches for
    it, even at the same moment, fails with 409) and, when unclaimed, claimed for "credit" through
    metering's ``ReductionClaim`` so it can be neither donated nor converted later."""
    _require_centre_staff(actor, project.centre_id)
    if period_end < period_start:
        raise ValidationFailed(
            _("The period ends before it starts."),
            code="bad_period",
            fields={"period_end": [_("The end must not be before the start.")]},
        )
    if period_start < project.crediting_start or period_end > project.crediting_end:
        raise ValidationFailed(
            _("The period lies outside the project's crediting period."),
            code="outside_crediting_period",
            fields={"period_start": [_("Outside the crediting period.")]},
        )
    code = project.methodology.code
    try:
        with transaction.atomic():
            report = MonitoringReport.objects.create(
                project=project, period_start=period_start, period_end=period_end, created_by=actor
            )
            rows = list(
                eligible_reductions(project=project, period_start=period_start, period_end=period_end)
                .values_list("pk", "period_end", "kg_co2e")
                .order_by()
            )
            plots = list(
                SurveyPlot.objects.select_for_update()
                .filter(
                    project=project,
                    report__isnull=True,
                    year__gte=period_start.year,
                    year__lte=period_end.year,
                )
                .values_list("pk", "year", "kg_co2e")
            )
            if not rows and not plots:
                raise Unprocessable(
                    _("There are no eligible reductions in this period."), code="nothing_to_report"
                )
            claimed = set(
                ReductionClaim.objects.filter(reduction_id__in=[r[0] for r in rows]).values_list(
                    "reduction_id", flat=True
                )
            )
            ReportReduction.objects.bulk_create(
                [ReportReduction(report=report, reduction_id=r[0]) for r in rows]
            )
            ReductionClaim.objects.bulk_create(
                [
                    ReductionClaim(
                        reduction_id=r[0], purpose=ReductionClaim.Purpose.CREDIT, reference=str(report.pk)
                    )
                    for r in rows
                    if r[0] not in claimed
                ]
            )
            sums: dict[tuple[str, int], tuple[Decimal, int]] = {}
            for _pk, end, kg in rows:
                kg0, n0 = sums.get((code, end.year), (Decimal(0), 0))
                sums[(code, end.year)] = (kg0 + Decimal(kg), n0 + 1)
            for _pk, year, kg in plots:
                kg0, n0 = sums.get((code, year), (Decimal(0), 0))
                sums[(code, year)] = (kg0 + Decimal(kg), n0 + 1)
            SurveyPlot.objects.filter(pk__in=[p[0] for p in plots]).update(report=report)
            _fill_lines(report, sums)
            report.save()
            _step(report, actor, "create", "", report.state, data={"reductions": len(rows)})
    except IntegrityError:
        raise Conflict(
            _("Some of these reductions were just taken by another report; try again."),
            code="reduction_taken",
        ) from None
    return report


def _step(
    report: MonitoringReport,
    actor: User,
    step: str,
    from_state: str,
    to_state: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    ReportStep.objects.create(
        report=report,
        actor=actor,
        step=step,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        data=data or {},
    )


def _locked_report(report_id: Any) -> MonitoringReport:
    report = (
        MonitoringReport.objects.select_for_update().select_related("project").filter(pk=report_id).first()
    )
    if report is None:
        raise NotFound(_("Not found."))
    return report


def _transition(report: MonitoringReport, method: str) -> str:
    before = report.state
    try:
        getattr(report, method)()
    except TransitionNotAllowed:
        if before == MonitoringReport.State.ISSUED:
            raise Conflict(_("This report was already issued."), code="already_issued") from None
        raise Conflict(
            _("This step does not follow from the report's present state."), code="wrong_state"
        ) from None
    return before


def report_open_notice(*, report_id: Any, actor: User, start: date | None = None) -> MonitoringReport:
    """Public notice for at least seven working days (the holiday calendar is data: ``Holiday``)."""
    with transaction.atomic():
        report = _locked_report(report_id)
        _require_centre_staff(actor, report.project.centre_id)
        before = _transition(report, "open_notice")
        report.notice_start = start or timezone.localdate()
        report.notice_end = add_working_days(report.notice_start, NOTICE_WORKING_DAYS)
        report.save()
        _step(report, actor, "public_notice", before, report.state, data={"until": str(report.notice_end)})
    return report


def report_verify(
    *, report_id: Any, actor: User, statement: str, adjustment_kg: Decimal | int | str = 0
) -> MonitoringReport:
    """A third-party verifier's statement, after the notice ran its course; an adjustment can only
    lower the figure (negative kg), and the tonnes are recomputed."""
    if not (actor.is_superuser or actor.has_role(Role.VERIFIER)):
        raise Forbidden(_("Only a third-party verifier may verify a report."), code="not_verifier")
    if not (statement or "").strip():
        raise ValidationFailed(
            _("Write the verification statement."),
            code="statement_required",
            fields={"statement": [_("This field is required.")]},
        )
    try:
        adjustment = Decimal(str(adjustment_kg))
    except InvalidOperation:
        adjustment = Decimal(1)
    if not adjustment.is_finite() or adjustment > 0:
        raise ValidationFailed(
            _("An adjustment can only lower the verified figure."),
            code="bad_adjustment",
            fields={"adjustment_kg": [_("Enter zero or a negative number of kg.")]},
        )
    with transaction.atomic():
        report = _locked_report(report_id)
        if (
            report.state == MonitoringReport.State.PUBLIC_NOTICE
            and report.notice_end
            and (timezone.localdate() < report.notice_end)
        ):
            raise Conflict(
                _("The public notice has not run its seven working days yet."), code="notice_running"
            )
        if -adjustment > report.kg_total:
            raise ValidationFailed(
                _("The adjustment is larger than the report."),
                code="bad_adjustment",
                fields={"adjustment_kg": [_("Larger than the report.")]},
            )
        before = _transition(report, "verify")
        report.verifier = actor
        report.verification_statement = statement
        report.verified_adjustment_kg = adjustment
        if adjustment:
            lines = list(report.lines.all())
            sums = {(line.methodology_code, line.vintage): (line.kg_co2e, line.reductions) for line in lines}
            last = max(sums)  # the adjustment comes off the latest vintage
            kg, n = sums[last]
            sums[last] = (max(Decimal(0), kg + adjustment), n)
            _fill_lines(report, sums)
        report.save()
        _step(
            report,
            actor,
            "verification",
            before,
            report.state,
            comment=statement,
            data={"adjustment_kg": str(adjustment), "tonnes": report.tonnes},
        )
    return report


def report_city_review(*, report_id: Any, actor: User, comment: str = "") -> MonitoringReport:
    with transaction.atomic():
        report = _locked_report(report_id)
        _require_centre_staff(actor, report.project.centre_id)
        if not (actor.is_superuser or actor.has_role(Role.CENTRE_REVIEWER, Role.CENTRE_OPERATOR)):
            raise Forbidden(_("Only the city centre's reviewers may do this."), code="not_reviewer")
        before = _transition(report, "city_review")
        report.save()
        _step(report, actor, "city_review", before, report.state, comment=comment)
    return report


def report_reject(*, report_id: Any, actor: User, comment: str) -> MonitoringReport:
    """Rejecting frees the report's reductions (their rows and the credit claims it made)."""
    if not (comment or "").strip():
        raise ValidationFailed(
            _("Say why."), code="reason_required", fields={"comment": [_("This field is required.")]}
        )
    with transaction.atomic():
        report = _locked_report(report_id)
        if not (is_authority(actor) or actor.has_role(Role.VERIFIER)):
            _require_centre_staff(actor, report.project.centre_id)
        before = _transition(report, "reject")
        report.save()
        ReductionClaim.objects.filter(
            purpose=ReductionClaim.Purpose.CREDIT, reference=str(report.pk)
        ).delete()
        ReportReduction.objects.filter(report=report).delete()
        SurveyPlot.objects.filter(report=report).update(report=None)
        _step(report, actor, "reject", before, report.state, comment=comment)
    return report


def report_approve(*, report_id: Any, actor: User, comment: str = "") -> MonitoringReport:
    _require_authority(actor)
    with transaction.atomic():
        report = _locked_report(report_id)
        before = _transition(report, "approve")
        report.save()
        _step(report, actor, "provincial_approval", before, report.state, comment=comment)
    return report


def report_issue(*, report_id: Any, actor: User) -> list[Issuance]:
    """Issue an approved report's whole tonnes, one block per line, to the project owner's account."""
    _require_authority(actor)
    with transaction.atomic():
        report = _locked_report(report_id)
        before = _transition(report, "mark_issued")
        issued = []
        for line in report.lines.filter(tonnes__gt=0):
            issued.append(
                credits_issue(
                    project=report.project,
                    vintage=line.vintage,
                    quantity=line.tonnes,
                    actor=actor,
                    report=report,
                    idempotency_key=f"report:{report.pk}:{line.methodology_code}:{line.vintage}",
                )
            )
        report.save()
        _step(report, actor, "issuance", before, report.state, data={"tonnes": report.tonnes})
    return issued


# Issuance ----------------------------------------------------------------------------------------


def _replay(key: str, kind: str) -> Movement | None:
    if not key or len(key) > 100:
        raise ValidationFailed(
            _("An idempotency key of 1–100 characters is required."),
            code="idempotency_key_required",
            fields={"idempotency_key": [_("This field is required.")]},
        )
    found = Movement.objects.filter(idempotency_key=key).first()
    if found is not None and found.kind != kind:
        raise Conflict(
            _("This idempotency key was used for another movement."), code="idempotency_key_reused"
        )
    return found


def credits_issue(
    *,
    project: CarbonProject,
    vintage: int,
    quantity: Any,
    actor: User,
    idempotency_key: str,
    report: MonitoringReport | None = None,
    account: RegistryAccount | None = None,
    serial_start: Any = None,
) -> Issuance:
    """Issue ``quantity`` credits of ``vintage`` as one block: the next free serials of the prefix, or an
    explicit start (a migrated registry's block), refused when reversed or overlapping a live block."""
    _require_authority(actor)
    n = whole_quantity(quantity)
    found = _replay(idempotency_key, Movement.Kind.ISSUE)
    if found is not None:
        return found.block.issuance
    if not (2000 <= int(vintage) <= 2100):
        raise ValidationFailed(
            _("Unknown vintage."), code="bad_vintage", fields={"vintage": [_("Enter a year.")]}
        )
    prefix = serial_prefix(project=project, vintage=vintage)
    with transaction.atomic():
        SerialCounter.objects.get_or_create(prefix=prefix)
        counter = SerialCounter.objects.select_for_update().get(prefix=prefix)
        if serial_start is None:
            start = counter.next_start
        else:
            start = whole_quantity(serial_start, "serial_start")
            if CreditBlock.objects.filter(
                LIVE, prefix=prefix, serial_start__lte=start + n - 1, serial_end__gte=start
            ).exists():
                raise Conflict(
                    _("These serials overlap credits already issued."),
                    code="overlapping_range",
                    fields={"serial_start": [_("Overlaps an existing block.")]},
                )
        end = start + n - 1
        counter.next_start = max(counter.next_start, end + 1)
        counter.save(update_fields=["next_start"])
        issuance = Issuance.objects.create(
            report=report,
            project=project,
            prefix=prefix,
            vintage=vintage,
            serial_start=start,
            serial_end=end,
            quantity=n,
            issued_by=actor,
        )
        holder = account or project.owner
        block = CreditBlock.objects.create(
            prefix=prefix,
            serial_start=start,
            serial_end=end,
            quantity=n,
            account=holder,
            issuance=issuance,
            project=project,
            vintage=vintage,
        )
        Movement.objects.create(
            kind=Movement.Kind.ISSUE,
            idempotency_key=idempotency_key,
            actor=actor,
            block=block,
            to_account=holder,
            quantity=n,
        )
        audit_record(actor=actor, action="registry.issue", target=issuance, data={"serial": block.serial})
    return issuance


# Movements ---------------------------------------------------------------------------------------


def block_holding(serial: str) -> CreditBlock:
    """The live block that holds ``serial`` (any serial inside it, or a block's range); 404 if none."""
    parsed = serial_parse(serial)
    block = (
        CreditBlock.objects.filter(
            LIVE, prefix=parsed.prefix, serial_start__lte=parsed.start, serial_end__gte=parsed.start
        )
        .select_related("account", "project")
        .first()
    )
    if block is None or block.serial_end < parsed.end:
        raise NotFound(_("No credit block holds this serial."), code="unknown_serial")
    return block


def _named_block(block_id: int) -> CreditBlock:
    named = CreditBlock.objects.select_related("account").filter(pk=block_id).first()
    if named is None:
        raise NotFound(_("No such credit block."), code="unknown_block")
    return named


def _lock_live(block_id: int, named: CreditBlock | None = None) -> CreditBlock:
    """Lock the live block holding the last serial of ``block_id``: the block itself, or — once it was
    split by someone else — the remainder that now holds that serial (its holder's part always keeps
    the upper end). One backward index step on the live blocks' (prefix, start) index: the live block
    with the highest start ≤ that serial. After waiting for a lock the row may have been split; the
    next statement (a new snapshot) sees its children, so we look again."""
    named = named or _named_block(block_id)
    prefix, serial, account_id = named.prefix, named.serial_end, named.account_id
    for _attempt in range(1000):
        block = (
            CreditBlock.objects.select_for_update()
            .filter(LIVE, prefix=prefix, serial_start__lte=serial)
            .order_by("-serial_start")
            .first()
        )
        if block is None or block.serial_end < serial or block.status == Status.SUPERSEDED:
            continue  # split while we waited: look again with a fresh snapshot
        if block.account_id != account_id:
            raise Conflict(_("These credits are no longer held by this account."), code="no_longer_held")
        block.account = named.account  # the same row: no second query under the lock
        return block
    raise Conflict(_("The block is too busy; try again."), code="busy")  # pragma: no cover


def _check_movable(block: CreditBlock, n: int) -> None:
    if block.status == Status.RETIRED:
        raise Conflict(_("These credits are retired and can never move again."), code="retired")
    if block.status == Status.CANCELLED:
        raise Conflict(_("These credits are cancelled."), code="cancelled")
    if block.status == Status.FROZEN:
        raise Conflict(_("These credits are frozen during a dispute."), code="frozen")
    if n > block.quantity:
        raise Unprocessable(
            _("This is more than the block holds."),
            code="insufficient_credits",
            fields={"quantity": [_("At most %(n)s.") % {"n": block.quantity}]},
        )


def _split(block: CreditBlock, n: int, *, account: RegistryAccount, status: str) -> CreditBlock:
    """Supersede ``block``; its first ``n`` serials become a block held by ``account`` in ``status``,
    the rest a block kept by the holder. Returns the moved part."""
    CreditBlock.objects.filter(pk=block.pk).update(status=Status.SUPERSEDED, updated_at=timezone.now())
    common = {
        "prefix": block.prefix,
        "parent": block,
        "issuance_id": block.issuance_id,
        "project_id": block.project_id,
        "vintage": block.vintage,
    }
    children = [
        CreditBlock(
            serial_start=block.serial_start,
            serial_end=block.serial_start + n - 1,
            quantity=n,
            account=account,
            status=status,
            **common,
        )
    ]
    if n < block.quantity:
        children.append(
            CreditBlock(
                serial_start=block.serial_start + n,
                serial_end=block.serial_end,
                quantity=block.quantity - n,
                account=block.account,
                status=block.status,
                **common,
            )
        )
    CreditBlock.objects.bulk_create(children)  # one INSERT … RETURNING for both parts
    moved = children[0]
    if moved.pk is None:  # a database that cannot return bulk-inserted ids
        moved = CreditBlock.objects.get(prefix=block.prefix, serial_start=block.serial_start, parent=block)
    return moved


def holder_of(movement: Movement) -> RegistryAccount:
    assert movement.from_account is not None  # every transfer or retirement has a holder
    return movement.from_account


_BLOCK_COLUMNS = (
    "prefix, serial_start, serial_end, quantity, status, account_id, parent_id, issuance_id, project_id, "
    "vintage, created_at, updated_at"
)
_QUEUE = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"

_PEEK = f"""
SELECT serial_end, status, account_id, quantity FROM {CreditBlock._meta.db_table}
WHERE prefix = %s AND serial_start <= %s AND status <> 'superseded' ORDER BY serial_start DESC LIMIT 1
"""  # noqa: S608


# One statement under the hot block's lock, so the lock lasts one round trip and the commit: find, lock
# and check the live block, supersede it, insert both parts (taken from the superseded row, so the
# exclusion constraint never sees the parent live beside them) and the movement. The look-up, the check
# and the update meet only by primary key: with any other condition on the updated row the planner (on
# statistics that call an account's active blocks rare) walked the holder's (account, status) index,
# reading every active block of the account — 1–4 ms a movement for an account with 10,000 blocks.
_MOVE = f"""
WITH live AS MATERIALIZED (
    SELECT id, serial_end, status, account_id, quantity FROM {CreditBlock._meta.db_table}
    WHERE prefix = %(prefix)s AND serial_start <= %(end)s AND status <> 'superseded'
    ORDER BY serial_start DESC LIMIT 1 FOR UPDATE
), movable AS MATERIALIZED (
    SELECT id FROM live
    WHERE serial_end >= %(end)s AND status = 'active' AND account_id = %(holder)s AND quantity >= %(n)s
), superseded AS (
    UPDATE {CreditBlock._meta.db_table} AS b SET status = 'superseded', updated_at = now()
    FROM movable WHERE b.id = movable.id
    RETURNING b.id, b.prefix, b.serial_start, b.serial_end, b.quantity, b.issuance_id, b.project_id, b.vintage
), parts AS (
    INSERT INTO {CreditBlock._meta.db_table} ({_BLOCK_COLUMNS})
    SELECT s.prefix, p.first, p.last, p.quantity, p.status, p.account_id, s.id, s.issuance_id, s.project_id,
           s.vintage, now(), now()
    FROM superseded s CROSS JOIN LATERAL (VALUES
        (s.serial_start, s.serial_start + %(n)s - 1, %(n)s::bigint, %(target)s::uuid, %(status)s::varchar),
        (s.serial_start + %(n)s, s.serial_end, s.quantity - %(n)s, %(holder)s::uuid, 'active'::varchar)
    ) AS p(first, last, quantity, account_id, status)
    WHERE p.quantity > 0
    RETURNING id, serial_start
), moved AS (
    INSERT INTO {Movement._meta.db_table} (kind, idempotency_key, at, actor_id, source_id, block_id,
        from_account_id, to_account_id, quantity, reason, request)
    SELECT %(kind)s, %(key)s, now(), %(actor)s, s.id, parts.id, %(holder)s, %(target)s, %(n)s, %(reason)s,
           %(request)s::jsonb
    FROM parts JOIN superseded s ON parts.serial_start = s.serial_start
    RETURNING id, block_id, at, source_id
)
SELECT id, block_id, at, source_id FROM moved
"""  # noqa: S608 — table names from the models


def _split_in_sql(
    named: CreditBlock,
    n: int,
    *,
    kind: str,
    key: str,
    actor: User,
    to_account: RegistryAccount | None,
    status: str,
    reason: str,
    request: dict,
) -> Movement | None:
    """PostgreSQL fast path of a movement: one statement (``_MOVE``) under the hot row's lock. ``None``
    when the block is not movable as asked: the ORM path then finds the reason (and raises the right
    error) or, after a race, does the move itself."""
    holder_id = named.account_id
    target_id = to_account.pk if to_account is not None else holder_id
    params: dict[str, Any] = {
        "prefix": named.prefix,
        "end": named.serial_end,
        "holder": holder_id,
        "target": target_id,
        "n": n,
        "status": status,
        "kind": kind,
        "key": key,
        "actor": actor.pk,
        "reason": reason,
        "request": json.dumps(request),
    }
    with connection.cursor() as cursor:
        # Movers of one live block queue here, not on its row: the row lock wakes every waiter when the
        # block is superseded, each finds it gone and tries again (a herd per movement); behind this
        # lock each mover's statement starts after the previous mover committed and sees the live
        # block at once. The remainder of a split keeps the block's last serial, so the key holds.
        cursor.execute(_QUEUE, [f"registry-move:{named.prefix}:{named.serial_end}"])
        for _attempt in range(100):
            cursor.execute(_MOVE, params)
            row = cursor.fetchone()
            if row is not None:
                break
            # The row we waited for was split (or is not movable): look at the live block now.
            cursor.execute(_PEEK, [named.prefix, named.serial_end])
            peek = cursor.fetchone()
            if peek is None or peek[0] < named.serial_end:
                continue
            if peek[1] != Status.ACTIVE or peek[2] != holder_id or peek[3] < n:
                return None
        else:
            return None
    movement_id, block_id, at, parent = row
    movement = Movement(
        id=movement_id, kind=kind, idempotency_key=key, at=at, actor=actor, source_id=parent, block_id=block_id,
        from_account_id=holder_id, to_account_id=target_id, quantity=n, reason=reason, request=request,
    )  # fmt: skip
    movement._state.adding = False
    return movement


_PRELUDE = f"""
SELECT b.prefix, b.serial_end, b.account_id,
       EXISTS (SELECT 1 FROM {RegistryAccount.members.through._meta.db_table} m
               WHERE m.registryaccount_id = b.account_id AND m.user_id = %s),
       EXISTS (SELECT 1 FROM {Movement._meta.db_table} WHERE idempotency_key = %s)
FROM {CreditBlock._meta.db_table} b WHERE b.id = %s
"""  # noqa: S608 — table names from the models


def _prelude(block_id: int, actor: User, key: str) -> CreditBlock | None:
    """PostgreSQL: the named block, whether the caller is a member of its account and whether the key was
    used, in one raw query (the ORM path asks three questions); ``None`` elsewhere or when not found."""
    if connection.vendor != "postgresql" or not key or len(key) > 100:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_PRELUDE, [actor.pk, key, block_id])
        row = cursor.fetchone()
    if row is None:
        return None
    named = CreditBlock(pk=block_id, prefix=row[0], serial_end=row[1], account_id=row[2])
    named._state.adding = False
    named.member, named.key_used = row[3], row[4]  # type: ignore[attr-defined]
    return named


def _move(
    *,
    kind: str,
    block_id: int,
    quantity: Any,
    actor: User,
    idempotency_key: str,
    to_account: RegistryAccount | None,
    status: str,
    reason: str = "",
    authority: bool = False,
    before_write: Callable[[CreditBlock, int], None] | None = None,
    after_write: Callable[[Movement], Any] | None = None,
    request: dict | None = None,
) -> tuple[Movement, bool]:
    """Everything that can be checked without the lock is checked first (quantity, key, holder); under
    the lock only: find the live block, its status and quantity, then write (UPDATE, one INSERT of the
    parts, the movement) — so a hot block is locked for as few statements as possible."""
    n = whole_quantity(quantity)
    named = _prelude(block_id, actor, idempotency_key)
    if named is None or named.key_used:  # type: ignore[attr-defined]
        found = _replay(idempotency_key, kind)
        if found is not None:
            return found, False
        named = (
            CreditBlock.objects.filter(pk=block_id)
            .annotate(
                member=Exists(
                    RegistryAccount.members.through.objects.filter(
                        registryaccount_id=OuterRef("account_id"), user_id=actor.pk
                    )
                )
            )
            .first()
        )
    if named is None:
        raise NotFound(_("No such credit block."), code="unknown_block")
    if not authority and not (actor.is_superuser or named.member):  # type: ignore[attr-defined]
        raise Forbidden(_("You may move only your own account's credits."), code="not_holder")
    if to_account is not None and named.account_id == to_account.pk:
        raise ValidationFailed(
            _("The credits are already in this account."),
            code="same_account",
            fields={"to_account": [_("Choose another account.")]},
        )
    try:
        with transaction.atomic():
            if before_write is None and connection.vendor == "postgresql":
                fast = _split_in_sql(
                    named, n, kind=kind, key=idempotency_key, actor=actor, to_account=to_account,
                    status=status, reason=reason, request=request or {},
                )  # fmt: skip
                if fast is not None:
                    if after_write is not None:
                        after_write(fast)
                    return fast, True
            block = _lock_live(block_id, named)
            _check_movable(block, n)
            if before_write is not None:
                before_write(block, n)
            holder = block.account
            moved = _split(block, n, account=to_account or holder, status=status)
            movement = Movement.objects.create(
                kind=kind,
                idempotency_key=idempotency_key,
                actor=actor,
                source=block,
                block=moved,
                from_account=holder,
                to_account=to_account or holder,
                quantity=n,
                reason=reason,
                request=request or {},
            )
            if after_write is not None:
                after_write(movement)
    except IntegrityError:
        if Movement.objects.filter(idempotency_key=idempotency_key).exists():
            raise Conflict(
                _("This idempotency key was just used by another request."), code="idempotency_key_reused"
            ) from None
        raise
    return movement, True


def credits_transfer(
    *,
    block_id: int,
    quantity: Any,
    to_account: RegistryAccount,
    actor: User,
    idempotency_key: str,
    price_fen: Any = None,
) -> Movement:
    """Transfer (or sell, with a price per tonne in fen) part or all of a block to another account."""
    if price_fen is not None:
        price = whole_quantity(price_fen, "price_fen")

    def sell(movement: Movement) -> None:
        if price_fen is not None:
            Sale.objects.create(  # type: ignore[misc]  # from_account is set on every transfer
                movement=movement,
                seller_id=movement.from_account_id,
                buyer=to_account,
                quantity=movement.quantity,
                price_fen=price,
                proceeds_fen=price * movement.quantity,
            )

    movement, _new = _move(
        kind=Movement.Kind.TRANSFER,
        block_id=block_id,
        quantity=quantity,
        actor=actor,
        idempotency_key=idempotency_key,
        to_account=to_account,
        status=Status.ACTIVE,
        after_write=sell,
        request={"price_fen": price_fen},
    )
    return movement


def _ets_check(year: int) -> Callable[[CreditBlock, int], None]:
    def check(block: CreditBlock, n: int) -> None:
        account = block.account
        if account.kind != RegistryAccount.Kind.ETS_EMITTER:
            raise Unprocessable(
                _("Only an emissions-trading company surrenders credits for compliance."),
                code="not_ets_emitter",
            )
        cap = EtsCap.objects.select_for_update().filter(account=account, compliance_year=year).first()
        if cap is None:
            raise Unprocessable(
                _("No offset cap is recorded for this company and compliance year."), code="no_ets_cap"
            )
        used = (
            Retirement.objects.filter(
                account=account, purpose=Retirement.Purpose.ETS_COMPLIANCE, compliance_year=year
            ).aggregate(s=Sum("quantity"))["s"]
            or 0
        )
        if used + n > cap.cap_t:
            raise Unprocessable(
                _(
                    "This exceeds the company's offset cap for the compliance year (%(cap)s t, %(used)s t used)."
                )
                % {"cap": cap.cap_t, "used": used},
                code="ets_cap_exceeded",
                fields={"quantity": [_("At most %(n)s.") % {"n": max(0, cap.cap_t - used)}]},
            )

    return check


def credits_retire(
    *,
    block_id: int,
    quantity: Any,
    actor: User,
    idempotency_key: str,
    beneficiary: str,
    purpose: str,
    compliance_year: int | None = None,
    event: str = "",
) -> Retirement:
    """Retire part or all of a block for a beneficiary and a purpose: final."""
    if purpose not in Retirement.Purpose.values:
        raise ValidationFailed(_("Unknown purpose."), code="bad_purpose", fields={"purpose": [_("Unknown.")]})
    if not (beneficiary or "").strip():
        raise ValidationFailed(
            _("Name the beneficiary."),
            code="beneficiary_required",
            fields={"beneficiary": [_("This field is required.")]},
        )
    check = None
    if purpose == Retirement.Purpose.ETS_COMPLIANCE:
        if not compliance_year:
            raise ValidationFailed(
                _("Give the compliance year."),
                code="compliance_year_required",
                fields={"compliance_year": [_("This field is required.")]},
            )
        check = _ets_check(int(compliance_year))
    made: list[Retirement] = []

    def record(movement: Movement) -> None:
        made.append(
            Retirement.objects.create(  # type: ignore[misc]  # from_account is set on every retirement
                movement=movement,
                block_id=movement.block_id,
                account_id=movement.from_account_id,
                quantity=movement.quantity,
                beneficiary=beneficiary.strip(),
                purpose=purpose,
                compliance_year=compliance_year if purpose == Retirement.Purpose.ETS_COMPLIANCE else None,
                event=event,
                certificate_code=secrets.token_hex(6).upper(),
            )
        )

    movement, new = _move(
        kind=Movement.Kind.RETIRE,
        block_id=block_id,
        quantity=quantity,
        actor=actor,
        idempotency_key=idempotency_key,
        to_account=None,
        status=Status.RETIRED,
        reason=purpose,
        before_write=check,
        after_write=record,
    )
    return made[0] if new else movement.retirement


def credits_cancel(
    *, block_id: int, quantity: Any, actor: User, idempotency_key: str, reason: str
) -> Movement:
    """The authority cancels part or all of a block, with a reason (e.g. an error found after issuance)."""
    _require_authority(actor)
    if not (reason or "").strip():
        raise ValidationFailed(
            _("Say why."), code="reason_required", fields={"reason": [_("This field is required.")]}
        )
    movement, _new = _move(
        kind=Movement.Kind.CANCEL,
        block_id=block_id,
        quantity=quantity,
        actor=actor,
        idempotency_key=idempotency_key,
        to_account=None,
        status=Status.CANCELLED,
        reason=reason,
        authority=True,
    )
    return movement


def credits_freeze(
    *, block_id: int, actor: User, idempotency_key: str, reason: str, freeze: bool = True
) -> Movement:
    """Freeze a whole live block during a dispute (or release it); nothing else can move it meanwhile."""
    _require_authority(actor)
    kind = Movement.Kind.FREEZE if freeze else Movement.Kind.UNFREEZE
    if not (reason or "").strip():
        raise ValidationFailed(
            _("Say why."), code="reason_required", fields={"reason": [_("This field is required.")]}
        )
    found = _replay(idempotency_key, kind)
    if found is not None:
        return found
    with transaction.atomic():
        block = _lock_live(block_id)
        want = Status.ACTIVE if freeze else Status.FROZEN
        if block.status != want:
            raise Conflict(
                _("Only active credits can be frozen, and only frozen ones released."), code="wrong_status"
            )
        block.status = Status.FROZEN if freeze else Status.ACTIVE
        block.save(update_fields=["status", "updated_at"])
        movement = Movement.objects.create(
            kind=kind,
            idempotency_key=idempotency_key,
            actor=actor,
            block=block,
            from_account=block.account,
            to_account=block.account,
            quantity=block.quantity,
            reason=reason,
        )
    return movement


# Revenue -----------------------------------------------------------------------------------------


def sale_book_proceeds(*, sale_id: Any, actor: User) -> Sale:
    """Book a sale's proceeds into the selling account's funding pool (a yuan pool of its centre), through
    funding's services, so they fund offers like any appropriation."""
    with transaction.atomic():
        sale = Sale.objects.select_for_update().select_related("seller").filter(pk=sale_id).first()
        if sale is None:
            raise NotFound(_("Not found."))
        _require_centre_staff(actor, sale.seller.centre_id)
        if sale.booked_pool_id is not None:
            raise Conflict(_("These proceeds were already booked."), code="already_booked")
        pool = sale.seller.funding_pool
        if pool is None:
            raise Unprocessable(_("The selling account has no funding pool."), code="no_pool")
        funding_services.pool_appropriate(
            pool_id=pool.pk,
            yuan=Decimal(sale.proceeds_fen) / 100,
            reference=f"phcer-sale-{sale.pk}",
            actor=actor,
            note=_("Proceeds of %(n)s PHCER credits sold") % {"n": sale.quantity},
        )
        sale.booked_pool = pool
        sale.booked_at = timezone.now()
        sale.save(update_fields=["booked_pool", "booked_at", "updated_at"])
    return sale
