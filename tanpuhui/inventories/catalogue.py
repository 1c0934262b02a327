"""What a town can report, declared once: activity categories and fuels, the two sector trees, the
mapping between them, and the published default factor and GWP sets. The seed migration writes the
trees, the mapping and the sets into tables (the calculation reads them from there, so a new set is
data, not code); imports and forms check categories, fuels and units against this catalogue.

Sources:
- 省级温室气体清单编制指南（试行）, 国家发展改革委办公厅 发改办气候〔2011〕1041号 (the provincial guideline),
  and its default fuel values (GB/T 2589 NCVs; carbon contents and oxidation rates, table 1.5 ff.);
- 2006 IPCC Guidelines for National Greenhouse Gas Inventories, vol. 2 (energy, tables 1.2, 1.4, 2.2–2.5,
  3.2.1–3.2.2), vol. 4 (AFOLU, tables 10.10, 10.11, 11.1, 4.4), vol. 5 (waste, tables 2.4, 3.1, 5.2, 5.3);
- Global Protocol for Community-Scale Greenhouse Gas Inventories (GPC) v1.1, WRI/C40/ICLEI 2021;
- GWPs: IPCC SAR (1995), AR5 WG1 ch. 8 table 8.7 (2013), AR6 WG1 ch. 7 table 7.15 (2021).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# ---- Activity kinds: how a row becomes emissions ----------------------------------------------
FUEL = "fuel"  # fuel burnt in the town (t, 10⁴ Nm³, TJ, …)
ELECTRICITY = "electricity"  # purchased electricity (MWh), scope 2
WASTE = "waste"  # waste treated (t)
LIVESTOCK = "livestock"  # head (annual average population)
FERTILISER = "fertiliser"  # synthetic fertiliser N applied (t N)
FOREST = "forest"  # growing-stock increment (m³), a removal
PROCESS = "process"  # industrial product output (t clinker)

KIND_UNITS = {
    FUEL: "t",  # the canonical unit a fuel's NCV is given per; gases are per 10⁴ Nm³ (see FUELS)
    ELECTRICITY: "MWh",
    WASTE: "t",
    LIVESTOCK: "head",
    FERTILISER: "t",
    FOREST: "m**3",
    PROCESS: "t",
}


@dataclass(frozen=True)
class Category:
    code: str
    kind: str
    sheet: str  # the template sheet it is reported on
    name_zh: str
    name_en: str


CATEGORIES = (
    Category("residential", FUEL, "energy", "居民生活", "Residential buildings"),
    Category("commercial", FUEL, "energy", "商业和公共机构", "Commercial and institutional"),
    Category("manufacturing", FUEL, "energy", "工业和建筑业", "Manufacturing and construction"),
    Category("energy_industry", FUEL, "energy", "能源工业", "Energy industries"),
    Category("agriculture_energy", FUEL, "energy", "农林牧渔业", "Agriculture, forestry and fishing"),
    Category("road", FUEL, "transport", "道路交通", "On-road transport"),
    Category("waterborne", FUEL, "transport", "水运", "Waterborne navigation"),
    Category("offroad", FUEL, "transport", "非道路机械", "Off-road machinery"),
    Category("electricity_residential", ELECTRICITY, "energy", "居民用电", "Electricity, residential"),
    Category("electricity_commercial", ELECTRICITY, "energy", "商业用电", "Electricity, commercial"),
    Category("electricity_manufacturing", ELECTRICITY, "energy", "工业用电", "Electricity, manufacturing"),
    Category("electricity_agriculture", ELECTRICITY, "energy", "农业用电", "Electricity, agriculture"),
    Category("electricity_transport", ELECTRICITY, "transport", "交通用电", "Electricity, transport"),
    Category("landfill", WASTE, "waste", "垃圾填埋", "Landfilled solid waste"),
    Category("composting", WASTE, "waste", "堆肥", "Composted waste"),
    Category("incineration", WASTE, "waste", "垃圾焚烧", "Incinerated waste"),
    Category("landfill_outside", WASTE, "waste", "外运填埋", "Waste landfilled outside the town"),
    Category("clinker", PROCESS, "ippu", "水泥熟料生产", "Cement clinker production"),
    Category("enteric", LIVESTOCK, "afolu", "动物肠道发酵", "Enteric fermentation"),
    Category("manure", LIVESTOCK, "afolu", "动物粪便管理", "Manure management"),
    Category("fertiliser", FERTILISER, "afolu", "农用地氮肥施用", "Synthetic fertiliser on soils"),
    Category("forest", FOREST, "afolu", "森林蓄积量增长", "Forest growing-stock increment"),
)
CATEGORY = {c.code: c for c in CATEGORIES}
CATEGORY_CHOICES = [(c.code, c.name_en) for c in CATEGORIES]
SHEETS = ("energy", "transport", "waste", "ippu", "afolu", "town")
SHEET_NAMES = {
    "energy": ("能源", "Energy"),
    "transport": ("交通", "Transport"),
    "waste": ("废弃物", "Waste"),
    "ippu": ("工业过程", "Industrial processes"),
    "afolu": ("农业林业", "Agriculture and forestry"),
    "town": ("基本情况", "Town"),
}
# The "town" sheet: population and GDP, one row each.
TOWN_FIELDS = {"population": "person", "gdp": "yuan"}


@dataclass(frozen=True)
class Fuel:
    code: str
    unit: str  # the unit the NCV is given per
    name_zh: str
    name_en: str


FUELS = (
    Fuel("raw_coal", "t", "原煤", "Raw coal"),
    Fuel("gasoline", "t", "汽油", "Gasoline"),
    Fuel("diesel", "t", "柴油", "Diesel oil"),
    Fuel("fuel_oil", "t", "燃料油", "Residual fuel oil"),
    Fuel("lpg", "t", "液化石油气", "Liquefied petroleum gas"),
    Fuel("natural_gas", "e4Nm3", "天然气", "Natural gas"),
)
FUEL_BY_CODE = {f.code: f for f in FUELS}

# The "fuel" column of non-fuel rows names the sub-type (livestock species, waste stream).
SUBTYPES = {
    LIVESTOCK: ("dairy_cattle", "other_cattle", "swine", "goats"),
    WASTE: ("msw",),
    FERTILISER: ("n",),
    FOREST: ("stock",),
    PROCESS: ("clinker",),
    ELECTRICITY: ("grid",),
}

SUBTYPE_NAMES = {
    "dairy_cattle": ("奶牛", "Dairy cattle"),
    "other_cattle": ("其他牛", "Other cattle"),
    "swine": ("猪", "Swine"),
    "goats": ("山羊", "Goats"),
    "msw": ("生活垃圾", "Municipal solid waste"),
    "n": ("氮肥（折纯）", "Fertiliser nitrogen"),
    "stock": ("林木蓄积量", "Growing stock"),
    "clinker": ("水泥熟料", "Cement clinker"),
    "grid": ("电网电力", "Grid electricity"),
    **{f.code: (f.name_zh, f.name_en) for f in FUELS},
}


def label(names: tuple[str, str], language: str) -> str:
    return names[1] if language.startswith("en") else names[0]


# ---- The sector trees ---------------------------------------------------------------------------
PROVINCIAL = "provincial"
GPC = "gpc"


@dataclass(frozen=True)
class Node:
    code: str
    parent: str
    name_zh: str
    name_en: str
    scope: int | None = None  # GPC: the scope a leaf reports


PROVINCIAL_TREE = (
    Node("1", "", "能源活动", "Energy activities"),
    Node("1.1", "1", "化石燃料燃烧", "Fossil fuel combustion"),
    Node("1.1.1", "1.1", "能源工业", "Energy industries"),
    Node("1.1.2", "1.1", "工业和建筑业", "Industry and construction"),
    Node("1.1.3", "1.1", "交通运输", "Transport"),
    Node("1.1.4", "1.1", "服务业", "Services"),
    Node("1.1.5", "1.1", "居民生活", "Residential"),
    Node("1.1.6", "1.1", "农业", "Agriculture"),
    Node("2", "", "工业生产过程", "Industrial processes"),
    Node("2.1", "2", "水泥生产", "Cement production"),
    Node("3", "", "农业", "Agriculture"),
    Node("3.1", "3", "动物肠道发酵", "Enteric fermentation"),
    Node("3.2", "3", "动物粪便管理", "Manure management"),
    Node("3.3", "3", "农用地", "Agricultural soils"),
    Node("4", "", "土地利用变化和林业", "Land-use change and forestry"),
    Node("4.1", "4", "森林和其他木质生物质", "Forest and other woody biomass"),
    Node("5", "", "废弃物处理", "Waste"),
    Node("5.1", "5", "固体废弃物填埋", "Solid waste landfill"),
    Node("5.2", "5", "废弃物焚烧", "Waste incineration"),
    Node("5.3", "5", "生物处理", "Biological treatment"),
    Node("6", "", "调入电力间接排放", "Purchased electricity (indirect)"),
)

GPC_TREE = (
    Node("I", "", "固定能源", "Stationary energy"),
    Node("I.1", "I", "居住建筑", "Residential buildings"),
    Node("I.2", "I", "商业和机构建筑及设施", "Commercial and institutional buildings and facilities"),
    Node("I.3", "I", "制造业和建筑业", "Manufacturing industries and construction"),
    Node("I.4", "I", "能源工业", "Energy industries"),
    Node("I.5", "I", "农林渔业活动", "Agriculture, forestry and fishing activities"),
    Node("I.6", "I", "其他未明确的来源", "Non-specified sources"),
    Node("I.7", "I", "采矿和煤炭逸散", "Fugitive emissions from mining, processing and transport of coal"),
    Node("I.8", "I", "油气系统逸散", "Fugitive emissions from oil and natural gas systems"),
    Node("II", "", "交通", "Transportation"),
    Node("II.1", "II", "道路交通", "On-road transportation"),
    Node("II.2", "II", "铁路", "Railways"),
    Node("II.3", "II", "水运", "Waterborne navigation"),
    Node("II.4", "II", "航空", "Aviation"),
    Node("II.5", "II", "非道路交通", "Off-road transportation"),
    Node("III", "", "废弃物", "Waste"),
    Node("III.1", "III", "固体废弃物处置", "Solid waste disposal"),
    Node("III.2", "III", "固体废弃物生物处理", "Biological treatment of waste"),
    Node("III.3", "III", "焚烧和露天燃烧", "Incineration and open burning"),
    Node("III.4", "III", "废水处理和排放", "Wastewater treatment and discharge"),
    Node("IV", "", "工业过程和产品使用", "Industrial processes and product use"),
    Node("IV.1", "IV", "工业过程", "Industrial processes"),
    Node("IV.2", "IV", "产品使用", "Product use"),
    Node("V", "", "农业、林业和其他土地利用", "Agriculture, forestry and other land use"),
    Node("V.1", "V", "畜牧业", "Livestock"),
    Node("V.2", "V", "土地", "Land"),
    Node(
        "V.3",
        "V",
        "土地上的综合源和非二氧化碳排放源",
        "Aggregate sources and non-CO2 emission sources on land",
    ),
)
TREES = {PROVINCIAL: PROVINCIAL_TREE, GPC: GPC_TREE}

# (category) → (provincial node, GPC node, GPC scope). The table is seeded as data (SectorMapping).
MAPPING = {
    "residential": ("1.1.5", "I.1", 1),
    "commercial": ("1.1.4", "I.2", 1),
    "manufacturing": ("1.1.2", "I.3", 1),
    "energy_industry": ("1.1.1", "I.4", 1),
    "agriculture_energy": ("1.1.6", "I.5", 1),
    "road": ("1.1.3", "II.1", 1),
    "waterborne": ("1.1.3", "II.3", 1),
    "offroad": ("1.1.3", "II.5", 1),
    "electricity_residential": ("6", "I.1", 2),
    "electricity_commercial": ("6", "I.2", 2),
    "electricity_manufacturing": ("6", "I.3", 2),
    "electricity_agriculture": ("6", "I.5", 2),
    "electricity_transport": ("6", "II.2", 2),
    "landfill": ("5.1", "III.1", 1),
    "composting": ("5.3", "III.2", 1),
    "incineration": ("5.2", "III.3", 1),
    "landfill_outside": ("5.1", "III.1", 3),
    "clinker": ("2.1", "IV.1", 1),
    "enteric": ("3.1", "V.1", 1),
    "manure": ("3.2", "V.1", 1),
    "fertiliser": ("3.3", "V.3", 1),
    "forest": ("4.1", "V.2", 1),
}

# GPC totals (GPC v1.1 ch. 3, table 3.3): BASIC = stationary energy and transportation scopes 1 and 2,
# waste scopes 1 and 3 (waste generated in the city); BASIC+ adds IPPU and AFOLU (scope 1) and
# transboundary transport (transportation scope 3).
BASIC: dict[str, tuple[int, ...]] = {"I": (1, 2), "II": (1, 2), "III": (1, 3)}
BASIC_PLUS: dict[str, tuple[int, ...]] = {"I": (1, 2), "II": (1, 2, 3), "III": (1, 3), "IV": (1,), "V": (1,)}

NOTATION_KEYS = {
    "NO": ("不发生", "Not occurring"),
    "IE": ("已包含在别处", "Included elsewhere"),
    "NE": ("未估算", "Not estimated"),
    "C": ("保密", "Confidential"),
}

GASES = ("co2", "ch4", "n2o")

# ---- GWP sets -----------------------------------------------------------------------------------
GWP_SETS = (
    {
        "code": "SAR",
        "ch4": "21",
        "ch4_fossil": "21",
        "n2o": "310",
        "source": "IPCC Second Assessment Report (1995), 100-year GWPs; used by the provincial guideline (2011)",
    },
    {
        "code": "AR5",
        "ch4": "28",
        "ch4_fossil": "28",
        "n2o": "265",
        "source": "IPCC Fifth Assessment Report, WG1 ch. 8, table 8.7 (2013), 100-year GWPs without feedbacks",
    },
    {
        "code": "AR6",
        "ch4": "27.9",
        "ch4_fossil": "29.8",
        "n2o": "273",
        "source": "IPCC Sixth Assessment Report, WG1 ch. 7, table 7.15 (2021), 100-year GWPs",
    },
)

# ---- Factor sets --------------------------------------------------------------------------------
IPCC_2006 = "ipcc2006"
CHINA_2011 = "china2011"

# (fuel, parameter, sector, value, unit, uncertainty %). Sector "" = every sector; "stationary_*"
# and "road" narrow CH4/N2O. kg/TJ per gas; NCV per the fuel's unit.
_IPCC_NCV = [
    ("raw_coal", "ncv", "", "25.8", "GJ/t", 15),  # other bituminous coal, vol. 2 table 1.2
    ("gasoline", "ncv", "", "44.3", "GJ/t", 3),
    ("diesel", "ncv", "", "43.0", "GJ/t", 2),
    ("fuel_oil", "ncv", "", "40.4", "GJ/t", 3),
    ("lpg", "ncv", "", "47.3", "GJ/t", 4),
    ("natural_gas", "ncv", "", "344.352", "GJ/e4Nm3", 4),  # 48.0 GJ/t × 0.7174 kg/Nm³
]
_IPCC_CO2 = [
    ("raw_coal", "ef_co2", "", "94600", "kg/TJ", 4),  # vol. 2 table 1.4
    ("gasoline", "ef_co2", "", "69300", "kg/TJ", 3),
    ("diesel", "ef_co2", "", "74100", "kg/TJ", 2),
    ("fuel_oil", "ef_co2", "", "77400", "kg/TJ", 2),
    ("lpg", "ef_co2", "", "63100", "kg/TJ", 3),
    ("natural_gas", "ef_co2", "", "56100", "kg/TJ", 2),
]
# CH4 and N2O, kg/TJ: tables 2.2 (energy industries), 2.3 (manufacturing), 2.4 (commercial), 2.5
# (residential and agriculture), 3.2.2 (road), 3.5.3 (navigation), 3.3.1 (off-road diesel).
_NON_CO2_TABLE: dict[str, dict[str, tuple[float, float]]] = {
    "raw_coal": {"energy_industry": (1, 1.5), "manufacturing": (10, 1.5), "commercial": (10, 1.5),
                 "residential": (300, 1.5), "agriculture_energy": (300, 1.5)},
    "diesel": {"energy_industry": (3, 0.6), "manufacturing": (3, 0.6), "commercial": (10, 0.6),
               "residential": (10, 0.6), "agriculture_energy": (10, 0.6), "road": (3.9, 3.9),
               "waterborne": (7, 2), "offroad": (4.15, 28.6)},
    "gasoline": {"road": (33, 3.2), "residential": (10, 0.6), "commercial": (10, 0.6),
                 "manufacturing": (3, 0.6), "offroad": (80, 2)},
    "fuel_oil": {"energy_industry": (3, 0.6), "manufacturing": (3, 0.6), "commercial": (10, 0.6),
                 "waterborne": (7, 2)},
    "lpg": {"residential": (5, 0.1), "commercial": (5, 0.1), "manufacturing": (1, 0.1), "road": (62, 0.2)},
    "natural_gas": {"energy_industry": (1, 0.1), "manufacturing": (1, 0.1), "commercial": (5, 0.1),
                    "residential": (5, 0.1), "agriculture_energy": (5, 0.1), "road": (92, 3)},
}  # fmt: skip
_IPCC_NON_CO2: list[tuple[str, str, str, str, str, int]] = []
for _fuel, _table in _NON_CO2_TABLE.items():
    for _sector, (_ch4, _n2o) in _table.items():
        _IPCC_NON_CO2.append((_fuel, "ef_ch4", _sector, str(_ch4), "kg/TJ", 150))
        _IPCC_NON_CO2.append((_fuel, "ef_n2o", _sector, str(_n2o), "kg/TJ", 200))

# Non-energy defaults (IPCC 2006; "fuel" = sub-type).
_IPCC_OTHER = [
    ("dairy_cattle", "enteric_ch4", "", "68", "kg/head", 40),  # vol. 4 table 10.11, Asia
    ("other_cattle", "enteric_ch4", "", "47", "kg/head", 40),
    ("swine", "enteric_ch4", "", "1.0", "kg/head", 40),  # table 10.10, developing countries
    ("goats", "enteric_ch4", "", "5", "kg/head", 40),
    ("dairy_cattle", "manure_ch4", "", "16", "kg/head", 30),  # table 10.14, Asia, temperate
    ("other_cattle", "manure_ch4", "", "1", "kg/head", 30),
    ("swine", "manure_ch4", "", "4", "kg/head", 30),
    ("goats", "manure_ch4", "", "0.17", "kg/head", 30),
    ("n", "ef1_n2o_n", "", "0.01", "dimensionless", 200),  # vol. 4 table 11.1, kg N2O-N per kg N
    ("clinker", "ef_co2", "", "0.52", "t/t", 2),  # vol. 3 eq. 2.4, CaO 65 %
    # Landfill, mass balance of degradable organic carbon: DOC, DOCf, F, MCF, OX (vol. 5 tables 2.4,
    # 3.1, 3.2; ch. 3.2.3). Methane = W × DOC × DOCf × MCF × F × 16/12 × (1 − OX).
    ("msw", "doc", "", "0.15", "dimensionless", 20),
    ("msw", "docf", "", "0.5", "dimensionless", 20),
    ("msw", "f", "", "0.5", "dimensionless", 5),
    ("msw", "mcf", "", "1.0", "dimensionless", 10),
    ("msw", "ox", "", "0.1", "dimensionless", 10),
    # Composting, vol. 5 table 4.1 (wet weight): 4 g CH4 and 0.24 g N2O per kg waste.
    ("msw", "compost_ch4", "", "4", "kg/t", 100),
    ("msw", "compost_n2o", "", "0.24", "kg/t", 150),
    # Incineration: dry matter 0.8 (fraction of wet), total carbon 0.38 of dry, fossil 0.4, oxidised
    # 1.0 (vol. 5 table 5.2, China MSW); N2O 50 g/t wet (table 5.6), CH4 0.2 kg/kt ~ negligible.
    ("msw", "dm", "", "0.8", "dimensionless", 10),
    ("msw", "cf", "", "0.38", "dimensionless", 20),
    ("msw", "fcf", "", "0.4", "dimensionless", 30),
    ("msw", "of", "", "1.0", "dimensionless", 5),
    ("msw", "incin_n2o", "", "0.05", "kg/t", 100),
    # Forest removals: increment × basic density × biomass expansion × (1 + root) × carbon fraction ×
    # 44/12 (vol. 4 eq. 2.10, tables 4.4, 4.5, 4.14 — subtropical broadleaf).
    ("stock", "density", "", "0.5", "t/m**3", 20),
    ("stock", "bef", "", "1.5", "dimensionless", 30),
    ("stock", "root", "", "0.24", "dimensionless", 30),
    ("stock", "carbon_fraction", "", "0.47", "dimensionless", 5),
]

# China's defaults (provincial guideline, 2011; NCVs from 中国能源统计年鉴 appendix 4, GB/T 2589):
# CO2 = fuel × NCV × carbon content × oxidation × 44/12. CH4/N2O: the guideline takes IPCC defaults,
# so the set inherits them from the IPCC 2006 set (its base).
_CHINA = [
    ("raw_coal", "ncv", "", "20.908", "GJ/t", 5),
    ("raw_coal", "carbon_content", "", "26.37", "t/TJ", 5),
    ("raw_coal", "oxidation", "", "0.94", "dimensionless", 3),
    ("gasoline", "ncv", "", "43.070", "GJ/t", 2),
    ("gasoline", "carbon_content", "", "18.9", "t/TJ", 3),
    ("gasoline", "oxidation", "", "0.98", "dimensionless", 2),
    ("diesel", "ncv", "", "42.652", "GJ/t", 2),
    ("diesel", "carbon_content", "", "20.2", "t/TJ", 3),
    ("diesel", "oxidation", "", "0.98", "dimensionless", 2),
    ("fuel_oil", "ncv", "", "41.816", "GJ/t", 2),
    ("fuel_oil", "carbon_content", "", "21.1", "t/TJ", 3),
    ("fuel_oil", "oxidation", "", "0.98", "dimensionless", 2),
    ("lpg", "ncv", "", "50.179", "GJ/t", 2),
    ("lpg", "carbon_content", "", "17.2", "t/TJ", 3),
    ("lpg", "oxidation", "", "0.98", "dimensionless", 2),
    ("natural_gas", "ncv", "", "389.31", "GJ/e4Nm3", 2),
    ("natural_gas", "carbon_content", "", "15.3", "t/TJ", 3),
    ("natural_gas", "oxidation", "", "0.99", "dimensionless", 2),
]

FACTOR_SETS: tuple[dict[str, Any], ...] = (
    {
        "code": IPCC_2006,
        "version": "2006",
        "name_zh": "IPCC 2006 年国家温室气体清单指南缺省值",
        "name_en": "IPCC 2006 Guidelines default values",
        "source_publication": "2006 IPCC Guidelines for National Greenhouse Gas Inventories, vols. 2, 3, 4, 5",
        "source_issuer": "IPCC / IGES",
        "source_year": 2006,
        "source_url": "https://www.ipcc-nggip.iges.or.jp/public/2006gl/",
        "base": "",
        "factors": _IPCC_NCV + _IPCC_CO2 + _IPCC_NON_CO2 + _IPCC_OTHER,
    },
    {
        "code": CHINA_2011,
        "version": "2011",
        "name_zh": "省级温室气体清单编制指南缺省值",
        "name_en": "China provincial inventory guideline default values",
        "source_publication": "省级温室气体清单编制指南（试行）发改办气候〔2011〕1041号",
        "source_issuer": "国家发展和改革委员会 National Development and Reform Commission",
        "source_year": 2011,
        "source_url": "",
        "base": IPCC_2006,
        "factors": _CHINA,
    },
)
