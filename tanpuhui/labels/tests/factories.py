from datetime import date
from decimal import Decimal

from tanpuhui.enterprises.models import Enterprise
from tanpuhui.labels import services
from tanpuhui.labels.models import Accreditation, Application, ProductCategoryRule, Scheme, Study

ON = date(2026, 6, 30)  # South China grid 2023 factor (0.4042) in force


def make_study(enterprise: Enterprise, user, *, pcr: str = "paper", product: str = "高强瓦楞原纸") -> Study:
    rule = ProductCategoryRule.objects.get(code=pcr, version="1.0")
    return services.study_create(
        user=user, enterprise=enterprise, pcr_id=rule.pk, product_name=product, reference_date=ON
    )


def own_study(owner) -> Study:
    return make_study(Enterprise.objects.get(members__user=owner), owner)


PAPER_LINES = [
    # stage, name, key, quantity, unit, factor, source, carbon, dq, excluded
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
# 300×0.6 + 450×0.4042 + 60×2.1622 + 60×0.1 = 180 + 181.89 + 129.732 + 6 = 497.622 fossil;
# 1.5 GJ × 112 = 168 biogenic; total 665.622 kg CO2e per tonne. Packaging left out: 2×0.8 = 1.6 kg
# = 1.6 / 667.222 = 0.240 % (≤ 1 % per flow, ≤ 5 % in total).
PAPER_TOTAL = Decimal("665.622")

TEXTILE_LINES = [
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
# 0.6×3.2 + 0.5×2.0 + 6×0.4042 + 0.8×2.1622 + 1.1×0.1 + 0.05×0.8
# = 1.92 + 1.0 + 2.4252 + 1.72976 + 0.11 + 0.04 = 7.22496 kg CO2e per kg of fabric.
TEXTILE_TOTAL = Decimal("7.22496")


def add_lines(study: Study, lines) -> None:
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


# --- certification ---------------------------------------------------------------------------------


def computed_study(enterprise: Enterprise, user, *, pcr: str = "paper") -> Study:
    study = make_study(
        enterprise, user, pcr=pcr, product="高强瓦楞原纸" if pcr == "paper" else "涤棉混纺面料"
    )
    add_lines(study, PAPER_LINES if pcr == "paper" else TEXTILE_LINES)
    return services.study_compute(study=study, draws=50)


def accredited_verifier(centre, schemes=("gd", "hk")):
    from tanpuhui.accounts.models import Role
    from tanpuhui.accounts.tests.factories import make_staff

    verifier = make_staff(Role.VERIFIER, centre)
    for code in schemes:
        Accreditation.objects.create(
            verifier=verifier, scheme=Scheme.objects.get(code=code), valid_until=date(2099, 12, 31)
        )
    return verifier


def certifier(centre):
    from tanpuhui.accounts.models import Role
    from tanpuhui.accounts.tests.factories import make_staff

    return make_staff(Role.CERTIFICATION_STAFF, centre)


def application(
    enterprise: Enterprise, user, *, schemes=("gd", "hk"), study: Study | None = None
) -> Application:
    return services.application_create(
        user=user,
        enterprise=enterprise,
        study=study or computed_study(enterprise, user),
        scheme_codes=list(schemes),
    )


def certified(enterprise: Enterprise, user, body, verifier) -> Application:
    app = application(enterprise, user)
    services.application_assign(application=app, actor=body, verifier=verifier)
    services.application_verify(
        application=app, actor=verifier, conclusion="confirmed", verified_kg=PAPER_TOTAL, findings=[]
    )
    return services.application_decide(application=app, actor=body, certify=True, note="符合")
