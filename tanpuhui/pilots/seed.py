"""Indicator sets seeded by migration 0002 (data only; the migration writes them with the historical
models). Every item is marked ``verified: False``: the rural set follows the structure of NDRC
发改办气候〔2015〕362号 《低碳社区试点建设指南》 (10 first-level, 28 second-level indicators) and the three
targets the issue quotes from it, but the wording and the other targets were reconstructed without the
original text at hand. Replace through ``services.indicator_set_create`` with a new version once checked."""

from __future__ import annotations

from typing import Any

GUIDE_2015 = "国家发展改革委办公厅《低碳社区试点建设指南》发改办气候〔2015〕362号 — 农村社区评价指标"
QUOTED = "; target as quoted in issue 15 from the guide, not checked against the original"
RECONSTRUCTED = "; item and target reconstructed, not checked against the original"
NOTICE_2014 = "广东省发展改革委 2014 年低碳社区试点通知 — 全部试点的建设目标（据种子文章）"


def _q(
    code: str,
    cat: tuple[str, str],
    zh: str,
    en: str,
    unit: str,
    cmp: str,
    target: float,
    weight: int,
    quoted: bool = False,
) -> dict[str, Any]:
    return {
        "code": code,
        "category_zh": cat[0],
        "category_en": cat[1],
        "name_zh": zh,
        "name_en": en,
        "kind": "quantitative",
        "unit": unit,
        "comparator": cmp,
        "target": str(target),
        "weight": str(weight),
        "source": GUIDE_2015 + (QUOTED if quoted else RECONSTRUCTED),
        "verified": False,
    }


def _yes(code: str, cat: tuple[str, str], zh: str, en: str, weight: int) -> dict[str, Any]:
    return {
        "code": code,
        "category_zh": cat[0],
        "category_en": cat[1],
        "name_zh": zh,
        "name_en": en,
        "kind": "yes_no",
        "unit": "",
        "comparator": "yes",
        "target": None,
        "weight": str(weight),
        "source": GUIDE_2015 + RECONSTRUCTED,
        "verified": False,
    }


A = ("碳排放", "Carbon emissions")
B = ("空间布局", "Spatial layout")
C = ("能源利用", "Energy use")
D = ("低碳建筑", "Low-carbon buildings")
E = ("绿色交通", "Green transport")
F = ("农业生产", "Farming")
G = ("环境卫生", "Environment and sanitation")
H = ("低碳生活", "Low-carbon living")
I = ("运营管理", "Operation and management")  # noqa: E741
J = ("特色创新", "Local features")

RURAL_2015 = [
    _q(
        "A1",
        A,
        "户均碳排放较基准年下降率",
        "Emissions per household, fall against the baseline year",
        "%",
        "ge",
        10,
        6,
    ),
    _yes("A2", A, "建立碳排放统计核算制度", "Emission accounting in place", 6),
    _yes("B1", B, "编制低碳村庄规划", "Low-carbon village plan adopted", 3),
    _q("B2", B, "公共服务设施步行 500 米覆盖率", "Public services within a 500 m walk", "%", "ge", 80, 3),
    _q("C1", C, "可再生能源替代率", "Renewable energy substitution", "%", "ge", 5, 4, quoted=True),
    _q("C2", C, "清洁能源炊事普及率", "Households cooking with clean energy", "%", "ge", 80, 4),
    _q("C3", C, "太阳能热水器普及率", "Households with solar water heaters", "%", "ge", 50, 4),
    _yes("C4", C, "推广节能灶具或沼气", "Efficient stoves or biogas promoted", 4),
    _q(
        "D1",
        D,
        "新建农房按节能标准建设比例",
        "New farmhouses built to energy-saving standards",
        "%",
        "ge",
        50,
        3,
    ),
    _yes("D2", D, "开展既有农房节能改造", "Existing farmhouses retrofitted", 3),
    _yes("D3", D, "使用本地或绿色建材", "Local or green building materials used", 3),
    _yes("E1", E, "公交通达行政村", "Bus service reaches the village", 3),
    _yes("E2", E, "建设慢行步道", "Walking and cycling paths built", 3),
    _yes("E3", E, "建设公共充电设施", "Public charging points built", 3),
    _q("F1", F, "秸秆综合利用率", "Straw utilisation", "%", "ge", 90, 4, quoted=True),
    _q("F2", F, "畜禽粪污综合利用率", "Livestock manure utilisation", "%", "ge", 75, 4),
    _yes("F3", F, "化肥使用量零增长", "No growth in chemical fertiliser use", 4),
    _q("F4", F, "农膜回收率", "Farm film recovered", "%", "ge", 80, 4),
    _q("G1", G, "生活垃圾收集率", "Domestic waste collected", "%", "ge", 100, 4, quoted=True),
    _q("G2", G, "生活污水处理率", "Domestic sewage treated", "%", "ge", 60, 4),
    _q("G3", G, "村庄绿化覆盖率", "Green cover of the village", "%", "ge", 30, 4),
    _q("G4", G, "卫生厕所普及率", "Households with sanitary toilets", "%", "ge", 90, 4),
    _yes("H1", H, "开展低碳宣传教育", "Low-carbon education held", 3),
    _q("H2", H, "节水器具普及率", "Households with water-saving fittings", "%", "ge", 50, 3),
    _yes("I1", I, "设立低碳社区建设工作机构", "A working body for the pilot", 3),
    _yes("I2", I, "落实建设资金", "Funding secured", 3),
    _yes("J1", J, "发展低碳产业或乡村旅游", "Low-carbon industry or rural tourism", 2),
    _yes("J2", J, "建设碳汇林", "Carbon-sink forest planted", 2),
]


def _notice(
    code: str, zh: str, en: str, unit: str, cmp: str, target: float | None, weight: int
) -> dict[str, Any]:
    kind = "yes_no" if cmp == "yes" else "quantitative"
    return {
        "code": code,
        "category_zh": "2014 年建设目标",
        "category_en": "2014 targets",
        "name_zh": zh,
        "name_en": en,
        "kind": kind,
        "unit": unit,
        "comparator": cmp,
        "target": None if target is None else str(target),
        "weight": str(weight),
        "source": NOTICE_2014 + "; quoted in issue 15, not checked against the original notice",
        "verified": False,
    }


NOTICE_2014_ITEMS = [
    _notice("T1", "公共交通出行分担率", "Public-transport share of trips", "%", "ge", 60, 20),
    _notice("T2", "非传统水资源利用率", "Non-traditional water use", "%", "ge", 40, 20),
    _notice("T3", "生活垃圾分类率", "Domestic waste sorted", "%", "ge", 30, 20),
    _notice("T4", "生活垃圾资源化利用率", "Domestic waste recovered", "%", "ge", 50, 20),
    _yes(
        "T5",
        ("2014 年建设目标", "2014 targets"),
        "新建住宅全部为绿色建筑",
        "All new housing built as green buildings",
        20,
    )
    | {"source": NOTICE_2014 + "; quoted in issue 15, not checked against the original notice"},
]

INDICATOR_SETS: list[dict[str, Any]] = [
    {
        "pilot_type": "rural",
        "version": "2015",
        "title": "农村低碳社区评价指标（2015）",
        "source": GUIDE_2015,
        "effective_from": "2015-02-12",
        "indicators": RURAL_2015,
    },
] + [
    {
        "pilot_type": pilot_type,
        "version": "2014",
        "title": f"{title}（2014 年建设目标）",
        "source": NOTICE_2014,
        "effective_from": "2014-01-01",
        "indicators": NOTICE_2014_ITEMS,
    }
    for pilot_type, title in (
        ("new_urban", "城市新建社区"),
        ("existing_urban", "城市既有社区"),
        ("park", "低碳园区"),
        ("town", "低碳城镇"),
        ("city", "低碳城市"),
    )
]
