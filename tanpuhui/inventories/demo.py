"""Demo: Zhongshan's six towns with three years of inventories, each imported through the spreadsheet
path (the template's workbook, filled in), calculated and taken through review — 2021 and 2022
published (Guzhen's 2022 corrected by a second revision), 2023 waiting for the city's review.

Logins (password ``demo-pass-2016``): town statisticians 13800004001–13800004006 (Xiaolan … Sanxiang),
the city reviewer 13800000022, the provincial officer 13800000001."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook

from tanpuhui.accounts.demo import staff_member
from tanpuhui.accounts.models import Role
from tanpuhui.accounts.services import role_grant
from tanpuhui.enterprises.demo import demo_user
from tanpuhui.inventories import catalogue as cat
from tanpuhui.inventories import seed, services, spreadsheets
from tanpuhui.inventories.models import Inventory, TownDesk
from tanpuhui.pilots.models import Place

YEARS = (2021, 2022, 2023)
# code, Chinese, English, population, GDP (10⁴ yuan), industry weight, river port, own landfill
TOWNS = (
    ("zs-xiaolan", "小榄镇", "Xiaolan", 510_000, 4_120_000, Decimal("1.2"), True, False),
    ("zs-guzhen", "古镇镇", "Guzhen", 225_000, 1_830_000, Decimal("0.9"), True, False),
    ("zs-huangpu", "黄圃镇", "Huangpu", 122_000, 950_000, Decimal("1.4"), False, True),
    ("zs-nantou", "南头镇", "Nantou", 118_000, 1_080_000, Decimal("1.3"), False, False),
    ("zs-dongfeng", "东凤镇", "Dongfeng", 190_000, 1_310_000, Decimal("1.0"), True, False),
    ("zs-sanxiang", "三乡镇", "Sanxiang", 205_000, 1_620_000, Decimal("0.7"), False, True),
)
GROWTH = {2021: Decimal("1.00"), 2022: Decimal("1.03"), 2023: Decimal("1.05")}
# Per 100 000 residents a year (category, fuel or type, quantity, unit, source, industrial?)
PER_100K = (
    ("manufacturing", "raw_coal", 9000, "t", "镇统计办能源平衡表", True),
    ("manufacturing", "diesel", 2600, "t", "镇统计办能源平衡表", True),
    ("manufacturing", "natural_gas", 700, "e4Nm3", "燃气公司销售台账", True),
    ("commercial", "lpg", 600, "t", "燃气公司销售台账", False),
    ("residential", "lpg", 1400, "t", "燃气公司销售台账", False),
    ("residential", "natural_gas", 260, "e4Nm3", "燃气公司销售台账", False),
    ("electricity_residential", "grid", 62000, "MWh", "供电局分行业售电量", False),
    ("electricity_commercial", "grid", 41000, "MWh", "供电局分行业售电量", False),
    ("electricity_manufacturing", "grid", 330000, "MWh", "供电局分行业售电量", True),
    ("electricity_agriculture", "grid", 4500, "MWh", "供电局分行业售电量", False),
    ("road", "gasoline", 11500, "t", "加油站销售统计（估算）", False),
    ("road", "diesel", 8200, "t", "加油站销售统计（估算）", False),
    ("incineration", "msw", 12000, "t", "环卫所地磅记录", False),
    ("composting", "msw", 1500, "t", "环卫所地磅记录", False),
    ("enteric", "swine", 6500, "head", "农业办年末存栏", False),
    ("manure", "swine", 6500, "head", "农业办年末存栏", False),
    ("fertiliser", "n", 180, "t", "农业办化肥折纯量", False),
    ("forest", "stock", 2600, "m**3", "林业站森林资源调查", False),
)
STATISTICIAN_PHONE = "1380000400{}"


def _town(parent: Place, code: str, zh: str, en: str) -> Place:
    town, _ = Place.objects.get_or_create(
        code=code,
        defaults={
            "kind": Place.Kind.TOWN,
            "name_zh": zh,
            "name_en": en,
            "parent": parent,
            "region": parent.region,
            "centre": parent.centre,
        },
    )
    return town


def workbook(*, population: int, gdp: int, weight: Decimal, port: bool, landfill: bool, year: int) -> bytes:
    """A filled-in template: the sheets and columns a town statistician downloads."""
    book = Workbook()
    book.remove(book.active)
    sheets = {}
    for code in cat.SHEETS:
        sheet = book.create_sheet(cat.SHEET_NAMES[code][0])
        sheet.append(spreadsheets.TOWN_HEADER if code == "town" else spreadsheets.HEADER)
        sheets[code] = sheet
    scale = Decimal(population) / 100_000 * GROWTH[year]
    for category, subject, per_100k, unit, source, industrial in PER_100K:
        quantity = (Decimal(per_100k) * scale * (weight if industrial else 1)).quantize(Decimal("1"))
        note = "按行业售电量" if unit == "MWh" else ""
        sheets[cat.CATEGORY[category].sheet].append(
            (category, subject, int(quantity), unit, source, note, 10 if "估算" in source else 5)
        )
    waste = (Decimal(30000) * scale).quantize(Decimal("1"))
    sheets["waste"].append(
        ("landfill" if landfill else "landfill_outside", "msw", int(waste), "t", "环卫所地磅记录", "", 10)
    )
    if port:
        sheets["transport"].append(
            ("waterborne", "diesel", int(Decimal(450) * scale), "t", "港务所船舶加油量", "", 15)
        )
    sheets["town"].append(("population", population, "person", "中山统计年鉴"))
    sheets["town"].append(("gdp", int(Decimal(gdp) * GROWTH[year]), "e4yuan", "中山统计年鉴"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def load() -> str:
    seed.load()
    city = Place.objects.filter(code="zs").first()
    reviewer = staff_member(Role.CENTRE_REVIEWER, "ZS")
    if city is None or reviewer is None:
        return "skipped (no Zhongshan city place or reviewer)"
    done = 0
    for i, (code, zh, en, population, gdp, weight, port, landfill) in enumerate(TOWNS, start=1):
        town = _town(city, code, zh, en)
        statistician = demo_user(STATISTICIAN_PHONE.format(i), f"{zh}统计员", city.centre)
        role_grant(user=statistician, role=Role.TOWN_STATISTICIAN, centre=city.centre)
        TownDesk.objects.get_or_create(user=statistician, town=town)
        for year in YEARS:
            if Inventory.objects.filter(town=town, year=year).exists():
                continue
            inventory = services.inventory_create(actor=statistician, town=town, year=year)
            content = workbook(
                population=population, gdp=gdp, weight=weight, port=port, landfill=landfill, year=year
            )
            spreadsheets.import_file(
                inventory=inventory, actor=statistician, name=f"{code}-{year}.xlsx", content=content
            )
            services.notation_key_set(
                inventory=inventory,
                actor=statistician,
                tree=cat.GPC,
                code="I.7",
                key="NO",
                explanation="镇内无煤矿开采 No coal mining in the town",
            )
            services.inventory_submit(inventory=inventory, actor=statistician)
            done += 1
            if year == 2023:
                continue
            services.inventory_review(inventory=inventory, actor=reviewer)
            published = services.inventory_publish(inventory=inventory, actor=reviewer)
            if code == "zs-guzhen" and year == 2022:
                draft = services.inventory_revise(
                    inventory=published,
                    actor=statistician,
                    reason="柴油用量重复统计了一家物流园区 Diesel of a logistics park was counted twice",
                )
                row = draft.rows.get(category="road", subject="diesel")
                services.row_put(
                    inventory=draft,
                    actor=statistician,
                    data=services.RowInput(
                        category="road",
                        subject="diesel",
                        quantity=(row.quantity * Decimal("0.9")).quantize(Decimal("1")),
                        unit=row.unit,
                        source=row.source,
                        quality_note="已剔除重复 duplicate removed",
                    ),
                )
                services.inventory_submit(inventory=draft, actor=statistician)
                services.inventory_review(inventory=draft, actor=reviewer)
                services.inventory_publish(inventory=draft, actor=reviewer)
    count = Inventory.objects.filter(status=Inventory.Status.PUBLISHED).count()
    return f"{done} town inventories imported from workbooks, {count} published"
