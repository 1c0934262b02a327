"""Seeded product-category rules and the secondary factors they name (migration ``0002_seed``).

Factors are methodology ``Parameter`` rows (sourced, versioned, never edited), resolved through
``tanpuhui.methodology.registry.factor`` — the calculation never holds a number itself. Items marked
"unverified" were not checked against the published text or a licensed database; replace them through
``methodology.services.parameter_publish`` when a verified value is available.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

START = date(2016, 1, 1)
UNVERIFIED = "Illustrative value, not verified against a published database — replace before certifying."

FACTORS = [
    # code, name_zh, name_en, value, unit, publication, issuer, source_year, derivation
    (
        "lca_black_liquor_biogenic",
        "黑液燃烧（生物源）",
        "Black liquor combustion (biogenic)",
        "95.3",
        "kg_co2e/GJ",
        "2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 2, Ch. 2, Table 2.2",
        "IPCC",
        2006,
        "Default CO2 factor of sulphite lyes (black liquor): 95,300 kg/TJ = 95.3 kg/GJ. Biogenic carbon.",
    ),
    (
        "lca_wood_biomass_biogenic",
        "木质生物质燃烧（生物源）",
        "Wood and wood waste combustion (biogenic)",
        "112",
        "kg_co2e/GJ",
        "2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 2, Ch. 2, Table 2.2",
        "IPCC",
        2006,
        "Default CO2 factor of wood / wood waste: 112,000 kg/TJ = 112 kg/GJ. Biogenic carbon.",
    ),
    (
        "lca_kraft_pulp",
        "外购漂白硫酸盐木浆（化石源，摇篮到大门）",
        "Purchased bleached kraft pulp (fossil, cradle to gate)",
        "0.6",
        "kg_co2e/kg",
        "Platform default secondary value for market pulp",
        "Tanpuhui platform (unverified)",
        2026,
        UNVERIFIED,
    ),
    (
        "lca_road_freight",
        "公路货运（重型货车）",
        "Road freight, heavy truck",
        "0.1",
        "kg_co2e/(t*km)",
        "Platform default secondary value for road freight",
        "Tanpuhui platform (unverified)",
        2026,
        UNVERIFIED,
    ),
    (
        "lca_corrugated_board",
        "瓦楞纸板包装",
        "Corrugated board packaging",
        "0.8",
        "kg_co2e/kg",
        "Platform default secondary value for corrugated board",
        "Tanpuhui platform (unverified)",
        2026,
        UNVERIFIED,
    ),
    (
        "lca_cotton_fibre",
        "棉纤维（摇篮到大门）",
        "Cotton fibre (cradle to gate)",
        "2.0",
        "kg_co2e/kg",
        "Platform default secondary value for cotton fibre",
        "Tanpuhui platform (unverified)",
        2026,
        UNVERIFIED,
    ),
    (
        "lca_polyester_fibre",
        "涤纶纤维（摇篮到大门）",
        "Polyester fibre (cradle to gate)",
        "3.2",
        "kg_co2e/kg",
        "Platform default secondary value for polyester staple fibre",
        "Tanpuhui platform (unverified)",
        2026,
        UNVERIFIED,
    ),
]

PCRS = [
    {
        "code": "paper",
        "version": "1.0",
        "category_zh": "纸和纸板",
        "category_en": "Paper and board",
        "declared_unit": "t",
        "declared_unit_zh": "1 吨风干纸",
        "declared_unit_en": "1 t of air-dry paper",
        "boundary": "cradle_to_gate",
        "stages": ["materials", "energy", "transport", "packaging"],
        "cutoff_flow_pct": Decimal("1"),
        "cutoff_total_pct": Decimal("5"),
        "allocation": "mass",
        "allocation_note": "Co-products of the mill by mass; recovered fibre enters burden-free (cut-off).",
        "required_primary": [
            {
                "key": "electricity",
                "stage": "energy",
                "label_zh": "外购电力",
                "label_en": "Purchased electricity",
            },
            {"key": "fuel", "stage": "energy", "label_zh": "燃料消耗", "label_en": "Fuels burnt at the mill"},
        ],
        "default_secondary": [
            {"key": "pulp", "stage": "materials", "factor_code": "lca_kraft_pulp"},
            {"key": "freight", "stage": "transport", "factor_code": "lca_road_freight"},
            {"key": "packaging", "stage": "packaging", "factor_code": "lca_corrugated_board"},
            {"key": "electricity", "stage": "energy", "factor_code": "grid_ef"},
            {"key": "fuel", "stage": "energy", "factor_code": "natural_gas_ef"},
            {"key": "biomass", "stage": "energy", "factor_code": "lca_wood_biomass_biogenic"},
        ],
        "max_dq_score": Decimal("3.0"),
        "min_primary_share_pct": Decimal("50"),
        "negative_allowed": False,
        "follows": "CEPI Framework for the development of carbon footprints for paper and board products (2017)",
        "unverified": [
            "Stage list, cut-off limits and primary-data list are structured after the CEPI framework's "
            "ten toes; not checked clause by clause against the 2017 text.",
            "Default secondary values for pulp, freight and packaging are illustrative.",
        ],
        "effective_from": START,
    },
    {
        "code": "textiles",
        "version": "1.0",
        "category_zh": "纺织面料和服装",
        "category_en": "Textile fabric and garments",
        "declared_unit": "kg",
        "declared_unit_zh": "1 千克面料",
        "declared_unit_en": "1 kg of fabric",
        "boundary": "cradle_to_gate",
        "stages": ["materials", "energy", "transport", "packaging"],
        "cutoff_flow_pct": Decimal("1"),
        "cutoff_total_pct": Decimal("5"),
        "allocation": "mass",
        "allocation_note": "Shared dyeing and finishing energy by mass of fabric processed.",
        "required_primary": [
            {
                "key": "electricity",
                "stage": "energy",
                "label_zh": "外购电力",
                "label_en": "Purchased electricity",
            },
            {
                "key": "thermal",
                "stage": "energy",
                "label_zh": "染整热能",
                "label_en": "Dyeing and finishing heat",
            },
        ],
        "default_secondary": [
            {"key": "fibre", "stage": "materials", "factor_code": "lca_polyester_fibre"},
            {"key": "fibre", "stage": "materials", "factor_code": "lca_cotton_fibre"},
            {"key": "freight", "stage": "transport", "factor_code": "lca_road_freight"},
            {"key": "packaging", "stage": "packaging", "factor_code": "lca_corrugated_board"},
            {"key": "electricity", "stage": "energy", "factor_code": "grid_ef"},
            {"key": "thermal", "stage": "energy", "factor_code": "natural_gas_ef"},
        ],
        "max_dq_score": Decimal("3.0"),
        "min_primary_share_pct": Decimal("30"),
        "negative_allowed": False,
        "follows": "DB4403/T 281-2022 (Shenzhen local standard on garment product carbon footprint)",
        "unverified": [
            "Structured after DB4403/T 281-2022 as described in the issue; the standard's text was not "
            "available here, so stages, cut-off and data items are not checked against it.",
            "Default fibre, freight and packaging values are illustrative.",
        ],
        "effective_from": START,
    },
]


def load(apps) -> None:
    Parameter = apps.get_model("methodology", "Parameter")
    Rule = apps.get_model("labels", "ProductCategoryRule")
    for code, name_zh, name_en, value, unit, publication, issuer, year, derivation in FACTORS:
        Parameter.objects.get_or_create(
            code=code,
            region="national",
            qualifier="",
            valid_from=START,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "value": Decimal(value),
                "unit": unit,
                "source_publication": publication,
                "source_issuer": issuer,
                "source_year": year,
                "derivation": derivation,
            },
        )
    for row in PCRS:
        Rule.objects.get_or_create(code=row["code"], version=row["version"], defaults=row)
