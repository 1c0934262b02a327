"""Demo: a Dongguan paper mill and a Dongguan textile exporter, each with a computed footprint study
(the figures of tests/factories.py: 665.622 kg CO₂e per tonne of paper, 7.225 kg per kg of fabric)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.apps import apps

from tanpuhui.enterprises.demo import demo_enterprise, demo_user
from tanpuhui.enterprises.models import Enterprise
from tanpuhui.labels import seed, services
from tanpuhui.labels.models import ProductCategoryRule, Study
from tanpuhui.tenancy.models import Centre

ON = date(2026, 6, 30)

PAPER = [
    (
        "materials",
        "外购漂白硫酸盐木浆",
        "pulp",
        "300",
        "kg",
        "lca_kraft_pulp",
        "secondary",
        "fossil",
        4,
        False,
    ),
    ("energy", "外购电力", "electricity", "450", "kWh", "grid_ef", "primary", "fossil", 1, False),
    ("energy", "天然气", "fuel", "60", "m**3", "natural_gas_ef", "primary", "fossil", 1, False),
    (
        "energy",
        "树皮锅炉",
        "biomass",
        "1.5",
        "GJ",
        "lca_wood_biomass_biogenic",
        "primary",
        "biogenic",
        2,
        False,
    ),
    (
        "transport",
        "木浆公路运输",
        "freight",
        "60",
        "t*km",
        "lca_road_freight",
        "secondary",
        "fossil",
        3,
        False,
    ),
    ("packaging", "包装纸板", "packaging", "2", "kg", "lca_corrugated_board", "secondary", "fossil", 3, True),
]
TEXTILE = [
    ("materials", "涤纶短纤", "fibre", "0.6", "kg", "lca_polyester_fibre", "secondary", "fossil", 3, False),
    ("materials", "棉纤维", "fibre", "0.5", "kg", "lca_cotton_fibre", "secondary", "fossil", 3, False),
    ("energy", "外购电力", "electricity", "6", "kWh", "grid_ef", "primary", "fossil", 1, False),
    ("energy", "染整用天然气", "thermal", "0.8", "m**3", "natural_gas_ef", "primary", "fossil", 1, False),
    (
        "transport",
        "纤维公路运输",
        "freight",
        "1.1",
        "t*km",
        "lca_road_freight",
        "secondary",
        "fossil",
        3,
        False,
    ),
    ("packaging", "纸箱", "packaging", "0.05", "kg", "lca_corrugated_board", "secondary", "fossil", 3, False),
]

# (phone, display name, enterprise, USCC body, PCR, product, lines) — log in with the demo password
COMPANIES = [
    (
        "13800003002",
        "东莞麻涌纸业 陈经理",
        "东莞市麻涌华泰纸业有限公司",
        "91441900MA52PP8L4",
        "paper",
        "高强瓦楞原纸",
        PAPER,
    ),
    (
        "13800003003",
        "东莞虎门纺织 黄经理",
        "东莞市虎门锦纶纺织有限公司",
        "91441900MA53TX6N5",
        "textiles",
        "涤棉混纺面料",
        TEXTILE,
    ),
]


def _study(enterprise: Enterprise, user, pcr_code: str, product: str, lines) -> Study:
    study = Study.objects.filter(enterprise=enterprise, product_name=product).first()
    if study is None:
        rule = ProductCategoryRule.objects.get(code=pcr_code, version="1.0")
        study = services.study_create(
            user=user, enterprise=enterprise, pcr_id=rule.pk, product_name=product, reference_date=ON
        )
        for stage, name, key, qty, unit, factor, source, carbon, dq, excluded in lines:
            services.line_add(
                study=study,
                stage=stage,
                name=name,
                key=key,
                quantity=Decimal(qty),
                unit=unit,
                factor_code=factor,
                source=source,
                carbon=carbon,
                data_quality=dq,
                excluded=excluded,
            )
    if study.status != Study.Status.COMPUTED:
        study = services.study_compute(study=study)
    return study


def load() -> str:
    centre = Centre.objects.filter(code="DG").first()
    if centre is None:
        return "skipped (no DG centre)"
    # The rules and their factors come with the migration; a flushed test database (or an older one) gets
    # them again here (idempotent, as the methodology demo re-applies its seed).
    seed.load(apps)
    summary = []
    for phone, name, company, body17, pcr_code, product, lines in COMPANIES:
        user = demo_user(phone, name, centre)
        enterprise = demo_enterprise(
            user, centre, company, body17, "textiles" if pcr_code == "textiles" else "manufacturing"
        )
        study = _study(enterprise, user, pcr_code, product, lines)
        summary.append(
            f"{company} {product}: {study.result['total_kg']} kg CO2e per {study.pcr.declared_unit}"
        )
    return "; ".join(summary)
