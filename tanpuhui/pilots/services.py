"""Writes of the pilots context: typed, keyword-only, raising ``common.errors``."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django_fsm import TransitionNotAllowed, can_proceed

from tanpuhui.accounts.models import User
from tanpuhui.common.errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from tanpuhui.common.services import audit_record
from tanpuhui.enterprises.models import Enterprise
from tanpuhui.methodology import registry
from tanpuhui.pilots.models import (
    Appropriation,
    Disbursement,
    EmissionReport,
    Indicator,
    IndicatorSet,
    IndicatorValue,
    Measure,
    Pilot,
    PilotDocument,
    PilotEvent,
    Place,
    ScoreOverride,
    Screen,
)

MAX_FEN = 10**14  # a trillion yuan: anything above is a typing error
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
TRANSITIONS = {
    "approve": Pilot.approve,
    "start_construction": Pilot.start_construction,
    "accept": Pilot.accept,
    "revoke": Pilot.revoke,
}
# Which indicator sets apply to which pilot (community pilots by community type).
PILOT_TYPE_OF_LEVEL: dict[str, str] = {
    Pilot.Level.PARK: IndicatorSet.PilotType.PARK,
    Pilot.Level.TOWN: IndicatorSet.PilotType.TOWN,
    Pilot.Level.CITY: IndicatorSet.PilotType.CITY,
}
# Emission sources whose activity the methodology registry turns into kg CO₂e, and how.
EMISSION_SOURCES: dict[str, dict[str, str]] = {
    EmissionReport.Source.ELECTRICITY: {"factor": "electricity", "unit": "kWh", "factor_unit": "kg_co2e/kWh"},
    EmissionReport.Source.PV: {"factor": "electricity", "unit": "kWh", "factor_unit": "kg_co2e/kWh"},
    EmissionReport.Source.GAS: {"factor": "natural_gas", "unit": "m³", "factor_unit": "kg_co2e/m**3"},
}


# --- registry and workflow -----------------------------------------------------------------------


def pilot_apply(
    *,
    actor: User,
    level: str,
    name_zh: str,
    designation: str,
    year: int,
    place_code: str,
    managing_organisation: str,
    name_en: str = "",
    batch: int | None = None,
    community_type: str = "",
    enterprise_id: Any = None,
    summary: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
    households: int | None = None,
) -> Pilot:
    place = Place.objects.select_related("centre").filter(code=place_code).first()
    if place is None:
        raise ValidationFailed("Unknown place.", code="unknown_place", fields={"place": ["Unknown place."]})
    if level == Pilot.Level.COMMUNITY:
        if place.kind != Place.Kind.COMMUNITY:
            raise ValidationFailed(
                "A community pilot sits in a community.",
                code="wrong_place",
                fields={"place": ["Not a community."]},
            )
        if community_type not in Pilot.CommunityType.values:
            raise ValidationFailed(
                "Say which kind of community.",
                code="community_type_required",
                fields={"community_type": ["Required."]},
            )
    elif community_type:
        raise ValidationFailed(
            "Only community pilots have a community type.",
            fields={"community_type": ["Only for communities."]},
        )
    if not 2000 <= year <= date.today().year + 1:
        raise ValidationFailed("Implausible year.", code="bad_year", fields={"year": ["Implausible year."]})
    if period_start and period_end and period_end < period_start:
        raise ValidationFailed(
            "The project ends before it starts.", fields={"period_end": ["Before the start."]}
        )
    enterprise = None
    if enterprise_id is not None:
        enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
        if enterprise is None:
            raise ValidationFailed("Unknown enterprise.", fields={"enterprise": ["Unknown enterprise."]})
    if level == Pilot.Level.ENTERPRISE and enterprise is None:
        raise ValidationFailed(
            "An enterprise pilot names its registered enterprise.", fields={"enterprise": ["Required."]}
        )
    with transaction.atomic():
        pilot = Pilot.objects.create(
            level=level,
            name_zh=name_zh,
            name_en=name_en,
            designation=designation,
            batch=batch,
            year=year,
            place=place,
            centre=place.centre,
            managing_organisation=managing_organisation,
            manager=actor if actor.has_role("pilot_manager") else None,
            enterprise=enterprise,
            community_type=community_type,
            summary=summary,
            period_start=period_start,
            period_end=period_end,
        )
        if households is not None and place.kind == Place.Kind.COMMUNITY:
            Place.objects.filter(pk=place.pk).update(households=households)
        PilotEvent.objects.create(pilot=pilot, from_status="", to_status=pilot.status, actor=actor, reason="")
    return pilot


def pilot_transition(*, pilot_id: Any, actor: User, action: str, reason: str = "") -> Pilot:
    """approve / start_construction / accept / revoke — in order only, with who, when and why."""
    method = TRANSITIONS.get(action)
    if method is None:
        raise ValidationFailed("Unknown action.", code="unknown_action", fields={"action": [action]})
    if action == "revoke" and not reason.strip():
        raise ValidationFailed(
            "Say why the pilot is revoked.", code="reason_required", fields={"reason": ["Required."]}
        )
    with transaction.atomic():
        pilot = Pilot.objects.select_for_update().filter(pk=pilot_id).first()
        if pilot is None:
            raise NotFound("No such pilot.")
        bound = getattr(pilot, action)
        if not can_proceed(bound):
            raise Conflict(
                f"A pilot that is {pilot.get_status_display()} cannot take this step.",
                code="transition_not_allowed",
                fields={"status": [pilot.status]},
            )
        before = pilot.status
        try:
            bound()
        except TransitionNotAllowed as exc:  # pragma: no cover - can_proceed said yes
            raise Conflict(str(exc), code="transition_not_allowed") from exc
        pilot.save(update_fields=["status", "updated_at"])
        PilotEvent.objects.create(
            pilot=pilot, from_status=before, to_status=pilot.status, actor=actor, reason=reason
        )
        audit_record(actor=actor, action=f"pilot.{action}", target=pilot, centre=pilot.centre)
    return pilot


def document_add(*, pilot: Pilot, actor: User, kind: str, title: str, upload: UploadedFile) -> PilotDocument:
    if kind not in PilotDocument.Kind.values:
        raise ValidationFailed("Unknown document kind.", fields={"kind": [kind]})
    if upload.size is None or upload.size == 0 or upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationFailed(
            "The file is empty or larger than 20 MB.", code="bad_file", fields={"file": ["Size."]}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha = digest.hexdigest()
    if PilotDocument.objects.filter(pilot=pilot, sha256=sha).exists():
        raise Conflict("This file is already attached.", code="duplicate_document", fields={"file": [sha]})
    document = PilotDocument(
        pilot=pilot,
        kind=kind,
        title=title or upload.name or "",
        sha256=sha,
        size=upload.size,
        uploaded_by=actor,
    )
    document.file.save(sha, upload, save=False)
    document.save()
    return document


# --- funding -------------------------------------------------------------------------------------


def _fen(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed("Amounts are whole fen.", code="bad_amount", fields={field: ["Whole fen."]})
    if value <= 0 or value > MAX_FEN:
        raise ValidationFailed(
            "The amount is not plausible.", code="bad_amount", fields={field: ["Out of range."]}
        )
    return value


def appropriation_create(
    *, pilot: Pilot, actor: User, source: str, year: int, amount_fen: int, reference: str = ""
) -> Appropriation:
    _fen(amount_fen, "amount_fen")
    if source not in Appropriation.Source.values:
        raise ValidationFailed("Unknown source.", fields={"source": [source]})
    if pilot.status == Pilot.Status.REVOKED:
        raise Conflict("A revoked pilot receives no money.", code="pilot_revoked")
    try:
        with transaction.atomic():
            appropriation = Appropriation.objects.create(
                pilot=pilot, source=source, year=year, amount_fen=amount_fen, reference=reference
            )
    except IntegrityError as exc:
        raise Conflict(
            "This pilot already has an appropriation from this source for this year.",
            code="appropriation_exists",
        ) from exc
    audit_record(actor=actor, action="pilot.appropriate", target=pilot)
    return appropriation


def disbursement_create(
    *,
    appropriation_id: Any,
    actor: User,
    milestone: str,
    amount_fen: int,
    paid_on: date,
    idempotency_key: str | None = None,
) -> Disbursement:
    """Pay part of an appropriation against a milestone. The appropriation row is locked for the
    check-and-add, and ``appropriation_not_overdrawn`` stops anything that slips past."""
    _fen(amount_fen, "amount_fen")
    if not milestone.strip():
        raise ValidationFailed("Name the milestone.", fields={"milestone": ["Required."]})
    if idempotency_key:
        done = Disbursement.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            if done.appropriation_id != appropriation_id or done.amount_fen != amount_fen:
                raise Conflict("This key was used for another disbursement.", code="idempotency_conflict")
            return done
    with transaction.atomic():
        appropriation = (
            Appropriation.objects.select_for_update()
            .select_related("pilot")
            .filter(pk=appropriation_id)
            .first()
        )
        if appropriation is None:
            raise NotFound("No such appropriation.")
        if appropriation.pilot.status == Pilot.Status.REVOKED:
            raise Conflict("A revoked pilot receives no money.", code="pilot_revoked")
        if appropriation.disbursed_fen + amount_fen > appropriation.amount_fen:
            raise Unprocessable(
                "This would pay out more than was appropriated.",
                code="exceeds_appropriation",
                fields={
                    "amount_fen": [
                        f"At most {appropriation.amount_fen - appropriation.disbursed_fen} fen remain."
                    ]
                },
            )
        Appropriation.objects.filter(pk=appropriation.pk).update(
            disbursed_fen=F("disbursed_fen") + amount_fen
        )
        disbursement = Disbursement.objects.create(
            appropriation=appropriation,
            milestone=milestone,
            amount_fen=amount_fen,
            paid_on=paid_on,
            actor=actor,
            idempotency_key=idempotency_key or None,
        )
    audit_record(actor=actor, action="pilot.disburse", target=appropriation.pilot)
    return disbursement


# --- measures ------------------------------------------------------------------------------------


def _decimal(
    value: Any, field: str, *, low: Decimal = Decimal(0), high: Decimal = Decimal("1e12")
) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            "Not a number.", code="not_a_number", fields={field: ["Not a number."]}
        ) from exc
    if not number.is_finite() or number < low or number > high:
        raise ValidationFailed(
            "The value is out of range.", code="out_of_range", fields={field: ["Out of range."]}
        )
    return number


def measure_add(
    *,
    pilot: Pilot,
    actor: User,
    kind: str,
    description: str,
    behaviour: str = "",
    annual_quantity: Any = None,
    annual_baseline: Any = None,
    on: date | None = None,
    published_t_co2e: Any = None,
    published_source: str = "",
    published_basis: str = "",
) -> Measure:
    """Add a measure; with a behaviour, its annual reduction comes from the methodology in force on
    ``on`` for the pilot's centre (``registry.resolve(...).evaluate``) — never a factor of our own."""
    if kind not in Measure.Kind.values:
        raise ValidationFailed("Unknown measure.", fields={"kind": [kind]})
    measure = Measure(pilot=pilot, kind=kind, description=description, published_source=published_source)
    measure.published_basis = published_basis
    if published_t_co2e is not None:
        measure.published_t_co2e = _decimal(published_t_co2e, "published_t_co2e", high=Decimal("1e9"))
    if behaviour:
        quantity = _decimal(annual_quantity if annual_quantity is not None else 0, "annual_quantity")
        baseline = None if annual_baseline is None else _decimal(annual_baseline, "annual_baseline")
        when = on or date.today()
        method = registry.resolve(behaviour=behaviour, centre_id=pilot.centre_id, on=when)
        measure.behaviour = behaviour
        measure.annual_quantity = quantity
        measure.annual_baseline = baseline
        measure.quantity_unit = method.quantity_unit
        measure.on = when
        measure.methodology_version_id = method.version_id
        measure.inputs = method.inputs_snapshot()
        measure.annual_kg_co2e = method.evaluate(quantity=quantity, baseline=baseline)
    measure.save()
    return measure


# --- indicators ----------------------------------------------------------------------------------


def indicator_set_create(
    *,
    actor: User,
    pilot_type: str,
    version: str,
    title: str,
    source: str,
    effective_from: date,
    indicators: list[dict[str, Any]],
    weight_total: Decimal = Decimal(100),
) -> IndicatorSet:
    if pilot_type not in IndicatorSet.PilotType.values:
        raise ValidationFailed("Unknown pilot type.", fields={"pilot_type": [pilot_type]})
    errors: dict[str, list[str]] = {}
    total = Decimal(0)
    codes: set[str] = set()
    for i, item in enumerate(indicators):
        comparator = item.get("comparator")
        kind = item.get("kind")
        if comparator not in Indicator.Comparator.values:
            errors[f"indicators.{i}.comparator"] = ["Unknown comparator."]
        if kind not in Indicator.Kind.values:
            errors[f"indicators.{i}.kind"] = ["Unknown kind."]
        elif (kind == Indicator.Kind.YES_NO) != (comparator == Indicator.Comparator.YES):
            errors[f"indicators.{i}.comparator"] = [
                "A yes/no indicator takes the comparator 'yes', and only it."
            ]
        elif kind == Indicator.Kind.QUANTITATIVE and item.get("target") is None:
            errors[f"indicators.{i}.target"] = ["A quantitative indicator needs a target."]
        if item.get("code") in codes:
            errors[f"indicators.{i}.code"] = ["Used twice."]
        codes.add(item.get("code", ""))
        try:
            weight = Decimal(str(item.get("weight")))
            if weight < 0:
                raise InvalidOperation
            total += weight
        except (InvalidOperation, ValueError):
            errors[f"indicators.{i}.weight"] = ["A non-negative number."]
    if not errors and total != weight_total:
        errors["indicators"] = [f"Weights add up to {total}, the set requires {weight_total}."]
    if errors:
        raise ValidationFailed(
            "The indicator set is not consistent.", code="bad_indicator_set", fields=errors
        )
    try:
        with transaction.atomic():
            indicator_set = IndicatorSet.objects.create(
                pilot_type=pilot_type,
                version=version,
                title=title,
                source=source,
                effective_from=effective_from,
                weight_total=weight_total,
            )
            Indicator.objects.bulk_create(
                Indicator(
                    indicator_set=indicator_set,
                    order=i,
                    code=item["code"],
                    category_zh=item["category_zh"],
                    category_en=item.get("category_en", ""),
                    name_zh=item["name_zh"],
                    name_en=item.get("name_en", ""),
                    kind=item["kind"],
                    unit=item.get("unit", ""),
                    comparator=item["comparator"],
                    target=None if item.get("target") is None else Decimal(str(item["target"])),
                    weight=Decimal(str(item["weight"])),
                    source=item.get("source", source),
                    verified=bool(item.get("verified", False)),
                )
                for i, item in enumerate(indicators)
            )
    except IntegrityError as exc:
        raise Conflict("This version of the set exists already.", code="indicator_set_exists") from exc
    return indicator_set


def indicator_set_for(pilot: Pilot, *, year: int) -> IndicatorSet | None:
    pilot_type = (
        pilot.community_type if pilot.level == Pilot.Level.COMMUNITY else PILOT_TYPE_OF_LEVEL.get(pilot.level)
    )
    if not pilot_type:
        return None
    return (
        IndicatorSet.objects.filter(pilot_type=pilot_type, effective_from__year__lte=year)
        .order_by("-effective_from")
        .first()
    )


def indicator_value_report(
    *,
    pilot: Pilot,
    actor: User,
    indicator_id: int,
    year: int,
    evidence: str,
    value: Any = None,
    achieved: bool | None = None,
    unit: str | None = None,
) -> IndicatorValue:
    """``unit``, when the caller states it, must be the indicator's own (no silent conversion)."""
    indicator = Indicator.objects.select_related("indicator_set").filter(pk=indicator_id).first()
    applicable = indicator_set_for(pilot, year=year)
    if indicator is None or applicable is None or indicator.indicator_set_id != applicable.pk:
        raise ValidationFailed(
            "This indicator is not in the set that applies to this pilot.",
            code="indicator_not_applicable",
            fields={"indicator": [str(indicator_id)]},
        )
    if not 2000 <= year <= date.today().year:
        raise ValidationFailed(
            "Report past or current years only.", code="bad_year", fields={"year": [str(year)]}
        )
    if not evidence.strip():
        raise ValidationFailed(
            "Say where the value comes from.", code="evidence_required", fields={"evidence": ["Required."]}
        )
    if unit is not None and unit != indicator.unit:
        raise ValidationFailed(
            f"This indicator is reported in {indicator.unit or 'yes/no'}.",
            code="wrong_unit",
            fields={"unit": [indicator.unit]},
        )
    number: Decimal | None = None
    if indicator.kind == Indicator.Kind.YES_NO:
        if value is not None or not isinstance(achieved, bool):
            raise ValidationFailed(
                "A yes/no indicator takes yes or no, not a number.",
                code="wrong_type",
                fields={"achieved": ["Yes or no."]},
            )
    else:
        if achieved is not None or value is None:
            raise ValidationFailed(
                "A quantitative indicator takes a number.", code="wrong_type", fields={"value": ["A number."]}
            )
        high = Decimal(100) if indicator.unit == "%" else Decimal("1e9")
        number = _decimal(value, "value", high=high)
    row, _created = IndicatorValue.objects.update_or_create(
        pilot=pilot,
        indicator=indicator,
        year=year,
        defaults={"value": number, "achieved": achieved, "evidence": evidence, "reported_by": actor},
    )
    return row


def score_override(
    *, pilot: Pilot, actor: User, indicator_id: int, year: int, score: Any, reason: str
) -> ScoreOverride:
    if not reason.strip():
        raise ValidationFailed(
            "An override needs a reason.", code="reason_required", fields={"reason": ["Required."]}
        )
    fraction = _decimal(score, "score", high=Decimal(1))
    applicable = indicator_set_for(pilot, year=year)
    if applicable is None or not applicable.indicators.filter(pk=indicator_id).exists():
        raise ValidationFailed(
            "This indicator is not in the set that applies to this pilot.",
            code="indicator_not_applicable",
            fields={"indicator": [str(indicator_id)]},
        )
    row = ScoreOverride.objects.create(
        pilot=pilot, indicator_id=indicator_id, year=year, score=fraction, reason=reason, actor=actor
    )
    audit_record(actor=actor, action="pilot.score_override", target=pilot)
    return row


# --- community emissions and screens -------------------------------------------------------------


def emission_report(*, pilot: Pilot, actor: User, month: date, source: str, quantity: Any) -> EmissionReport:
    """A month's activity of one source; kg CO₂e from the registry's factor valid in that month."""
    if pilot.level != Pilot.Level.COMMUNITY:
        raise ValidationFailed("Only community pilots report emissions.", code="not_a_community")
    spec = EMISSION_SOURCES.get(source)
    if spec is None:
        raise Unprocessable(
            "No emission factor is published for this source yet.",
            code="method_unavailable",
            fields={"source": [source]},
        )
    if month > date.today():
        raise ValidationFailed(
            "Report past months only.", code="bad_month", fields={"month": [month.isoformat()]}
        )
    amount = _decimal(quantity, "quantity", high=Decimal("1e10"))
    first = month.replace(day=1)
    factor = registry.factor(code=spec["factor"], on=first)
    value = factor.to(spec["factor_unit"])
    kg = (amount * value).quantize(Decimal("0.0001"))
    source_text = f"{factor.source}，{factor.year}" if factor.year else factor.source
    row, _created = EmissionReport.objects.update_or_create(
        pilot=pilot,
        month=first,
        source=source,
        defaults={
            "quantity": amount,
            "unit": spec["unit"],
            "kg_co2e": kg,
            "factor_code": factor.code,
            "factor_value": value,
            "factor_unit": spec["factor_unit"],
            "factor_source": source_text[:300],
            "reported_by": actor,
        },
    )
    return row


def screen_create(*, pilot: Pilot, actor: User, label: str = "") -> Screen:
    if pilot.level != Pilot.Level.COMMUNITY:
        raise ValidationFailed("Screens show community pilots.", code="not_a_community")
    if pilot.status == Pilot.Status.REVOKED:
        raise Conflict("The pilot is revoked.", code="pilot_revoked")
    return Screen.objects.create(pilot=pilot, label=label)


def screen_revoke(*, screen: Screen, actor: User) -> Screen:
    if not actor.is_centre_staff:
        raise Forbidden("Staff only.")
    Screen.objects.filter(pk=screen.pk).update(active=False)
    screen.active = False
    return screen
