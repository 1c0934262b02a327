"""The forestry PHCER methodology by forest type, as data for the methodology registry.

A NEW methodology (``forest_by_type``, behaviour ``forestry_phcer``) rather than a new version of
``afforestation``: metering's afforestation reductions keep the Guangdong-average method they were
quantified with; the registry quantifies surveyors' plot records with this one.

Sink (kg CO₂e) = area (ha) × years × stock-volume growth (m³/ha/yr) × BEF × (1 + R) × D (kg/m³) × CF × 44/12.

Status of the values (read before relying on them):
- ``carbon_fraction`` 0.47 and ``co2_per_carbon`` 44/12: IPCC 2006 Guidelines Vol. 4 (AFOLU) ch. 4,
  Table 4.3 default and the molar-mass ratio — stated as IPCC defaults.
- ``bef``, ``root_shoot``, ``wood_density`` per forest type: transcribed from the default tables that
  Chinese carbon-sink afforestation methodologies (AR-CM-001, after the national forest inventory) and
  IPCC 2006 Tables 4.4/4.5/4.14 give; NOT checked against the printed tables here — marked UNVERIFIED.
- ``stock_growth`` per forest type: UNVERIFIED placeholders of the right order for Guangdong stands;
  surveyors should record the measured growth, and centres publish replacements with
  ``methodology.services.parameter_publish``.
- ``max_sink_per_ha`` 30 t CO₂e/ha/yr: a platform plausibility rule (fast eucalyptus stands reach
  ~20 t); a claim of "5 t per mu per year" (75 t/ha) is refused.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

START = date(2016, 1, 1)
METHODOLOGY_CODE = "forest_by_type"
BEHAVIOUR = "forestry_phcer"
FOREST_TYPES = ("chinese_fir", "masson_pine", "eucalyptus", "broadleaf", "mixed")

_IPCC = {
    "source_publication": "2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 4 AFOLU, ch. 4",
    "source_issuer": "IPCC",
    "source_year": 2006,
    "source_url": "https://www.ipcc-nggip.iges.or.jp/public/2006gl/vol4.html",
    "issuer_zh": "政府间气候变化专门委员会（IPCC）",
    "issuer_en": "Intergovernmental Panel on Climate Change (IPCC)",
    "publication_zh": "《2006年IPCC国家温室气体清单指南》第4卷 农业、林业和其他土地利用",
    "publication_en": "2006 IPCC Guidelines for National Greenhouse Gas Inventories, Volume 4 (AFOLU)",
}
_TABLES = {
    "source_publication": "Default forest-type tables of China's carbon-sink afforestation methodology "
    "(AR-CM-001) and IPCC 2006 AFOLU Tables 4.4/4.5/4.14 — UNVERIFIED transcription",
    "source_issuer": "NDRC / State Forestry Administration; IPCC (as cited)",
    "source_year": 2013,
    "issuer_zh": "国家发展改革委、国家林业局；IPCC（按所引表格）",
    "issuer_en": "NDRC and the State Forestry Administration; IPCC (as cited)",
    "publication_zh": "碳汇造林方法学（AR-CM-001）及IPCC 2006 林业缺省值表（转录，尚未核对原表）",
    "publication_en": "Afforestation methodology AR-CM-001 and IPCC 2006 forestry default tables (transcribed, not yet checked)",
}
_PLACEHOLDER = {
    "source_publication": "Platform placeholder for the annual stock-volume growth — UNVERIFIED; replace "
    "with the national forest inventory or the surveyor's measured growth",
    "source_issuer": "Tanpuhui provincial development centre",
    "source_year": 2026,
    "issuer_zh": "广东省碳普惠平台省级发展中心",
    "issuer_en": "Tanpuhui provincial development centre",
    "publication_zh": "林分年均蓄积生长量暂定值（尚未核实，应以森林资源清查或调查实测值替换）",
    "publication_en": "Provisional stock-volume growth (not verified; to be replaced by inventory or measured values)",
}
_RULE = {
    "source_publication": "Tanpuhui plausibility rule (a platform rule, not a scientific factor)",
    "source_issuer": "Tanpuhui provincial development centre",
    "source_year": 2026,
    "issuer_zh": "广东省碳普惠平台省级发展中心",
    "issuer_en": "Tanpuhui provincial development centre",
    "publication_zh": "碳普惠平台数据合理性规则（平台规则，不是科学因子）",
    "publication_en": "Tanpuhui plausibility rules (a platform rule, not a scientific factor)",
}

# forest type → (growth m³/ha/yr, BEF, R, D kg/m³, CF)
TYPE_VALUES: dict[str, tuple[str, str, str, str]] = {
    "chinese_fir": ("6.0", "1.634", "0.246", "307"),
    "masson_pine": ("4.0", "1.472", "0.187", "380"),
    "eucalyptus": ("12.0", "1.263", "0.221", "578"),
    "broadleaf": ("2.0", "1.514", "0.262", "482"),
    "mixed": ("3.0", "1.586", "0.248", "430"),
}
TYPE_NAMES = {
    "chinese_fir": ("杉木", "Chinese fir"),
    "masson_pine": ("马尾松", "Masson pine"),
    "eucalyptus": ("桉树", "Eucalyptus"),
    "broadleaf": ("阔叶林", "Broadleaf"),
    "mixed": ("针阔混交林", "Mixed"),
}
NAMES = {
    "stock_growth": ("林分年均蓄积生长量", "Annual stock-volume growth"),
    "bef": ("生物量扩展因子", "Biomass expansion factor"),
    "root_shoot": ("根茎比", "Root-to-shoot ratio"),
    "wood_density": ("基本木材密度", "Basic wood density"),
}
UNITS = {
    "stock_growth": "m**3/hectare/year",
    "bef": "dimensionless",
    "root_shoot": "dimensionless",
    "wood_density": "kg/m**3",
}


def parameters() -> list[dict]:
    rows: list[dict] = []
    for forest_type, values in TYPE_VALUES.items():
        for code, value in zip(("stock_growth", "bef", "root_shoot", "wood_density"), values, strict=True):
            source = _PLACEHOLDER if code == "stock_growth" else _TABLES
            rows.append(
                {
                    "code": f"forest_{code}",
                    "qualifier": forest_type,
                    "region": "guangdong",
                    "value": Decimal(value),
                    "unit": UNITS[code],
                    "name_zh": NAMES[code][0],
                    "name_en": NAMES[code][1],
                    "derivation": f"{forest_type}: UNVERIFIED value, see tanpuhui/registry/forestry_seed.py.",
                    "note_zh": f"{TYPE_NAMES[forest_type][0]}：尚未核实的取值。",
                    "note_en": f"{TYPE_NAMES[forest_type][1]}: a value not yet verified.",
                    **source,
                }
            )
    rows.append(
        {
            "code": "forest_carbon_fraction",
            "qualifier": "",
            "region": "national",
            "value": Decimal("0.47"),
            "unit": "dimensionless",
            "name_zh": "干物质含碳率",
            "name_en": "Carbon fraction of dry matter",
            "derivation": "IPCC 2006 Vol. 4 Table 4.3 default (0.47).",
            "note_zh": "IPCC 2006 第4卷表4.3 缺省值。",
            "note_en": "IPCC 2006 Volume 4, Table 4.3 default.",
            **_IPCC,
        }
    )
    rows.append(
        {
            "code": "co2_per_carbon",
            "qualifier": "",
            "region": "national",
            "value": Decimal("3.666666666667"),
            "unit": "kg_co2e/kg",
            "name_zh": "二氧化碳与碳的分子量比",
            "name_en": "CO₂ per carbon (44/12)",
            "derivation": "44/12, molar masses of CO₂ and C.",
            "note_zh": "二氧化碳与碳的分子量之比 44/12。",
            "note_en": "The ratio of the molar masses of CO₂ and carbon, 44/12.",
            **_IPCC,
        }
    )
    rows.append(
        {
            "code": "forest_max_sink_per_ha",
            "qualifier": "",
            "region": "national",
            "value": Decimal("30"),
            "unit": "t_co2e/hectare/year",
            "name_zh": "每公顷年碳汇合理上限",
            "name_en": "Plausible sink per hectare and year (upper limit)",
            "derivation": "Fast eucalyptus stands reach about 20 t CO2e/ha/yr; 5 t per mu (75 t/ha) is refused.",
            "note_zh": "速生桉树林约每公顷每年20吨；“每亩每年5吨”（每公顷75吨）不予接受。",
            "note_en": "Fast eucalyptus stands reach about 20 t a hectare a year; “5 t per mu a year” (75 t/ha) is refused.",
            **_RULE,
        }
    )
    return rows


SLOTS = {
    "stock_growth": ("forest_stock_growth", "centre,guangdong", "{variant}"),
    "bef": ("forest_bef", "centre,guangdong", "{variant}"),
    "root_shoot": ("forest_root_shoot", "centre,guangdong", "{variant}"),
    "wood_density": ("forest_wood_density", "centre,guangdong", "{variant}"),
    "carbon_fraction": ("forest_carbon_fraction", "guangdong,national", ""),
    "co2_per_carbon": ("co2_per_carbon", "national", ""),
    "max_sink_per_ha": ("forest_max_sink_per_ha", "guangdong,national", ""),
}


def apply(apps) -> None:
    """Create what is missing (idempotent); never changes an existing row."""
    Methodology = apps.get_model("methodology", "Methodology")
    Version = apps.get_model("methodology", "MethodologyVersion")
    Parameter = apps.get_model("methodology", "Parameter")
    Link = apps.get_model("methodology", "VersionParameter")
    for row in parameters():
        data = dict(row)
        key = {k: data.pop(k) for k in ("code", "region", "qualifier")}
        Parameter.objects.get_or_create(**key, centre=None, valid_from=START, defaults=data)
    methodology, _made = Methodology.objects.get_or_create(
        code=METHODOLOGY_CODE,
        defaults={
            "behaviour": BEHAVIOUR,
            "ordering": 95,
            "name_zh": "林业碳普惠（分林分类型）",
            "name_en": "Forestry carbon inclusion, by forest type",
            "description_zh": "地块面积 × 年数 × 林分年均蓄积生长量 × 生物量扩展因子 × (1 + 根茎比) × 基本木材密度 × 含碳率 × 44/12。",
            "description_en": "Plot area × years × annual stock-volume growth × biomass expansion factor × "
            "(1 + root-to-shoot ratio) × basic wood density × carbon fraction × 44/12, per forest type.",
        },
    )
    version, made = Version.objects.get_or_create(
        methodology=methodology,
        label="1.0",
        centre=None,
        defaults={
            "formula": "forest_stock_growth",
            "effective_from": START,
            "source_text": "Tanpuhui forestry PHCER methodology 1.0: IPCC 2006 AFOLU defaults and forest-type "
            "tables (partly unverified, see each parameter).",
            "source_zh": "碳普惠林业方法学 1.0：IPCC 2006 缺省值及分林分类型参数表（部分尚未核实，见各参数）。",
            "source_en": "Tanpuhui forestry methodology 1.0: IPCC 2006 defaults and forest-type tables (partly "
            "not yet verified, see each parameter).",
        },
    )
    if made:
        for slot, (code, regions, qualifier) in SLOTS.items():
            Link.objects.create(version=version, slot=slot, code=code, regions=regions, qualifier=qualifier)
