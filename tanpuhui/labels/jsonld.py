"""openLCA JSON-LD export and import of a footprint study, through ``olca-schema`` (the openLCA data
model's own Python package), so practitioners can move a study between this product and their desktop
tools. The document is ``{"@context": …, "processes": […], "flows": […], "productSystems": […]}`` — the
entities an openLCA JSON-LD zip holds, one list per folder.

The study's foreground process makes one declared unit and takes each inventory line from its default
provider, a background process emitting the line's factor (kg CO₂e) into a fossil or biogenic flow —
the same system ``footprint`` solves. Stage, PCR data item, data source and the left-out mark travel in
``tags``; the data-quality score in ``dqEntry`` (the pedigree form "(d;d;d;d;d)"). On import the factors
are resolved again from the methodology registry (by ``factor_code``): a file never brings a number
into a published figure.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import olca_schema as o
from django.db import transaction

from tanpuhui.accounts.models import User
from tanpuhui.common.errors import ServiceError, ValidationFailed
from tanpuhui.enterprises.models import Enterprise
from tanpuhui.labels import services
from tanpuhui.labels.models import InventoryLine, ProductCategoryRule, Study

CONTEXT = "http://greendelta.github.io/olca-schema/context.jsonld"
NS = uuid.UUID("5b7e0c5e-16a1-4a43-9d0e-2f1d8f3b6c11")
ELEMENTARY = {
    "fossil": ("GHG emissions, fossil (CO2e)", "Elementary flows/Emission to air"),
    "biogenic": ("GHG emissions, biogenic (CO2e)", "Elementary flows/Emission to air"),
}
DQ = re.compile(r"^\((\d)(;\d)*\)$")


def _id(*parts: Any) -> str:
    return str(uuid.uuid5(NS, "/".join(str(p) for p in parts)))


def _tag(tags: list[str], key: str) -> str:
    for tag in tags or []:
        if tag.startswith(f"{key}:"):
            return tag.split(":", 1)[1]
    return ""


def export_study(study: Study) -> dict[str, Any]:
    pcr = study.pcr
    flows: list[o.Flow] = []
    processes: list[o.Process] = []
    product = o.Flow(
        id=_id(study.pk, "product"),
        name=study.product_name,
        flow_type=o.FlowType.PRODUCT_FLOW,
        description=pcr.declared_unit_en,
    )
    flows.append(product)
    elementary = {}
    for carbon, (name, category) in ELEMENTARY.items():
        flow = o.Flow(
            id=_id("elementary", carbon), name=name, category=category, flow_type=o.FlowType.ELEMENTARY_FLOW
        )
        elementary[carbon] = flow
        flows.append(flow)
    exchanges = [
        o.Exchange(
            internal_id=1,
            flow=o.Ref(id=product.id, name=product.name),
            amount=1.0,
            is_input=False,
            is_quantitative_reference=True,
            unit=o.Ref(name=pcr.declared_unit),
        )
    ]
    for n, line in enumerate(study.lines.all(), start=2):
        factor = services._factor(code=line.factor_code, on=study.reference_date)
        line_flow = o.Flow(
            id=_id(study.pk, "line", line.pk), name=line.name, flow_type=o.FlowType.PRODUCT_FLOW
        )
        provider = o.Process(
            id=_id(study.pk, "provider", line.pk),
            name=f"{line.name} (background)",
            process_type=o.ProcessType.UNIT_PROCESS,
            description=f"{factor.code} {factor.value} {factor.unit} — {factor.source}",
            tags=[f"factor_code:{line.factor_code}"],
            exchanges=[
                o.Exchange(
                    internal_id=1,
                    flow=o.Ref(id=line_flow.id, name=line_flow.name),
                    amount=1.0,
                    is_input=False,
                    is_quantitative_reference=True,
                    unit=o.Ref(name=line.unit),
                ),
                o.Exchange(
                    internal_id=2,
                    flow=o.Ref(id=elementary[line.carbon].id, name=elementary[line.carbon].name),
                    amount=float(
                        services.footprint.kg_per_unit(
                            unit=line.unit, factor_value=factor.value, factor_unit=factor.unit
                        )
                    ),
                    is_input=False,
                    unit=o.Ref(name="kg_co2e"),
                ),
            ],
        )
        flows.append(line_flow)
        processes.append(provider)
        q = line.data_quality
        exchanges.append(
            o.Exchange(
                internal_id=n,
                flow=o.Ref(id=line_flow.id, name=line_flow.name),
                amount=float(line.quantity),
                is_input=True,
                unit=o.Ref(name=line.unit),
                default_provider=o.Ref(id=provider.id, name=provider.name),
                dq_entry=f"({q};{q};{q};{q};{q})",
                description="; ".join(
                    [
                        f"stage:{line.stage}",
                        f"key:{line.key}",
                        f"source:{line.source}",
                        f"carbon:{line.carbon}",
                        f"excluded:{int(line.excluded)}",
                        f"factor_code:{line.factor_code}",
                        f"quantity:{line.quantity}",
                    ]
                ),
            )
        )
    foreground = o.Process(
        id=_id(study.pk, "foreground"),
        name=study.product_name,
        process_type=o.ProcessType.UNIT_PROCESS,
        description=f"Footprint study under {pcr.code} {pcr.version}: {pcr.follows}",
        tags=[
            f"pcr:{pcr.code}",
            f"pcr_version:{pcr.version}",
            f"reference_date:{study.reference_date.isoformat()}",
        ],
        exchanges=exchanges,
    )
    processes.insert(0, foreground)
    system = o.ProductSystem(
        id=_id(study.pk, "system"),
        name=study.product_name,
        ref_process=o.Ref(id=foreground.id, name=foreground.name),
        processes=[o.Ref(id=p.id, name=p.name) for p in processes],
        target_amount=1.0,
        target_unit=o.Ref(name=pcr.declared_unit),
    )
    return {
        "@context": CONTEXT,
        "processes": [p.to_dict() for p in processes],
        "flows": [f.to_dict() for f in flows],
        "productSystems": [system.to_dict()],
    }


def _fields(description: str) -> dict[str, str]:
    out = {}
    for part in (description or "").split(";"):
        if ":" in part:
            key, value = part.strip().split(":", 1)
            out[key] = value
    return out


def import_study(*, user: User, enterprise: Enterprise, document: dict[str, Any]) -> Study:
    """A study from a JSON-LD document (this product's or openLCA's own export of it); all or nothing."""
    try:
        systems = [o.ProductSystem.from_dict(d) for d in document.get("productSystems", [])]
        processes = {p.id: p for p in (o.Process.from_dict(d) for d in document.get("processes", []))}
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        raise ValidationFailed(
            "Not an openLCA JSON-LD document.", code="bad_jsonld", fields={"document": [str(exc)]}
        ) from exc
    if len(systems) != 1 or systems[0].ref_process is None or systems[0].ref_process.id not in processes:
        raise ValidationFailed(
            "The document needs one product system with its reference process.",
            code="bad_jsonld",
            fields={"document": ["One product system with its reference process."]},
        )
    foreground = processes[systems[0].ref_process.id]
    tags = foreground.tags or []
    pcr = ProductCategoryRule.objects.filter(
        code=_tag(tags, "pcr"), version=_tag(tags, "pcr_version")
    ).first()
    if pcr is None:
        raise ValidationFailed(
            "The document names no known product-category rule.",
            code="unknown_pcr",
            fields={"document": ["Tags pcr: and pcr_version: name a known rule."]},
        )
    try:
        reference_date = date.fromisoformat(_tag(tags, "reference_date"))
    except ValueError as exc:
        raise ValidationFailed(
            "Bad reference date.", fields={"document": ["reference_date: YYYY-MM-DD"]}
        ) from exc
    with transaction.atomic():
        study = services.study_create(
            user=user,
            enterprise=enterprise,
            pcr_id=pcr.pk,
            product_name=foreground.name or "",
            reference_date=reference_date,
        )
        for n, exchange in enumerate(e for e in foreground.exchanges or [] if e.is_input):
            meta = _fields(exchange.description or "")
            dq = DQ.match(exchange.dq_entry or "")
            # The exchange's amount is what a practitioner edits in openLCA; the description's copy
            # only fills in when the amount is missing.
            try:
                raw = repr(exchange.amount) if exchange.amount is not None else meta["quantity"]
                quantity = Decimal(raw)
                stage, factor_code = meta["stage"], meta["factor_code"]
            except (KeyError, InvalidOperation) as exc:
                raise ValidationFailed(
                    f"Exchange {n + 1} lacks {exc}.",
                    code="bad_jsonld",
                    fields={"document": [f"exchange {n + 1}: stage, factor_code and an amount are needed."]},
                ) from exc
            quality = int(dq.group(1)) if dq else 3
            source = meta.get("source", InventoryLine.Source.SECONDARY)
            carbon = meta.get("carbon", InventoryLine.Carbon.FOSSIL)
            if (
                not 1 <= quality <= 5
                or source not in InventoryLine.Source.values
                or carbon not in InventoryLine.Carbon.values
            ):
                raise ValidationFailed(
                    f"Exchange {n + 1} has a bad data-quality entry, source or carbon origin.",
                    code="bad_jsonld",
                    fields={
                        "document": [
                            f"exchange {n + 1}: dqEntry 1–5, source primary/secondary, carbon fossil/biogenic."
                        ]
                    },
                )
            try:
                services.line_add(
                    study=study,
                    stage=stage,
                    name=(exchange.flow.name if exchange.flow else "") or "",
                    key=meta.get("key", ""),
                    quantity=quantity,
                    unit=(exchange.unit.name if exchange.unit else "") or "",
                    factor_code=factor_code,
                    source=source,
                    carbon=carbon,
                    data_quality=quality,
                    excluded=meta.get("excluded") == "1",
                )
            except ServiceError as exc:
                exc.fields = {f"exchange {n + 1}": [str(exc)], **(exc.fields or {})}
                raise
    return study
