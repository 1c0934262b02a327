"""Demo: a Dongguan paper mill and a Dongguan textile exporter, each with a computed footprint study
(the figures of tests/factories.py: 665.622 kg CO₂e per tonne of paper, 7.225 kg per kg of fabric) and
both the Guangdong and the Hong Kong carbon label from one application; a Dongguan motor maker with a
low-carbon product certificate; the province's certification body and an accredited verifier."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from tanpuhui.accounts.demo import staff_member
from tanpuhui.accounts.models import Role, User
from tanpuhui.accounts.services import role_grant
from tanpuhui.enterprises.demo import demo_enterprise, demo_user
from tanpuhui.enterprises.models import Enterprise
from tanpuhui.labels import seed, services
from tanpuhui.labels.models import (
    Accreditation,
    Application,
    Certificate,
    LowCarbonSpec,
    ProductCategoryRule,
    Scheme,
    Study,
)
from tanpuhui.tenancy.models import Centre

VERIFIER_PHONE = "13800000150"
MOTOR_MAKER = ("13800003004", "东莞大朗电机 叶工", "东莞市大朗恒力电机有限公司", "91441900MA54MT7P6")

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


def _verifier(centre: Centre) -> User:
    user = demo_user(VERIFIER_PHONE, "碳标签核查员 郑工", centre)
    if not user.has_role(Role.VERIFIER):
        role_grant(user=user, role=Role.VERIFIER, centre=centre)
    for scheme in Scheme.objects.filter(code__in=["gd", "hk", "gba"]):
        Accreditation.objects.get_or_create(
            verifier=user, scheme=scheme, defaults={"valid_until": date(2029, 12, 31)}
        )
    return User.objects.get(pk=user.pk)


def _labels(study: Study, user: User, body: User, verifier: User) -> list[Certificate]:
    """Apply once for the Guangdong and Hong Kong labels and take the application through to issue."""
    application = Application.objects.filter(study=study).exclude(status=Application.Status.REFUSED).first()
    if application is None:
        application = services.application_create(
            user=user, enterprise=study.enterprise, study=study, scheme_codes=["gd", "hk"]
        )
    if application.status == Application.Status.SUBMITTED:
        application = services.application_assign(application=application, actor=body, verifier=verifier)
    if application.status == Application.Status.ASSIGNED:
        application = services.application_verify(
            application=application,
            actor=verifier,
            conclusion=Application.Conclusion.CONFIRMED,
            verified_kg=Decimal(str(study.result["total_kg"])),
            findings=[{"severity": "observation", "text": "建议对蒸汽流量计做年度校准。"}],
        )
    if application.status == Application.Status.VERIFIED:
        application = services.application_decide(
            application=application, actor=body, certify=True, note="符合要求"
        )
    return list(application.certificates.order_by("number"))


def _motor(centre: Centre, body: User) -> Certificate:
    phone, name, company, body17 = MOTOR_MAKER
    user = demo_user(phone, name, centre)
    enterprise = demo_enterprise(user, centre, company, body17, "manufacturing")
    existing = Certificate.objects.filter(enterprise=enterprise, kind=Certificate.Kind.LOW_CARBON).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    return services.lowcarbon_certify(
        actor=body,
        enterprise=enterprise,
        spec=LowCarbonSpec.objects.get(product="motor", version="2026.1"),
        product_name="YE4 系列三相异步电动机",
        model="YE4-160M-4 11 kW",
        variant="default",
        grade="2",
        kg_per_unit=Decimal("38.5"),
        inventory={"硅钢片 kg/kW": "6.1", "铜 kg/kW": "0.84", "铸铁 kg/kW": "5.2", "电力 kWh/kW": "9.6"},
        type_test_on=today - timedelta(days=21),
        inspected_on=today - timedelta(days=9),
    )


def load() -> str:
    centre = Centre.objects.filter(code="DG").first()
    if centre is None:
        return "skipped (no DG centre)"
    # The rules, schemes and factors come with the migrations; a flushed test database (or an older one)
    # gets them again here (idempotent, as the methodology demo re-applies its seed).
    seed.load(apps)
    seed.load_schemes(apps)
    # Labels need the certification body's staff (accounts demo); without them only the studies load.
    body = staff_member(Role.CERTIFICATION_STAFF, centre.parent.code if centre.parent else centre.code)
    verifier = _verifier(centre) if body is not None else None
    summary = []
    for phone, name, company, body17, pcr_code, product, lines in COMPANIES:
        user = demo_user(phone, name, centre)
        enterprise = demo_enterprise(
            user, centre, company, body17, "textiles" if pcr_code == "textiles" else "manufacturing"
        )
        study = _study(enterprise, user, pcr_code, product, lines)
        line = f"{company} {product}: {study.result['total_kg']} kg CO2e per {study.pcr.declared_unit}"
        if body is not None and verifier is not None:
            line += f", labels {', '.join(c.number for c in _labels(study, user, body, verifier))}"
        summary.append(line)
    if body is not None:
        summary.append(f"motor {_motor(centre, body).number}")
    return "; ".join(summary)
