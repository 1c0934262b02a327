"""The registry every database starts with: methodologies, version 1.0 of each, sourced parameters.

Applied by migration 0002 (so tests, `make run` and production all have it) and idempotent: rows
are found by natural key (methodology code; version methodology+label+global; parameter
code+region+qualifier+valid_from) and only created when missing — an existing row is never changed.
Treat this file as append-only: a correction is a new parameter row (a later ``valid_from``) added
here or published through ``services.parameter_publish``, never an edit of a published value.

Validity convention: a published value applies to activities dated from its publication on; the
first value of a series is back-applied to the platform's start (2016-01-01) as the best value
available. So publishing never changes what an earlier date resolves to.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

PLATFORM_START = date(2016, 1, 1)

MEE_2021 = {
    "source_publication": "关于发布2021年电力二氧化碳排放因子的公告（公告2024年第12号）"
    " / Announcement on the 2021 electricity CO2 emission factors",
    "source_issuer": "生态环境部、国家统计局 (Ministry of Ecology and Environment; National Bureau of Statistics)",
    "source_year": 2024,
    "source_url": "https://www.mee.gov.cn/",
}
MEE_2022 = {
    "source_publication": "关于发布2022年电力二氧化碳排放因子的公告（2024年12月20日）"
    " / Announcement on the 2022 electricity CO2 emission factors",
    "source_issuer": "生态环境部、国家统计局 (Ministry of Ecology and Environment; National Bureau of Statistics)",
    "source_year": 2024,
    "source_url": "https://www.mee.gov.cn/",
}
MEE_2023 = {
    "source_publication": "关于发布2023年电力二氧化碳排放因子的公告"
    " / Announcement on the 2023 electricity CO2 emission factors",
    "source_issuer": "生态环境部、国家统计局 (Ministry of Ecology and Environment; National Bureau of Statistics)",
    "source_year": 2026,
    "source_url": "https://www.mee.gov.cn/",
}
PLATFORM_RULE = {
    "source_publication": "碳普惠平台数据合理性规则 / Tanpuhui plausibility rules (platform policy, not a"
    " scientific factor)",
    "source_issuer": "广东省碳普惠平台 省级发展中心 (Tanpuhui provincial development centre)",
    "source_year": 2026,
    "source_url": "",
}

PARAMETERS: list[dict] = [
    # ---- Electricity: grid average CO2 factors (location-based), MEE/NBS series ----------------
    {
        "code": "grid_ef",
        "region": "national",
        "year": 2021,
        "value": "0.5568",
        "unit": "kg_co2e/kWh",
        "name_zh": "全国电力平均二氧化碳排放因子",
        "name_en": "National average grid CO2 factor",
        "valid_from": PLATFORM_START,
        "valid_to": date(2024, 12, 20),
        **MEE_2021,
        "derivation": "2021 national average; announcement dated 2024-04-12. First value of the series, "
        "back-applied to the platform start as the best value available.",
    },
    {
        "code": "grid_ef",
        "region": "national",
        "year": 2022,
        "value": "0.5366",
        "unit": "kg_co2e/kWh",
        "name_zh": "全国电力平均二氧化碳排放因子",
        "name_en": "National average grid CO2 factor",
        "valid_from": date(2024, 12, 20),
        "valid_to": date(2026, 1, 15),
        **MEE_2022,
        "derivation": "2022 national average (3.6 % below 2021's 0.5568). Applies from the announcement date.",
    },
    {
        "code": "grid_ef",
        "region": "national",
        "year": 2023,
        "value": "0.5306",
        "unit": "kg_co2e/kWh",
        "name_zh": "全国电力平均二氧化碳排放因子",
        "name_en": "National average grid CO2 factor",
        "valid_from": date(2026, 1, 15),
        "valid_to": None,
        **MEE_2023,
        "derivation": "2023 national average (1.1 % below 2022). Announcement reported by China Electric "
        "Power News on 2026-01-15; applies from that date.",
    },
    {
        "code": "grid_ef",
        "region": "south_china_grid",
        "year": 2022,
        "value": "0.3869",
        "unit": "kg_co2e/kWh",
        "name_zh": "南方区域电力平均二氧化碳排放因子",
        "name_en": "China Southern grid average CO2 factor",
        "valid_from": PLATFORM_START,
        "valid_to": date(2026, 1, 15),
        **MEE_2022,
        "derivation": "Regional average for the Southern grid (Guangdong, Guangxi, Yunnan, Guizhou, Hainan), "
        "2022. First regional value loaded, back-applied to the platform start.",
    },
    {
        "code": "grid_ef",
        "region": "south_china_grid",
        "year": 2023,
        "value": "0.4042",
        "unit": "kg_co2e/kWh",
        "name_zh": "南方区域电力平均二氧化碳排放因子",
        "name_en": "China Southern grid average CO2 factor",
        "valid_from": date(2026, 1, 15),
        "valid_to": None,
        **MEE_2023,
        "derivation": "2023 Southern grid average, 4.5 % above 2022 (less hydropower in a dry year).",
    },
    {
        "code": "grid_ef_enterprise_reporting",
        "region": "national",
        "year": 2022,
        "value": "0.5703",
        "unit": "t_co2e/MWh",
        "name_zh": "全国电网平均排放因子（企业温室气体排放报告用）",
        "name_en": "National grid factor for enterprise GHG reporting (separate series)",
        "valid_from": PLATFORM_START,
        "valid_to": None,
        "source_publication": "关于做好2023—2025年发电行业企业温室气体排放报告管理有关工作的通知"
        " / Notice on GHG emission reporting of power-sector enterprises 2023–2025",
        "source_issuer": "生态环境部办公厅 (General Office, Ministry of Ecology and Environment)",
        "source_year": 2023,
        "source_url": "https://www.mee.gov.cn/",
        "derivation": "The 2022 national grid average for the emissions-trading reporting series — a different "
        "series from the MEE/NBS announcements; never mixed with grid_ef. Given in t CO2/MWh "
        "(= kg CO2/kWh).",
    },
    # ---- Natural gas ------------------------------------------------------------------------------
    {
        "code": "natural_gas_ef",
        "region": "national",
        "year": 2013,
        "value": "2.1622",
        "unit": "kg_co2e/m**3",
        "name_zh": "天然气二氧化碳排放因子",
        "name_en": "Natural gas combustion CO2 factor",
        "valid_from": PLATFORM_START,
        "valid_to": None,
        "source_publication": "中国发电企业温室气体排放核算方法与报告指南（试行）附录二 常用化石燃料相关参数缺省值"
        "（发改办气候〔2013〕2526号）/ Default parameters of common fossil fuels",
        "source_issuer": "国家发展和改革委员会办公厅 (General Office, National Development and Reform Commission)",
        "source_year": 2013,
        "source_url": "https://www.ndrc.gov.cn/",
        "derivation": "Net calorific value 389.31 GJ/10⁴ Nm³ × carbon content 15.3 tC/TJ × oxidation 99 % × "
        "44/12 = 389.31 × 0.0153 × 0.99 × 44/12 t CO2 / 10⁴ Nm³ = 21.622 t / 10⁴ Nm³ = 2.1622 kg CO2/m³.",
    },
    # ---- Transit ----------------------------------------------------------------------------------
    {
        "code": "metro_trip_reduction",
        "region": "guangdong",
        "year": 2015,
        "value": "0.5155",
        "unit": "kg_co2e/trip",
        "name_zh": "乘坐地铁每人次减碳量（均值法）",
        "name_en": "Reduction per metro trip (average method)",
        "valid_from": PLATFORM_START,
        "valid_to": None,
        "source_publication": "黄莹, 郭洪旭, 谢鹏程, 等. 碳普惠制下市民乘坐地铁出行减碳量核算方法研究——以广州为例. "
        "气候变化研究进展, 2017, 13(3): 284-291. DOI: 10.12006/j.issn.1673-1719.2016.176",
        "source_issuer": "中国科学院广州能源研究所; 广东省环境科学研究院 (Huang Ying et al.)",
        "source_year": 2017,
        "source_url": "https://doi.org/10.12006/j.issn.1673-1719.2016.176",
        "derivation": "Guangzhou 2015, average method: 0.5155 kg CO2 per passenger trip (substitution method: "
        "0.5419). The conservative average-method figure is used.",
    },
    {
        "code": "bus_trip_reduction",
        "region": "national",
        "year": 2021,
        "value": "105",
        "unit": "g_co2e/trip",
        "name_zh": "乘坐公交每人次减排量",
        "name_en": "Reduction per bus trip",
        "valid_from": PLATFORM_START,
        "valid_to": None,
        "source_publication": "“碳碳星球”小程序积分规则（湖北日报 2022-02-17《捐出减排量助力零碳赛事》）"
        " / Wuhan 'Tantan Planet' credit rules as reported by Hubei Daily",
        "source_issuer": "湖北碳排放权交易中心、武汉城市一卡通有限公司 (Hubei Emission Exchange; Wuhan Citizen Card)",
        "source_year": 2022,
        "source_url": "",
        "derivation": "105 carbon points per verified bus ride, 1 point = 1 g CO2 reduction. Self check-in "
        "without proof earns half (52 g); Tanpuhui trips come from card operators, i.e. verified.",
    },
    {
        "code": "car_pkm_ef",
        "region": "national",
        "year": None,
        "value": "0.272",
        "unit": "kg_co2e/pkm",
        "name_zh": "小汽车每人公里碳排放",
        "name_en": "Private car emissions per passenger-km",
        "valid_from": PLATFORM_START,
        "valid_to": None,
        "source_publication": "Beijing private-car factor (0.272 vs metro 0.061 kg CO2/pkm) as listed in the "
        "platform requirements (issue 4)",
        "source_issuer": "北京 (Beijing transport statistics) — original publication NOT verified",
        "source_year": 2026,
        "source_url": "",
        "derivation": "UNVERIFIED ATTRIBUTION: the original Beijing publication could not be located when this "
        "registry was built. Cross-check: Wuhan's 2024 carbon-inclusion methodology credits shared bikes "
        "93.3 g/km, the same order as 0.272 × 31 % = 84.3 g/km. Replace through parameter_publish once sourced.",
    },
    {
        "code": "ebike_car_substitution_share",
        "region": "national",
        "year": 2021,
        "value": "0.31",
        "unit": "dimensionless",
        "name_zh": "共享电单车替代小汽车出行比例",
        "name_en": "Share of shared e-bike trips replacing car trips",
        "valid_from": PLATFORM_START,
        "valid_to": None,
        "source_publication": "低碳出行让生活更美好——共享电单车社会价值报告 / Shared e-bike social value report 2021",
        "source_issuer": "极光行业研究院、西安交通大学 (Aurora Mobile Research; Xi'an Jiaotong University)",
        "source_year": 2021,
        "source_url": "",
        "derivation": "31 % of shared e-bike trips replaced high-carbon trips (mainly cars, motorbikes). "
        "Applied to all cycling as a conservative substitution share.",
    },
    {
        "code": "cycling_max_daily_km",
        "region": "national",
        "year": None,
        "value": "100",
        "unit": "km",
        "name_zh": "骑行每日距离上限（合理性）",
        "name_en": "Cycling plausibility: max distance per day",
        "valid_from": PLATFORM_START,
        "valid_to": None,
        **PLATFORM_RULE,
        "derivation": "Records above this daily distance are rejected or flagged by metering.",
    },
    {
        "code": "cycling_max_speed",
        "region": "national",
        "year": 2018,
        "value": "25",
        "unit": "km/hour",
        "name_zh": "骑行平均速度上限（合理性）",
        "name_en": "Cycling plausibility: max average speed",
        "valid_from": PLATFORM_START,
        "valid_to": None,
        "source_publication": "GB 17761-2018 电动自行车安全技术规范 / Safety technical specification for "
        "electric bicycles (max design speed 25 km/h)",
        "source_issuer": "国家市场监督管理总局、国家标准化管理委员会 (SAMR; SAC)",
        "source_year": 2018,
        "source_url": "",
        "derivation": "A ride whose average speed exceeds an e-bike's legal maximum is implausible for a "
        "shared (e-)bike and is flagged.",
    },
    # ---- Walking ------------------------------------------------------------------------------------
    {
        "code": "walking_step_credit",
        "region": "national",
        "year": 2021,
        "value": "0.02",
        "unit": "g_co2e/step",
        "name_zh": "步行每步减排量",
        "name_en": "Walking credit per step",
        "valid_from": PLATFORM_START,
        "valid_to": None,
        "source_publication": "“碳碳星球”小程序积分规则（湖北日报 2022-02-17）/ Wuhan 'Tantan Planet' rules",
        "source_issuer": "湖北碳排放权交易中心、武汉城市一卡通有限公司 (Hubei Emission Exchange; Wuhan Citizen Card)",
        "source_year": 2022,
        "source_url": "",
        "derivation": "0.02 carbon points per step (7,250 steps → 145 points), 1 point = 1 g CO2.",
    },
    {
        "code": "walking_daily_cap",
        "region": "national",
        "year": None,
        "value": "296",
        "unit": "g_co2e",
        "name_zh": "步行每日减排上限",
        "name_en": "Walking cap per day",
        "valid_from": PLATFORM_START,
        "valid_to": None,
        "source_publication": "蚂蚁森林 行走能量规则（每日最多 296 g）/ Ant Forest walking energy rule",
        "source_issuer": "支付宝（蚂蚁集团）(Alipay, Ant Group)",
        "source_year": 2017,
        "source_url": "",
        "derivation": "Ant Forest credits walking at most 296 g a day however far one walks; with 0.02 g/step "
        "the cap is reached at 14,800 steps.",
    },
    {
        "code": "walking_max_daily_steps",
        "region": "national",
        "year": None,
        "value": "60000",
        "unit": "step",
        "name_zh": "步行每日步数上限（合理性）",
        "name_en": "Walking plausibility: max steps per day",
        "valid_from": PLATFORM_START,
        "valid_to": None,
        **PLATFORM_RULE,
        "derivation": "Step counts above this are flagged as likely device artefacts.",
    },
    # ---- Forestry -------------------------------------------------------------------------------------
    {
        "code": "forest_sink",
        "qualifier": "guangdong_average",
        "region": "guangdong",
        "year": 2012,
        "value": "1.7156",
        "unit": "t_co2e/hectare/year",
        "name_zh": "广东森林年均单位面积碳汇（全省平均）",
        "name_en": "Guangdong forest sink per hectare (average)",
        "valid_from": PLATFORM_START,
        "valid_to": None,
        "source_publication": "广东省森林碳储量与碳密度估算（1979—2012年森林资源连续清查，分树种生物量扩展因子方程）"
        " / Guangdong forest carbon storage and density 1979–2012 (journal article)",
        "source_issuer": "journal article on Guangdong's continuous forest inventory (see URL)",
        "source_year": 2015,
        "source_url": "https://drds.library.net.cn/journal/detail.aspx?i=M282WXZiODF1cDg9",
        "derivation": "Mean forest carbon density rose from 7.57 to 23.01 tC/ha over 1979–2012: (23.01 − 7.57) / "
        "33 years = 0.4679 tC/ha/yr × 44/12 = 1.7156 t CO2/ha/yr. A provincial average of stand density "
        "growth; forest-type values (per surveyor or centre) override it via the qualifier.",
    },
]

METHODOLOGIES: list[dict] = [
    {
        "code": "electricity_saving",
        "behaviour": "electricity_saving",
        "ordering": 10,
        "name_zh": "家庭节电",
        "name_en": "Household electricity saving",
        "description_zh": "按同一计费周期前两年平均用电量为基线，节约的电量乘以电网排放因子。",
        "description_en": "Electricity saved against the same billing period's two-year average, times the "
        "grid emission factor.",
        "version": {
            "formula": "utility_saving_kwh",
            "slots": {"factor": ("grid_ef", "south_china_grid,national", "")},
        },
    },
    {
        "code": "water_saving",
        "behaviour": "water_saving",
        "ordering": 20,
        "name_zh": "家庭节水",
        "name_en": "Household water saving",
        "description_zh": "节约的自来水量乘以本地供水单位电耗和电网排放因子；供水单位电耗由运营中心按本地供水企业数据发布。",
        "description_en": "Water saved × the local supply's electricity per m³ × the grid factor. There is no "
        "authoritative national figure: each centre publishes its supply's intensity with its source.",
        "version": {
            "formula": "water_saving_supply_energy",
            "slots": {
                "supply_intensity": ("water_supply_intensity", "centre", ""),
                "grid_ef": ("grid_ef", "south_china_grid,national", ""),
            },
        },
    },
    {
        "code": "gas_saving",
        "behaviour": "gas_saving",
        "ordering": 30,
        "name_zh": "家庭节气",
        "name_en": "Household gas saving",
        "description_zh": "节约的天然气量乘以天然气燃烧排放因子。",
        "description_en": "Natural gas saved against the baseline × the combustion factor.",
        "version": {"formula": "utility_saving_m3", "slots": {"factor": ("natural_gas_ef", "national", "")}},
    },
    {
        "code": "bus",
        "behaviour": "bus",
        "ordering": 40,
        "name_zh": "乘坐公交",
        "name_en": "Bus ride",
        "description_zh": "每次乘车按公布的每人次减排量计。",
        "description_en": "Each ride earns the published reduction per trip.",
        "version": {
            "formula": "transit_per_trip",
            "slots": {"trip_factor": ("bus_trip_reduction", "centre,national", "")},
        },
    },
    {
        "code": "metro",
        "behaviour": "metro",
        "ordering": 50,
        "name_zh": "乘坐地铁",
        "name_en": "Metro ride",
        "description_zh": "每次乘车按广州地铁均值法每人次减碳量计。",
        "description_en": "Each ride earns the Guangzhou metro reduction per trip (average method).",
        "version": {
            "formula": "transit_per_trip",
            "slots": {"trip_factor": ("metro_trip_reduction", "centre,guangdong,national", "")},
        },
    },
    {
        "code": "cycling",
        "behaviour": "cycling",
        "ordering": 60,
        "name_zh": "骑行 / 共享单车",
        "name_en": "Cycling / shared bike",
        "description_zh": "骑行距离乘以被替代的小汽车排放因子，再乘以替代比例（31%），并有每日距离和速度合理性限制。",
        "description_en": "Distance × the car factor it replaces × the share of rides that really replace a car "
        "(31 %), with daily-distance and speed plausibility limits.",
        "version": {
            "formula": "active_travel",
            "slots": {
                "substituted_factor": ("car_pkm_ef", "centre,national", ""),
                "substitution_share": ("ebike_car_substitution_share", "centre,national", ""),
                "max_daily_km": ("cycling_max_daily_km", "centre,national", ""),
                "max_speed_kmh": ("cycling_max_speed", "national", ""),
            },
        },
    },
    {
        "code": "walking",
        "behaviour": "walking",
        "ordering": 70,
        "name_zh": "步行",
        "name_en": "Walking",
        "description_zh": "按步数计减排量，每日封顶 296 克。",
        "description_en": "Credited by steps, capped at 296 g a day.",
        "version": {
            "formula": "walking_steps",
            "slots": {
                "step_factor": ("walking_step_credit", "centre,national", ""),
                "daily_cap": ("walking_daily_cap", "centre,national", ""),
                "max_daily_steps": ("walking_max_daily_steps", "centre,national", ""),
            },
        },
    },
    {
        "code": "afforestation",
        "behaviour": "afforestation",
        "ordering": 80,
        "name_zh": "造林碳汇",
        "name_en": "Afforestation carbon sink",
        "description_zh": "登记地块面积乘以年数，再乘以该林分类型每公顷年碳汇量。",
        "description_en": "Registered plot area × years × the annual sink per hectare of its forest type.",
        "version": {
            "formula": "forest_sink",
            "slots": {"sink_per_ha": ("forest_sink", "centre,guangdong,national", "{variant}")},
        },
    },
    {
        "code": "forest_management",
        "behaviour": "forest_management",
        "ordering": 90,
        "name_zh": "森林经营碳汇",
        "name_en": "Forest management carbon sink",
        "description_zh": "经营地块面积乘以年数，再乘以该林分类型每公顷年碳汇量。",
        "description_en": "Managed plot area × years × the annual sink per hectare of its forest type.",
        "version": {
            "formula": "forest_sink",
            "slots": {"sink_per_ha": ("forest_sink", "centre,guangdong,national", "{variant}")},
        },
    },
]

VERSION_SOURCE = (
    "Tanpuhui methodology 1.0 (2026), assembled from the parameters' own sources listed with each value; "
    "formulas in tanpuhui/methodology/formulas.py and docs/methodology.md."
)


def apply(apps=None) -> dict[str, int]:
    """Create whatever is missing; never change an existing row. Returns counts of rows created."""
    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    Methodology = apps.get_model("methodology", "Methodology")
    Version = apps.get_model("methodology", "MethodologyVersion")
    Parameter = apps.get_model("methodology", "Parameter")
    Link = apps.get_model("methodology", "VersionParameter")
    created = {"methodologies": 0, "versions": 0, "parameters": 0}

    for row in PARAMETERS:
        data = dict(row)
        data.setdefault("qualifier", "")
        data["value"] = Decimal(data["value"])
        key = {k: data.pop(k) for k in ("code", "region", "qualifier", "valid_from")}
        _obj, made = Parameter.objects.get_or_create(**key, centre=None, defaults=data)
        created["parameters"] += int(made)
    # Chain supersession within each series (code, region, qualifier) by valid_from.
    series: dict[tuple, list] = {}
    for parameter in Parameter.objects.filter(centre__isnull=True).order_by("valid_from", "id"):
        series.setdefault((parameter.code, parameter.region, parameter.qualifier), []).append(parameter)
    for rows in series.values():
        for older, newer in itertools.pairwise(rows):
            if older.superseded_by_id is None:
                Parameter.objects.filter(pk=older.pk).update(superseded_by=newer)

    for row in METHODOLOGIES:
        data = dict(row)
        spec = data.pop("version")
        methodology, made = Methodology.objects.get_or_create(code=data.pop("code"), defaults=data)
        created["methodologies"] += int(made)
        version, made = Version.objects.get_or_create(
            methodology=methodology,
            label="1.0",
            centre=None,
            defaults={
                "formula": spec["formula"],
                "config": spec.get("config", {}),
                "effective_from": PLATFORM_START,
                "source_text": VERSION_SOURCE,
            },
        )
        created["versions"] += int(made)
        if made:
            for slot, (code, regions, qualifier) in spec["slots"].items():
                Link.objects.create(
                    version=version, slot=slot, code=code, regions=regions, qualifier=qualifier
                )
    if any(f.name == "issuer_zh" for f in Parameter._meta.get_fields()):  # from migration 0003 on
        apply_wording(apps)
    return created


# ---- How each source reads for residents ------------------------------------------------------
# The evidence fields above (publication, issuer, derivation) are kept exactly as first published;
# pages show these per-language wordings instead. Keyed by (code, region, year). Applied by
# migration 0003 and by ``apply`` (wording only: never a value, a unit or a validity date).

_MEE_ZH = "生态环境部、国家统计局"
_MEE_EN = "Ministry of Ecology and Environment; National Bureau of Statistics"
_RULE = {
    "issuer_zh": "广东省碳普惠平台省级发展中心",
    "issuer_en": "Tanpuhui provincial development centre",
    "publication_zh": "碳普惠平台数据合理性规则（平台规则，不是科学因子）",
    "publication_en": "Tanpuhui plausibility rules (a platform rule, not a scientific factor)",
}

WORDING: dict[tuple[str, str, int | None], dict[str, str]] = {
    ("grid_ef", "national", 2021): {
        "issuer_zh": _MEE_ZH,
        "issuer_en": _MEE_EN,
        "publication_zh": "关于发布2021年电力二氧化碳排放因子的公告（公告2024年第12号）",
        "publication_en": "Announcement on the 2021 electricity CO₂ emission factors (No. 12 of 2024)",
        "note_zh": "2021 年全国平均值，2024 年 4 月 12 日公告。这是该系列的第一个值，作为当时可得的最佳值用于平台开始以来的数据。",
        "note_en": "The 2021 national average, announced on 12 April 2024. The first value of the series, "
        "applied back to the platform's start as the best value available.",
    },
    ("grid_ef", "national", 2022): {
        "issuer_zh": _MEE_ZH,
        "issuer_en": _MEE_EN,
        "publication_zh": "关于发布2022年电力二氧化碳排放因子的公告（2024年12月20日）",
        "publication_en": "Announcement on the 2022 electricity CO₂ emission factors (20 December 2024)",
        "note_zh": "2022 年全国平均值，比 2021 年的 0.5568 低 3.6%，自公告之日起使用。",
        "note_en": "The 2022 national average, 3.6 % below 2021's 0.5568; used from the announcement date.",
    },
    ("grid_ef", "national", 2023): {
        "issuer_zh": _MEE_ZH,
        "issuer_en": _MEE_EN,
        "publication_zh": "关于发布2023年电力二氧化碳排放因子的公告",
        "publication_en": "Announcement on the 2023 electricity CO₂ emission factors",
        "note_zh": "2023 年全国平均值，比 2022 年低 1.1%。《中国电力报》2026 年 1 月 15 日报道，自该日起使用。",
        "note_en": "The 2023 national average, 1.1 % below 2022, reported by China Electric Power News on "
        "15 January 2026 and used from that date.",
    },
    ("grid_ef", "south_china_grid", 2022): {
        "issuer_zh": _MEE_ZH,
        "issuer_en": _MEE_EN,
        "publication_zh": "关于发布2022年电力二氧化碳排放因子的公告（2024年12月20日）",
        "publication_en": "Announcement on the 2022 electricity CO₂ emission factors (20 December 2024)",
        "note_zh": "2022 年南方电网区域（广东、广西、云南、贵州、海南）平均值，是最早载入的区域值，用于平台开始以来的数据。",
        "note_en": "The 2022 average of the Southern grid (Guangdong, Guangxi, Yunnan, Guizhou, Hainan), the first "
        "regional value loaded, applied back to the platform's start.",
    },
    ("grid_ef", "south_china_grid", 2023): {
        "issuer_zh": _MEE_ZH,
        "issuer_en": _MEE_EN,
        "publication_zh": "关于发布2023年电力二氧化碳排放因子的公告",
        "publication_en": "Announcement on the 2023 electricity CO₂ emission factors",
        "note_zh": "2023 年南方电网区域平均值，比 2022 年高 4.5%（枯水年水电较少）。",
        "note_en": "The 2023 Southern grid average, 4.5 % above 2022 (less hydropower in a dry year).",
    },
    ("grid_ef_enterprise_reporting", "national", 2022): {
        "issuer_zh": "生态环境部办公厅",
        "issuer_en": "General Office, Ministry of Ecology and Environment",
        "publication_zh": "关于做好2023—2025年发电行业企业温室气体排放报告管理有关工作的通知",
        "publication_en": "Notice on greenhouse-gas reporting of power-sector enterprises, 2023–2025",
        "note_zh": "用于碳排放权交易报告的 2022 年全国电网平均值，与上面的公告是不同的系列，两者从不混用。单位为吨/兆瓦时（等于千克/千瓦时）。",
        "note_en": "The 2022 national grid average of the emissions-trading reporting series: a different series "
        "from the announcements above, never mixed with them. Given in t per MWh (= kg per kWh).",
    },
    ("natural_gas_ef", "national", 2013): {
        "issuer_zh": "国家发展和改革委员会办公厅",
        "issuer_en": "General Office, National Development and Reform Commission",
        "publication_zh": "中国发电企业温室气体排放核算方法与报告指南（试行）附录二 常用化石燃料相关参数缺省值",
        "publication_en": "Guidelines for greenhouse-gas accounting of power generators (trial), annex 2: "
        "default parameters of common fossil fuels",
        "note_zh": "低位发热量 389.31 GJ/万立方米 × 单位热值含碳量 15.3 tC/TJ × 碳氧化率 99% × 44/12 = 21.622 吨/万立方米，即每立方米 2.1622 千克。",
        "note_en": "Net calorific value 389.31 GJ per 10,000 m³ × carbon content 15.3 tC/TJ × oxidation 99 % × "
        "44/12 = 21.622 t per 10,000 m³, i.e. 2.1622 kg per m³.",
    },
    ("metro_trip_reduction", "guangdong", 2015): {
        "issuer_zh": "中国科学院广州能源研究所、广东省环境科学研究院（黄莹等）",
        "issuer_en": "Guangzhou Institute of Energy Conversion (CAS); Guangdong Academy of Environmental "
        "Sciences (Huang Ying et al.)",
        "publication_zh": "碳普惠制下市民乘坐地铁出行减碳量核算方法研究——以广州为例，《气候变化研究进展》2017 年第 3 期",
        "publication_en": "Accounting the reductions of metro trips under carbon inclusion: the case of Guangzhou, "
        "Climate Change Research 2017 (3)",
        "note_zh": "广州 2015 年数据，均值法每人次 0.5155 千克（替代法为 0.5419 千克），采用较保守的均值法。",
        "note_en": "Guangzhou, 2015: 0.5155 kg per passenger trip by the average method (0.5419 kg by the "
        "substitution method); the more conservative average-method figure is used.",
    },
    ("bus_trip_reduction", "national", 2021): {
        "issuer_zh": "湖北碳排放权交易中心、武汉城市一卡通有限公司",
        "issuer_en": "Hubei Emission Exchange; Wuhan Citizen Card",
        "publication_zh": "“碳碳星球”小程序积分规则（《湖北日报》2022 年 2 月 17 日报道）",
        "publication_en": "Credit rules of the Wuhan “Tantan Planet” mini-programme (Hubei Daily, 17 February 2022)",
        "note_zh": "每次经核实的公交出行得 105 个碳积分，1 积分 = 1 克减排量。未经核实的自行打卡减半；本平台的出行数据来自公交卡运营方，属于经核实的数据。",
        "note_en": "105 carbon points per verified bus ride, 1 point = 1 g of reduction. Self check-ins without "
        "proof earn half; trips here come from card operators, so they are verified.",
    },
    ("car_pkm_ef", "national", None): {
        "issuer_zh": "北京交通统计（原始出处尚未核实）",
        "issuer_en": "Beijing transport statistics (original publication not yet verified)",
        "publication_zh": "北京小汽车排放因子（小汽车每人公里 0.272 千克，地铁 0.061 千克），引自平台需求",
        "publication_en": "Beijing private-car factor (0.272 kg per passenger-km by car, 0.061 by metro), as listed "
        "in the platform requirements",
        "note_zh": "出处待核实：建库时未能找到北京的原始出版物。对照：武汉 2024 年碳普惠方法学给共享单车每公里 93.3 克，与 0.272 × 31% = 84.3 克同一量级。找到出处后将发布新值替换。",
        "note_en": "Source to be verified: the original Beijing publication could not be found when this registry "
        "was built. Cross-check: Wuhan's 2024 method credits shared bikes 93.3 g per km, the same order as "
        "0.272 × 31 % = 84.3 g. A sourced value will replace it.",
    },
    ("ebike_car_substitution_share", "national", 2021): {
        "issuer_zh": "极光行业研究院、西安交通大学",
        "issuer_en": "Aurora Mobile Research; Xi'an Jiaotong University",
        "publication_zh": "低碳出行让生活更美好——共享电单车社会价值报告（2021）",
        "publication_en": "Shared e-bike social value report (2021)",
        "note_zh": "31% 的共享电单车出行替代了高碳出行（主要是小汽车和摩托车），保守地用于所有骑行。",
        "note_en": "31 % of shared e-bike trips replaced high-carbon trips (mainly cars and motorbikes); applied "
        "to all cycling as a conservative share.",
    },
    ("cycling_max_daily_km", "national", None): {
        **_RULE,
        "note_zh": "超过这个每日距离的骑行记录会被拒收或标记。",
        "note_en": "Rides above this distance in a day are rejected or flagged.",
    },
    ("cycling_max_speed", "national", 2018): {
        "issuer_zh": "国家市场监督管理总局、国家标准化管理委员会",
        "issuer_en": "State Administration for Market Regulation; Standardization Administration",
        "publication_zh": "GB 17761-2018 电动自行车安全技术规范（最高设计车速 25 公里/小时）",
        "publication_en": "GB 17761-2018 Safety specification for electric bicycles (top design speed 25 km/h)",
        "note_zh": "平均速度超过电动自行车法定最高车速的骑行不合常理，会被标记。",
        "note_en": "A ride faster on average than an e-bike's legal top speed is implausible and is flagged.",
    },
    ("walking_step_credit", "national", 2021): {
        "issuer_zh": "湖北碳排放权交易中心、武汉城市一卡通有限公司",
        "issuer_en": "Hubei Emission Exchange; Wuhan Citizen Card",
        "publication_zh": "“碳碳星球”小程序积分规则（《湖北日报》2022 年 2 月 17 日报道）",
        "publication_en": "Credit rules of the Wuhan “Tantan Planet” mini-programme (Hubei Daily, 17 February 2022)",
        "note_zh": "每步 0.02 个碳积分（7,250 步得 145 分），1 积分 = 1 克减排量。",
        "note_en": "0.02 carbon points per step (7,250 steps earn 145 points), 1 point = 1 g of reduction.",
    },
    ("walking_daily_cap", "national", None): {
        "issuer_zh": "支付宝（蚂蚁集团）",
        "issuer_en": "Alipay (Ant Group)",
        "publication_zh": "蚂蚁森林行走能量规则（每日最多 296 克）",
        "publication_en": "Ant Forest walking energy rule (at most 296 g a day)",
        "note_zh": "蚂蚁森林每天最多按 296 克计步行减排；按每步 0.02 克，走到 14,800 步就达到上限。",
        "note_en": "Ant Forest credits walking at most 296 g a day; at 0.02 g per step the cap is reached at "
        "14,800 steps.",
    },
    ("walking_max_daily_steps", "national", None): {
        **_RULE,
        "note_zh": "每日步数超过这个数，多半是设备误计，会被标记。",
        "note_en": "Step counts above this are flagged as likely device errors.",
    },
    ("forest_sink", "guangdong", 2012): {
        "issuer_zh": "广东省森林资源连续清查研究（期刊论文，见链接）",
        "issuer_en": "A journal article on Guangdong's continuous forest inventory (see the link)",
        "publication_zh": "广东省森林碳储量与碳密度估算（1979—2012 年森林资源连续清查）",
        "publication_en": "Forest carbon storage and density of Guangdong, 1979–2012",
        "note_zh": "1979—2012 年全省森林平均碳密度由每公顷 7.57 吨碳增至 23.01 吨碳：(23.01 − 7.57) ÷ 33 年 = 每公顷每年 0.4679 吨碳，× 44/12 = 1.7156 吨二氧化碳。各林分类型的值可替代这个全省平均值。",
        "note_en": "Mean forest carbon density rose from 7.57 to 23.01 tC per hectare over 1979–2012: (23.01 − "
        "7.57) ÷ 33 years = 0.4679 tC per hectare and year × 44/12 = 1.7156 t CO₂. Values for a forest type "
        "replace this provincial average.",
    },
    # The demo centres' own tap-water figure (methodology/demo.py).
    ("water_supply_intensity", "centre", None): {
        "issuer_zh": "演示数据",
        "issuer_en": "Demo data",
        "publication_zh": "示意值，不是本市公布的数据",
        "publication_en": "An illustrative value, not a figure published for this city",
        "note_zh": "中国城市供水耗电的大致量级，仅供演示。真实的运营中心会发布本地供水企业的数据并注明出处。",
        "note_en": "The order of magnitude of urban water-supply electricity use in China, for the demo only. A "
        "real centre publishes its utility's own figure with the source.",
    },
}

HQ_TIERS_SOURCE = (
    "Korea Carbon Point System tiers (5 / 10 / 15 % reduction against the two-year average), adopted by the "
    "Hengqin centre for the demo."
)

VERSION_WORDING: dict[str, dict[str, str]] = {
    HQ_TIERS_SOURCE: {
        "source_zh": "韩国碳积分制度的分档（比前两年平均值减少 5%、10%、15%），横琴运营中心在演示中采用。",
        "source_en": HQ_TIERS_SOURCE,
    },
    VERSION_SOURCE: {
        "source_zh": "碳普惠方法学 1.0 版（2026），由下列各因子的出处汇编而成。",
        "source_en": "Tanpuhui methodology 1.0 (2026), assembled from the sources of the factors listed below.",
    },
}


def apply_wording(apps=None) -> int:
    """Fill the per-language wording of seeded rows where it is still empty. Returns rows changed."""
    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    Parameter = apps.get_model("methodology", "Parameter")
    Version = apps.get_model("methodology", "MethodologyVersion")
    changed = 0
    for (code, region, year), words in WORDING.items():
        rows = Parameter.objects.filter(code=code, region=region, year=year)
        for field, text in words.items():
            changed += rows.filter(**{field: ""}).update(**{field: text})
    for source_text, words in VERSION_WORDING.items():
        for field, text in words.items():
            changed += Version.objects.filter(source_text=source_text, **{field: ""}).update(**{field: text})
    return changed
