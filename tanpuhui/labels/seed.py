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


# --- label schemes (migration 0004_schemes) ------------------------------------------------------------
# Rules of each scheme as data. The recognition table: which PCR versions a scheme accepts
# (``accepted_pcrs``), the worst data-quality score it takes, and — in ``Accreditation`` rows — which
# verifiers it recognises. Numbers and limits are this product's configuration, not quoted from the
# schemes' published rules (see ``source``).
SCHEMES = [
    {
        "code": "gd",
        "name_zh": "广东省产品碳标识",
        "name_zh_hant": "廣東省產品碳標識",
        "name_en": "Guangdong product carbon label",
        "issuer_zh": "广东省碳标识认证机构",
        "issuer_zh_hant": "廣東省碳標識認證機構",
        "issuer_en": "Guangdong carbon-label certification body",
        "label_language": "zh-hans",
        "number_prefix": "GDCL",
        "validity_years": 3,
        "surveillance_months": 12,
        "accepted_pcrs": {"paper": ["1.0"], "textiles": ["1.0"]},
        "max_dq_score": Decimal("3.0"),
        "accepting": True,
        "source": "Guangdong carbon-label pilot (paper, textiles); validity and surveillance configured here.",
    },
    {
        "code": "hk",
        "name_zh": "香港碳标签",
        "name_zh_hant": "香港碳標籤",
        "name_en": "Hong Kong carbon label",
        "issuer_zh": "香港碳标签认证机构（CMA）",
        "issuer_zh_hant": "香港碳標籤認證機構（CMA）",
        "issuer_en": "Hong Kong carbon-label certification body (CMA)",
        "label_language": "zh-hant",
        "number_prefix": "HKCL",
        "validity_years": 3,
        "surveillance_months": 12,
        "accepted_pcrs": {"paper": ["1.0"], "textiles": ["1.0"]},
        "max_dq_score": Decimal("2.5"),
        "accepting": True,
        "source": "Guangdong–Hong Kong mutual-recognition MoU (apply once, both labels); the stricter "
        "data-quality limit is this product's configuration, unverified against the CMA rules.",
    },
    {
        "code": "gba",
        "name_zh": "粤港澳大湾区碳足迹标识",
        "name_zh_hant": "粵港澳大灣區碳足跡標識",
        "name_en": "Greater Bay Area carbon-footprint label",
        "issuer_zh": "粤港澳大湾区碳足迹标识平台",
        "issuer_zh_hant": "粵港澳大灣區碳足跡標識平台",
        "issuer_en": "Greater Bay Area footprint label platform",
        "label_language": "zh-hans",
        "number_prefix": "GBACL",
        "validity_years": 3,
        "surveillance_months": 12,
        "accepted_pcrs": {"paper": ["1.0"], "textiles": ["1.0"]},
        "max_dq_score": Decimal("3.0"),
        "accepting": True,
        "source": "Greater Bay Area footprint label platform; configuration unverified.",
    },
    {
        "code": "national",
        "name_zh": "全国产品碳足迹标识",
        "name_zh_hant": "全國產品碳足跡標識",
        "name_en": "National product carbon-footprint label",
        "issuer_zh": "国家产品碳足迹标识认证机构",
        "issuer_zh_hant": "國家產品碳足跡標識認證機構",
        "issuer_en": "National carbon-footprint label certification body",
        "label_language": "zh-hans",
        "number_prefix": "CNCL",
        "validity_years": 3,
        "surveillance_months": 12,
        "accepted_pcrs": {"paper": ["1.0"]},
        "max_dq_score": Decimal("3.0"),
        "accepting": True,
        "source": "GB/T 24067 (ISO 14067); which PCRs it accepts is configuration, unverified.",
    },
    {
        "code": "california",
        "name_zh": "粤加联合示范碳标识",
        "name_zh_hant": "粵加聯合示範碳標識",
        "name_en": "Guangdong–California joint demonstration label",
        "issuer_zh": "粤加联合示范（筹备中）",
        "issuer_zh_hant": "粵加聯合示範（籌備中）",
        "issuer_en": "Guangdong–California joint demonstration (in preparation)",
        "label_language": "en",
        "number_prefix": "GDCA",
        "validity_years": 3,
        "surveillance_months": 12,
        "accepted_pcrs": {},
        "max_dq_score": Decimal("3.0"),
        "accepting": False,
        "source": "Next joint demonstration; not accepting applications yet.",
    },
]
RECOGNITION = [("gd", "hk"), ("gd", "gba"), ("hk", "gba")]

LOW_CARBON_UNVERIFIED = (
    "Limit values are illustrative configuration (not the certification body's published limits); set "
    "them from industry data, e.g. to the best 20 % of output, as a new version."
)
LOW_CARBON_SPECS = [
    {
        "product": "motor",
        "version": "2026.1",
        "declared_unit": "kW",
        "declared_unit_zh": "千瓦额定输出功率",
        "declared_unit_en": "kW of rated output",
        "grade_standard": "GB 18613-2020",
        # GB 18613-2020 grade 1 ≈ IE5, grade 2 ≈ IE4, grade 3 ≈ IE3 (the minimum); grade 2 or better.
        "grades_allowed": ["1", "2"],
        "limits": {"default": "45"},
        "follows": "Low-carbon product certification rules for small and medium three-phase asynchronous "
        "motors; energy-efficiency grades of GB 18613-2020",
        "unverified": [
            LOW_CARBON_UNVERIFIED,
            "Grade ↔ IE mapping as commonly cited; not checked clause by clause.",
        ],
        "effective_from": date(2026, 1, 1),
    },
    {
        "product": "aluminium",
        "version": "2026.1",
        "declared_unit": "t",
        "declared_unit_zh": "吨铝合金型材",
        "declared_unit_en": "tonne of aluminium profile",
        "grade_standard": "",
        "grades_allowed": [],
        "limits": {
            "anodised": "15500",
            "electrophoretic": "15800",
            "powder": "15600",
            "fluorocarbon": "16000",
            "thermal_break": "16800",
        },
        "follows": "Guangdong evaluation specification for low-carbon aluminium alloy profiles (accepted "
        "by the national certification authority); limits by surface treatment",
        "unverified": [LOW_CARBON_UNVERIFIED],
        "effective_from": date(2026, 1, 1),
    },
    {
        "product": "fridge",
        "version": "2026.1",
        "declared_unit": "dimensionless",
        "declared_unit_zh": "台（使用寿命内）",
        "declared_unit_en": "appliance over its service life",
        "grade_standard": "GB 12021.2-2015",
        "grades_allowed": ["1", "2"],
        "limits": {"default": "2400"},
        "follows": "Low-carbon product certification of household refrigerators; grades of GB 12021.2",
        "unverified": [LOW_CARBON_UNVERIFIED],
        "effective_from": date(2026, 1, 1),
    },
    {
        "product": "air_conditioner",
        "version": "2026.1",
        "declared_unit": "dimensionless",
        "declared_unit_zh": "台（使用寿命内）",
        "declared_unit_en": "appliance over its service life",
        "grade_standard": "GB 21455-2019",
        "grades_allowed": ["1", "2"],
        "limits": {"default": "9800"},
        "follows": "Low-carbon product certification of room air conditioners; grades of GB 21455",
        "unverified": [LOW_CARBON_UNVERIFIED],
        "effective_from": date(2026, 1, 1),
    },
]


# The Traditional Chinese of the declared units, for Hong Kong labels (added with the schemes).
DECLARED_UNIT_ZH_HANT = {"paper": "1 噸風乾紙", "textiles": "1 千克面料"}


def load_schemes(apps) -> None:
    Rule = apps.get_model("labels", "ProductCategoryRule")
    for code, words in DECLARED_UNIT_ZH_HANT.items():
        Rule.objects.filter(code=code, declared_unit_zh_hant="").update(declared_unit_zh_hant=words)
    Scheme = apps.get_model("labels", "Scheme")
    Spec = apps.get_model("labels", "LowCarbonSpec")
    for row in SCHEMES:
        Scheme.objects.get_or_create(code=row["code"], defaults=row)
    for a, b in RECOGNITION:
        Scheme.objects.get(code=a).recognises.add(Scheme.objects.get(code=b))
    for row in LOW_CARBON_SPECS:
        Spec.objects.get_or_create(product=row["product"], version=row["version"], defaults=row)
