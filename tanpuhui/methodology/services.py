"""Publishing parameters and methodology versions. Nothing published is ever edited.

Rules (each enforced here, once):
- A new parameter value supersedes the open value of its series (code, region, centre, qualifier)
  from ``valid_from`` on; ``valid_from`` must be a date that has not happened yet (tomorrow or
  later), so what resolve() returned for any past date stays what it returns.
- Its unit must parse (pint) and be convertible to the series' earlier unit and to every formula
  slot that uses the code: a unit mismatch is a ValidationFailed("unit_mismatch"), never a guess.
- A new methodology version closes its predecessor in the same scope (global or the centre) at its
  ``effective_from``, also a future date. A version that has reductions cannot be edited (Conflict).
- Who: centre operators publish their own centre's values and versions; provincial officers (for
  every centre under their provincial centre) and platform superusers publish global ones too.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from tanpuhui.accounts.models import Role, User
from tanpuhui.accounts.selectors import visible_centre_ids
from tanpuhui.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tanpuhui.common.services import audit_record
from tanpuhui.methodology import formulas
from tanpuhui.methodology.models import Methodology, MethodologyVersion, Parameter, VersionParameter
from tanpuhui.tenancy.models import Centre


def can_publish(actor: User | None, centre: Centre | None) -> bool:
    """Centre-specific: that centre's operator, or a provincial officer over it. Global: a
    provincial officer or a superuser."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    provincial = actor.role_assignments.filter(role=Role.PROVINCIAL_OFFICER)
    if centre is None:
        return provincial.exists()
    if actor.role_assignments.filter(role=Role.CENTRE_OPERATOR, centre=centre).exists():
        return True
    ids = visible_centre_ids(actor)
    return provincial.exists() and (ids is None or centre.pk in ids)


def _require(actor: User | None, centre: Centre | None) -> None:
    if not can_publish(actor, centre):
        raise Forbidden(
            "Only the centre's operators publish its values; global values need a provincial officer.",
            code="not_publisher",
        )


def _future(on: date, field: str) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    if on < tomorrow:
        raise ValidationFailed(
            "Published values apply from a future date only, so past figures never change.",
            code="backdated",
            fields={field: [f"Use {tomorrow.isoformat()} or later."]},
        )


def _check_unit(code: str, unit: str, previous: Parameter | None) -> None:
    try:
        formulas.parse_unit(unit)
        if previous is not None:
            formulas.convert(Decimal(1), unit, previous.unit)
        for link in VersionParameter.objects.filter(code=code).select_related("version"):
            slot = formulas.formula_get(link.version.formula).slot(link.slot)
            formulas.convert(Decimal(1), unit, slot.unit)
    except formulas.UnitMismatch as exc:
        raise ValidationFailed(str(exc), code="unit_mismatch", fields={"unit": [str(exc)]}) from exc


@transaction.atomic
def parameter_publish(
    *,
    actor: User | None,
    code: str,
    value: Decimal | str,
    unit: str,
    region: str,
    valid_from: date,
    source_publication: str,
    source_issuer: str,
    source_year: int,
    name_zh: str = "",
    name_en: str = "",
    centre: Centre | None = None,
    qualifier: str = "",
    year: int | None = None,
    source_url: str = "",
    derivation: str = "",
    request: HttpRequest | None = None,
) -> Parameter:
    if region not in Parameter.Region.values:
        raise ValidationFailed("Unknown region.", code="invalid", fields={"region": [region]})
    if (region == Parameter.Region.CENTRE) != (centre is not None):
        raise ValidationFailed(
            "A centre value names its centre; a regional value names none.",
            fields={"centre": ["Required exactly when region is 'centre'."]},
        )
    _require(actor, centre)
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationFailed("Not a number.", fields={"value": [str(value)]}) from exc
    if not number.is_finite() or number < 0:
        raise ValidationFailed("Values are finite and not negative.", fields={"value": [str(value)]})
    if not (source_publication and source_issuer and source_year):
        raise ValidationFailed(
            "Every value names its publication, issuer and year.",
            code="source_required",
            fields={"source_publication": ["Required."]},
        )
    _future(valid_from, "valid_from")
    series = Parameter.objects.select_for_update().filter(
        code=code, region=region, centre=centre, qualifier=qualifier
    )
    rows = list(series.order_by("valid_from", "id"))
    previous = rows[-1] if rows else None
    _check_unit(code, unit, previous)
    if previous is not None and previous.valid_from >= valid_from:
        raise Conflict(
            "A value of this series already starts on or after that date.",
            code="series_conflict",
            fields={"valid_from": [previous.valid_from.isoformat()]},
        )
    parameter = Parameter.objects.create(
        code=code,
        qualifier=qualifier,
        name_zh=name_zh or (previous.name_zh if previous else code),
        name_en=name_en or (previous.name_en if previous else code),
        value=number,
        unit=unit,
        region=region,
        centre=centre,
        year=year,
        source_publication=source_publication,
        source_issuer=source_issuer,
        source_year=source_year,
        source_url=source_url,
        derivation=derivation,
        valid_from=valid_from,
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if previous is not None:
        closes = previous.valid_to is None or previous.valid_to > valid_from
        Parameter.objects.filter(pk=previous.pk).update(
            superseded_by=parameter, valid_to=valid_from if closes else previous.valid_to
        )
    audit_record(
        actor=actor,
        action="methodology.parameter_publish",
        target=parameter,
        centre=centre,
        data={
            "code": code,
            "value": str(number),
            "unit": unit,
            "valid_from": valid_from.isoformat(),
            "supersedes": previous.pk if previous else None,
        },
        request=request,
    )
    return parameter


def _slots_clean(formula: formulas.Formula, slots: dict[str, Any]) -> list[dict[str, str]]:
    expected = {slot.name for slot in formula.slots}
    if set(slots) != expected:
        raise ValidationFailed(
            f"Formula {formula.code} needs exactly the slots {sorted(expected)}.",
            fields={"slots": sorted(set(slots) ^ expected)},
        )
    clean = []
    for name, spec in slots.items():
        if isinstance(spec, dict):
            code, regions, qualifier = (
                spec["code"],
                spec.get("regions", "national"),
                spec.get("qualifier", ""),
            )
        else:
            code, regions, qualifier = spec
        bad = [r for r in str(regions).split(",") if r.strip() not in Parameter.Region.values]
        if bad:
            raise ValidationFailed("Unknown region.", fields={"slots": [f"{name}: {bad}"]})
        for existing in Parameter.objects.filter(code=code).order_by("-valid_from")[:1]:
            try:
                formulas.convert(Decimal(1), existing.unit, formula.slot(name).unit)
            except formulas.UnitMismatch as exc:
                raise ValidationFailed(str(exc), code="unit_mismatch", fields={"slots": [name]}) from exc
        clean.append({"slot": name, "code": code, "regions": regions, "qualifier": qualifier})
    return clean


@transaction.atomic
def version_publish(
    *,
    actor: User | None,
    methodology_code: str,
    label: str,
    formula: str,
    slots: dict[str, Any],
    effective_from: date,
    centre: Centre | None = None,
    config: dict | None = None,
    source_text: str = "",
    source_url: str = "",
    notes_zh: str = "",
    notes_en: str = "",
    request: HttpRequest | None = None,
) -> MethodologyVersion:
    """Publish a version; ``slots`` = {slot: (parameter code, "region,region", qualifier)}."""
    _require(actor, centre)
    methodology = Methodology.objects.filter(code=methodology_code).first()
    if methodology is None:
        raise NotFound("No such methodology.", fields={"methodology": [methodology_code]})
    try:
        spec = formulas.formula_get(formula)
        clean_config = spec.validate_config(config or {})
    except (KeyError, ValueError) as exc:
        raise ValidationFailed(str(exc), fields={"formula": [formula]}) from exc
    links = _slots_clean(spec, slots)
    if not source_text:
        raise ValidationFailed(
            "A version names its published source.",
            code="source_required",
            fields={"source_text": ["Required."]},
        )
    _future(effective_from, "effective_from")
    scope = MethodologyVersion.objects.select_for_update().filter(methodology=methodology, centre=centre)
    if scope.filter(label=label).exists():
        raise Conflict("This version label exists already.", code="label_taken", fields={"label": [label]})
    if scope.filter(effective_from__gte=effective_from).exists():
        raise Conflict(
            "A version of this scope already starts on or after that date.", code="version_conflict"
        )
    version = MethodologyVersion.objects.create(
        methodology=methodology,
        label=label,
        formula=formula,
        config=clean_config,
        centre=centre,
        effective_from=effective_from,
        source_text=source_text,
        source_url=source_url,
        notes_zh=notes_zh,
        notes_en=notes_en,
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    for link in links:
        VersionParameter.objects.create(version=version, **link)
    # Close the predecessor(s) of the same scope that are still open at effective_from. The
    # window is closed in the future only, so it never changes a past resolution.
    scope.exclude(pk=version.pk).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=effective_from)
    ).update(effective_to=effective_from)
    audit_record(
        actor=actor,
        action="methodology.version_publish",
        target=version,
        centre=centre,
        data={
            "methodology": methodology.code,
            "label": label,
            "formula": formula,
            "effective_from": effective_from.isoformat(),
        },
        request=request,
    )
    return version


EDITABLE_VERSION_FIELDS = {"source_text", "source_url", "notes_zh", "notes_en", "config", "effective_from"}


@transaction.atomic
def version_update(
    *, actor: User | None, version_id: int, request: HttpRequest | None = None, **changes: Any
) -> MethodologyVersion:
    """Correct a version nobody has used yet. Once a reduction points at it: Conflict."""
    version = MethodologyVersion.objects.select_for_update().filter(pk=version_id).first()
    if version is None:
        raise NotFound("No such methodology version.")
    _require(actor, version.centre)
    unknown = set(changes) - EDITABLE_VERSION_FIELDS
    if unknown:
        raise ValidationFailed("These fields cannot be changed.", fields={f: ["Read-only."] for f in unknown})
    if version.in_use():
        raise Conflict(
            "This methodology version has reductions and can no longer be changed; publish a new version.",
            code="version_in_use",
        )
    if "config" in changes:
        try:
            changes["config"] = version.formula_spec.validate_config(changes["config"] or {})
        except ValueError as exc:
            raise ValidationFailed(str(exc), fields={"config": [str(exc)]}) from exc
    if "effective_from" in changes:
        _future(changes["effective_from"], "effective_from")
        if version.effective_from <= timezone.localdate():
            raise Conflict("This version is already effective.", code="version_effective")
    for field, value in changes.items():
        setattr(version, field, value)
    version.save()
    audit_record(
        actor=actor,
        action="methodology.version_update",
        target=version,
        centre=version.centre,
        data={"fields": sorted(changes)},
        request=request,
    )
    return version
