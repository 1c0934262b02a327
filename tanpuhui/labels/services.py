"""Footprint-study operations (typed, keyword-only). Factors come only from the methodology registry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from tanpuhui.accounts.models import User
from tanpuhui.common.errors import NotFound, ServiceError, Unprocessable, ValidationFailed
from tanpuhui.enterprises.models import Enterprise
from tanpuhui.labels import engine, footprint
from tanpuhui.labels.models import InventoryLine, ProductCategoryRule, Stage, Study
from tanpuhui.methodology import formulas, registry

FACTOR_REGION = "south_china_grid"


def _factor(*, code: str, on: date) -> registry.ResolvedFactor:
    try:
        return registry.factor(code=code, on=on, region=FACTOR_REGION)
    except ServiceError as exc:
        raise ValidationFailed(
            f"No factor {code!r} is published for {on.isoformat()}.",
            code="factor_unavailable",
            fields={"factor_code": [f"No factor {code!r} is valid on {on.isoformat()}."]},
        ) from exc


def study_create(
    *, user: User, enterprise: Enterprise, pcr_id: int, product_name: str, reference_date: date
) -> Study:
    pcr = ProductCategoryRule.objects.filter(pk=pcr_id).first()
    if pcr is None:
        raise ValidationFailed("Unknown product-category rule.", fields={"pcr": ["Unknown rule."]})
    if not enterprise.members.filter(user=user).exists():
        raise NotFound("Not found.")
    return Study.objects.create(
        enterprise=enterprise,
        pcr=pcr,
        product_name=product_name,
        reference_date=reference_date,
        created_by=user,
    )


def line_add(
    *,
    study: Study,
    stage: str,
    name: str,
    quantity: Decimal,
    unit: str,
    factor_code: str,
    source: str,
    data_quality: int,
    carbon: str = InventoryLine.Carbon.FOSSIL,
    key: str = "",
    excluded: bool = False,
) -> InventoryLine:
    pcr = study.pcr
    if stage not in pcr.stages:
        raise ValidationFailed(
            "This stage is outside the rule's system boundary.",
            code="stage_outside_boundary",
            fields={"stage": [f"The rule covers: {', '.join(str(Stage(s).label) for s in pcr.stages)}."]},
        )
    if quantity < 0 and not pcr.negative_allowed:
        raise ValidationFailed(
            "Negative quantities are not allowed by this rule.",
            code="negative_quantity",
            fields={"quantity": ["Must be zero or more."]},
        )
    factor = _factor(code=factor_code, on=study.reference_date)
    try:
        footprint.kg_per_unit(unit=unit, factor_value=factor.value, factor_unit=factor.unit)
    except formulas.UnitMismatch as exc:
        raise ValidationFailed(
            str(exc),
            code="unit_mismatch",
            fields={"unit": [f"Does not convert with the factor's {factor.unit}."]},
        ) from exc
    with transaction.atomic():
        line = InventoryLine.objects.create(
            study=study,
            stage=stage,
            name=name,
            key=key,
            quantity=quantity,
            unit=unit,
            factor_code=factor_code,
            source=source,
            carbon=carbon,
            data_quality=data_quality,
            excluded=excluded,
        )
        Study.objects.filter(pk=study.pk).update(status=Study.Status.DRAFT, result={}, computed_at=None)
    return line


def _lines(study: Study) -> list[footprint.Line]:
    out = []
    for line in study.lines.all():
        factor = _factor(code=line.factor_code, on=study.reference_date)
        out.append(
            footprint.Line(
                stage=line.stage,
                name=line.name,
                quantity=line.quantity,
                unit=line.unit,
                factor_value=factor.value,
                factor_unit=factor.unit,
                carbon=line.carbon,
                data_quality=line.data_quality,
                source=line.source,
                excluded=line.excluded,
                key=line.key,
                factor={
                    "id": factor.id,
                    "code": factor.code,
                    "value": str(factor.value),
                    "unit": factor.unit,
                    "region": factor.region,
                    "source": factor.source,
                },
            )
        )
    return out


def study_compute(*, study: Study, draws: int = footprint.DRAWS) -> Study:
    pcr = study.pcr
    lines = _lines(study)
    if not [line for line in lines if not line.excluded]:
        raise Unprocessable(
            "The study has no inventory lines.", code="empty_inventory", fields={"lines": ["Empty."]}
        )
    primary_keys = {
        line.key for line in lines if line.source == InventoryLine.Source.PRIMARY and not line.excluded
    }
    missing = [item for item in pcr.required_primary if item["key"] not in primary_keys]
    if missing:
        raise Unprocessable(
            "Required primary data is missing.",
            code="missing_primary_data",
            fields={"lines": [f"Primary data needed: {item['label_en']}." for item in missing]},
        )
    try:
        result: dict[str, Any] = footprint.compute(
            lines, cutoff_flow_pct=pcr.cutoff_flow_pct, cutoff_total_pct=pcr.cutoff_total_pct, draws=draws
        )
    except engine.SingularSystem as exc:
        raise Unprocessable(str(exc), code="singular_system", fields={"lines": [str(exc)]}) from exc
    if not result["cutoff"]["ok"]:
        raise Unprocessable(
            "Flows left out exceed the rule's cut-off limits.",
            code="cutoff_breach",
            fields={"lines": [f"{row['name']}: {row['pct']} %" for row in result["cutoff"]["excluded"]]},
        )
    result["declared_unit"] = pcr.declared_unit
    result["data_quality_ok"] = result["data_quality"] is not None and result["data_quality"] <= float(
        pcr.max_dq_score
    )
    result["primary_share_ok"] = result["primary_share_pct"] >= float(pcr.min_primary_share_pct)
    study.result = result
    study.status = Study.Status.COMPUTED
    study.computed_at = timezone.now()
    study.save(update_fields=["result", "status", "computed_at", "updated_at"])
    return study
