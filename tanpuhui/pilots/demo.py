"""Demo data from the seed article (广东建起多层次低碳试点示范体系): the named pilot cities, counties,
towns, parks and communities, the 2014 funding figures, Dufu's LED lights and Xiaolan north
district's measures and screen. Idempotent.

Where the article gives no figure, the demo says so in the row (``illustrative``): household counts,
monthly meter readings, PV output and the split of a programme budget over its projects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from tanpuhui.accounts.demo import resident_phone
from tanpuhui.accounts.models import User
from tanpuhui.methodology.registry import MethodUnavailable
from tanpuhui.pilots import aggregates, services
from tanpuhui.pilots.models import (
    Appropriation,
    Disbursement,
    EmissionReport,
    Measure,
    Pilot,
    PilotEvent,
    Place,
    Screen,
)
from tanpuhui.tenancy.models import Centre, Region

DEMO_SCREEN_TOKEN = "xl-beiqu-7Qm2f9Kd"  # noqa: S105 — the demo's screen; real ones get secrets.token_urlsafe(18)
MANAGER_PHONE = "13800000002"  # 试点管理 周工 (accounts.demo)
OFFICER_PHONE = "13800000001"  # 省中心 李主任

# code, kind, parent, zh, en, centre code (None: the provincial centre), adcode
PLACES = [
    ("gz", "city", None, "广州市", "Guangzhou", "GZ", "440100"),
    ("gz-yuexiu", "district", "gz", "越秀区", "Yuexiu", "GZ", ""),
    ("gz-yuexiu-beijing", "town", "gz-yuexiu", "北京街道", "Beijing Street", "GZ", ""),
    ("gz-yuexiu-dufu", "community", "gz-yuexiu-beijing", "都府社区", "Dufu community", "GZ", ""),
    ("sz", "city", None, "深圳市", "Shenzhen", None, "440300"),
    ("sz-longgang", "district", "sz", "龙岗区", "Longgang", None, ""),
    ("sz-ilcc", "town", "sz-longgang", "深圳国际低碳城", "Shenzhen International Low-Carbon City", None, ""),
    ("sz-nanshan", "district", "sz", "南山区", "Nanshan", None, ""),
    ("zh", "city", None, "珠海市", "Zhuhai", None, "440400"),
    ("zh-hengqin", "district", "zh", "横琴新区", "Hengqin New Area", "HQ", ""),
    ("fs", "city", None, "佛山市", "Foshan", None, "440600"),
    ("fs-chancheng", "district", "fs", "禅城区", "Chancheng", None, ""),
    ("fs-shunde", "district", "fs", "顺德区", "Shunde", None, ""),
    ("fs-nanhai", "district", "fs", "南海区", "Nanhai", None, ""),
    ("fs-nanhai-xiqiao", "town", "fs-nanhai", "西樵镇", "Xiqiao", None, ""),
    ("sg", "city", None, "韶关市", "Shaoguan", "SG", "440200"),
    ("sg-ruyuan", "district", "sg", "乳源瑶族自治县", "Ruyuan", "SG", ""),
    ("hy", "city", None, "河源市", "Heyuan", "HY", "441600"),
    ("hy-heping", "district", "hy", "和平县", "Heping", "HY", ""),
    ("hy-heping-heshi", "town", "hy-heping", "鹤市镇", "Heshi", "HY", ""),
    (
        "hy-heping-heshi-c",
        "community",
        "hy-heping-heshi",
        "鹤市镇低碳社区",
        "Heshi low-carbon community",
        "HY",
        "",
    ),
    ("hy-longchuan", "district", "hy", "龙川县", "Longchuan", "HY", ""),
    ("mz", "city", None, "梅州市", "Meizhou", None, "441400"),
    ("mz-xingning", "district", "mz", "兴宁市", "Xingning", None, ""),
    ("mz-dabu", "district", "mz", "大埔县", "Dabu", None, ""),
    ("jm", "city", None, "江门市", "Jiangmen", None, "440700"),
    ("yf", "city", None, "云浮市", "Yunfu", None, "445300"),
    ("yf-yunan", "district", "yf", "云安区", "Yun'an", None, ""),
    ("zs", "city", None, "中山市", "Zhongshan", "ZS", "442000"),
    ("zs-xiaolan", "town", "zs", "小榄镇", "Xiaolan", "ZS", ""),
    ("zs-xiaolan-beiqu", "community", "zs-xiaolan", "小榄镇北区社区", "Xiaolan north district", "ZS", ""),
    ("sw", "city", None, "汕尾市", "Shanwei", None, "441500"),
    ("sw-haifeng", "district", "sw", "海丰县", "Haifeng", None, ""),
]

# place, level, designation, batch, year, zh, en, organisation, status, extra
PILOTS: list[tuple[str, str, str, int | None, int, str, str, str, str, dict[str, Any]]] = [
    (
        "gz",
        "city",
        "national",
        2,
        2012,
        "广州市国家低碳试点城市",
        "Guangzhou national low-carbon pilot city",
        "广州市发展和改革委员会",
        "construction",
        {},
    ),
    (
        "sz",
        "city",
        "national",
        1,
        2010,
        "深圳市国家低碳试点城市",
        "Shenzhen national low-carbon pilot city",
        "深圳市发展和改革委员会",
        "construction",
        {},
    ),
    (
        "gz",
        "city",
        "provincial",
        1,
        2012,
        "广州市省级低碳试点城市",
        "Guangzhou provincial low-carbon pilot city",
        "广州市发展和改革委员会",
        "construction",
        {},
    ),
    (
        "zh",
        "city",
        "provincial",
        1,
        2012,
        "珠海市省级低碳试点城市",
        "Zhuhai provincial low-carbon pilot city",
        "珠海市发展和改革局",
        "construction",
        {},
    ),
    (
        "hy",
        "city",
        "provincial",
        1,
        2012,
        "河源市省级低碳试点城市",
        "Heyuan provincial low-carbon pilot city",
        "河源市发展和改革局",
        "construction",
        {},
    ),
    (
        "jm",
        "city",
        "provincial",
        1,
        2012,
        "江门市省级低碳试点城市",
        "Jiangmen provincial low-carbon pilot city",
        "江门市发展和改革局",
        "construction",
        {},
    ),
    (
        "zh-hengqin",
        "city",
        "provincial",
        1,
        2012,
        "珠海横琴新区低碳试点",
        "Zhuhai Hengqin low-carbon pilot area",
        "横琴新区管委会",
        "construction",
        {},
    ),
    (
        "fs-chancheng",
        "city",
        "provincial",
        1,
        2012,
        "佛山禅城区低碳试点",
        "Foshan Chancheng low-carbon pilot district",
        "禅城区发展规划和统计局",
        "construction",
        {},
    ),
    (
        "fs-shunde",
        "city",
        "provincial",
        1,
        2012,
        "佛山顺德区低碳试点",
        "Foshan Shunde low-carbon pilot district",
        "顺德区发展规划和统计局",
        "construction",
        {},
    ),
    (
        "sg-ruyuan",
        "city",
        "provincial",
        1,
        2012,
        "韶关乳源县低碳试点",
        "Shaoguan Ruyuan low-carbon pilot county",
        "乳源县发展和改革局",
        "construction",
        {},
    ),
    (
        "hy-heping",
        "city",
        "provincial",
        1,
        2012,
        "河源和平县低碳试点",
        "Heyuan Heping low-carbon pilot county",
        "和平县发展和改革局",
        "construction",
        {},
    ),
    (
        "mz-xingning",
        "city",
        "provincial",
        1,
        2012,
        "梅州兴宁市低碳试点",
        "Meizhou Xingning low-carbon pilot city",
        "兴宁市发展和改革局",
        "construction",
        {},
    ),
    (
        "mz-dabu",
        "city",
        "provincial",
        1,
        2012,
        "梅州大埔县低碳试点",
        "Meizhou Dabu low-carbon pilot county",
        "大埔县发展和改革局",
        "construction",
        {},
    ),
    (
        "yf-yunan",
        "city",
        "provincial",
        1,
        2012,
        "云浮云安区低碳试点",
        "Yunfu Yun'an low-carbon pilot district",
        "云安区发展和改革局",
        "construction",
        {},
    ),
    (
        "zh-hengqin",
        "town",
        "national",
        1,
        2015,
        "珠海横琴新区国家低碳城（镇）试点",
        "Hengqin national low-carbon town pilot",
        "横琴新区管委会",
        "construction",
        {},
    ),
    (
        "sz-ilcc",
        "town",
        "national",
        1,
        2015,
        "深圳国际低碳城国家低碳城（镇）试点",
        "Shenzhen International Low-Carbon City town pilot",
        "深圳国际低碳城管理机构",
        "construction",
        {},
    ),
    (
        "fs-nanhai-xiqiao",
        "town",
        "national",
        1,
        2011,
        "佛山南海西樵镇绿色低碳重点小城镇",
        "Xiqiao green low-carbon key small town",
        "西樵镇人民政府",
        "accepted",
        {},
    ),
    (
        "gz",
        "park",
        "provincial",
        1,
        2014,
        "广东状元谷电子商务产业园低碳园区改造试点",
        "Guangdong Zhuangyuangu e-commerce park retrofit pilot",
        "广东状元谷电子商务产业园",
        "construction",
        {"fund_yuan": 5_000_000},
    ),
    (
        "sg-ruyuan",
        "park",
        "provincial",
        1,
        2014,
        "广东乳源经济开发区低碳园区改造试点",
        "Ruyuan economic development zone retrofit pilot",
        "乳源经济开发区管委会",
        "construction",
        {"fund_yuan": 5_000_000},
    ),
    (
        "hy-longchuan",
        "park",
        "provincial",
        1,
        2014,
        "深圳南山（龙川）产业转移工业园低碳园区改造试点",
        "Shenzhen Nanshan (Longchuan) transfer park retrofit pilot",
        "深圳南山（龙川）产业转移工业园管委会",
        "construction",
        {"fund_yuan": 5_000_000},
    ),
    (
        "zs-xiaolan-beiqu",
        "community",
        "provincial",
        1,
        2014,
        "中山市小榄镇北区低碳示范社区",
        "Xiaolan north district low-carbon demonstration community",
        "小榄镇北区社区居民委员会",
        "construction",
        {
            "fund_yuan": 2_000_000,
            "type": "existing_urban",
            "start": date(2015, 3, 1),
            "end": date(2017, 5, 31),
            "households": 3000,
        },
    ),
    (
        "hy-heping-heshi-c",
        "community",
        "provincial",
        1,
        2014,
        "河源市和平县鹤市镇低碳社区",
        "Heshi town low-carbon community, Heping",
        "鹤市镇人民政府",
        "construction",
        {"fund_yuan": 2_000_000, "type": "rural", "households": 1500},
    ),
    (
        "gz-yuexiu-dufu",
        "community",
        "city",
        None,
        2014,
        "广州越秀区都府低碳社区",
        "Dufu low-carbon community, Yuexiu",
        "都府社区居民委员会",
        "accepted",
        {"type": "existing_urban", "households": 2600},
    ),
    (
        "sw-haifeng",
        "ccus",
        "provincial",
        None,
        2016,
        "华润海丰电厂碳捕集测试平台",
        "CCUS test platform, China Resources Haifeng power plant",
        "华润电力（海丰）有限公司",
        "construction",
        {},
    ),
]
STEPS = {
    "applied": [],
    "approved": ["approve"],
    "construction": ["approve", "start_construction"],
    "accepted": ["approve", "start_construction", "accept"],
}
ILLUSTRATIVE = "示例数值（原文未给出）"


def _places(provincial: Centre) -> dict[str, Place]:
    region = Region.objects.get(code="GD")
    centres = {c.code: c for c in Centre.objects.all()}
    done: dict[str, Place] = {}
    for code, kind, parent, zh, en, centre_code, adcode in PLACES:
        done[code], _ = Place.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "parent": done.get(parent) if parent else None,
                "name_zh": zh,
                "name_en": en,
                "region": region,
                "centre": centres.get(centre_code or "", provincial),
                "adcode": adcode,
            },
        )
    return done


def _measures(pilot: Pilot, manager: User, items: list[dict]) -> None:
    if Measure.objects.filter(pilot=pilot).exists():
        return
    for item in items:
        try:
            services.measure_add(pilot=pilot, actor=manager, **item)
        except MethodUnavailable:  # a centre without its parameters: the measure is listed unquantified
            services.measure_add(
                pilot=pilot, actor=manager, kind=item["kind"], description=item["description"]
            )


def load() -> str:
    provincial = Centre.objects.get(code="GDPC")
    manager = User.objects.get(phone=MANAGER_PHONE)
    officer = User.objects.get(phone=OFFICER_PHONE)
    _places(provincial)
    pilots: dict[str, Pilot] = {}
    with transaction.atomic():
        for place_code, level, designation, batch, year, zh, en, org, status, extra in PILOTS:
            pilot = Pilot.objects.filter(name_zh=zh).first()
            if pilot is None:
                pilot = services.pilot_apply(
                    actor=manager,
                    level=level,
                    name_zh=zh,
                    name_en=en,
                    designation=designation,
                    batch=batch,
                    year=year,
                    place_code=place_code,
                    managing_organisation=org,
                    community_type=extra.get("type", ""),
                    period_start=extra.get("start"),
                    period_end=extra.get("end"),
                    households=extra.get("households"),
                )
                for step in STEPS[status]:
                    services.pilot_transition(
                        pilot_id=pilot.pk, actor=officer, action=step, reason="示例：材料齐全"
                    )
            pilots[zh] = pilot
            if extra.get("fund_yuan") and not Appropriation.objects.filter(pilot=pilot).exists():
                appropriation = services.appropriation_create(
                    pilot=pilot,
                    actor=officer,
                    source="provincial_fund",
                    year=2014,
                    amount_fen=extra["fund_yuan"] * 100,
                    reference="省级低碳发展专项资金 2014（按项目平均分配，为示例）",
                )
                if level == "community":
                    services.disbursement_create(
                        appropriation_id=appropriation.pk,
                        actor=officer,
                        milestone="项目启动（首期 50%）",
                        amount_fen=extra["fund_yuan"] * 50,
                        paid_on=date(2015, 3, 1),
                        idempotency_key=f"demo-{pilot.pk}-1",
                    )
    dufu = pilots["广州越秀区都府低碳社区"]
    xiaolan = pilots["中山市小榄镇北区低碳示范社区"]
    on = date(2026, 3, 1)
    _measures(
        dufu,
        manager,
        [
            {
                "kind": "led_lighting",
                "description": "路灯、草地灯改为 LED 或太阳能灯：按报道的 223 吨和 1 千克/千瓦时折算，年节电约 22.3 万千瓦时",
                "behaviour": "electricity_saving",
                "annual_baseline": Decimal("223000"),
                "annual_quantity": Decimal("0"),
                "on": on,
                "published_t_co2e": Decimal("223"),
                "published_source": "南方日报 2016 年低碳日报道（种子文章）",
                "published_basis": "报道未说明排放因子；223 吨相当于 22.3 万千瓦时 × 1 千克/千瓦时",
            },
            {"kind": "bike_stations", "description": "自行车驿站"},
        ],
    )
    _measures(
        xiaolan,
        manager,
        [
            {
                "kind": "rooftop_pv",
                "description": f"示范家庭屋顶光伏：约 100 千瓦峰值，年发电约 10 万千瓦时（{ILLUSTRATIVE}）",
                "behaviour": "electricity_saving",
                "annual_baseline": Decimal("100000"),
                "annual_quantity": Decimal("0"),
                "on": on,
            },
            {"kind": "composting", "description": "餐厨堆肥系统（尚无已发布的方法学，未量化）"},
            {
                "kind": "rainwater",
                "description": f"雨水回收系统：年替代自来水约 3,000 立方米（{ILLUSTRATIVE}）",
                "behaviour": "water_saving",
                "annual_baseline": Decimal("3000"),
                "annual_quantity": Decimal("0"),
                "on": on,
            },
            {"kind": "aquaponics", "description": "鱼菜共生系统"},
            {"kind": "allotments", "description": "市民农园约 600 平方米，34 块种植区，供居民认领"},
            {"kind": "ev_chargers", "description": "太阳能电动车充电桩"},
        ],
    )
    # Per-household baseline and target: illustrative (the article gives none), near the demo's readings.
    Pilot.objects.filter(pk=xiaolan.pk).update(
        baseline_year=2014, baseline_t_per_household=Decimal("1.750"), target_t_per_household=Decimal("1.450")
    )
    # Monthly community readings of 2026 (illustrative) → kg CO₂e through the registry's factors.
    if not EmissionReport.objects.filter(pilot=xiaolan).exists():
        for month in range(1, 12):
            first = date(2026, month, 1)
            summer = 1.35 if month in (6, 7, 8, 9) else 1.0
            services.emission_report(
                pilot=xiaolan,
                actor=manager,
                month=first,
                source="electricity",
                quantity=Decimal(int(620_000 * summer)),
            )
            services.emission_report(
                pilot=xiaolan, actor=manager, month=first, source="gas", quantity=Decimal(42_000)
            )
            services.emission_report(
                pilot=xiaolan, actor=manager, month=first, source="pv", quantity=Decimal(int(8_300 * summer))
            )
    screen = Screen.objects.filter(token=DEMO_SCREEN_TOKEN).first()
    if screen is None:
        screen = Screen.objects.create(pilot=xiaolan, token=DEMO_SCREEN_TOKEN, label="社区服务中心大堂")
    # Residents of the demo live in the two communities (the screen's participation figures).
    User.objects.filter(phone__in=[resident_phone("ZS", i) for i in range(1, 41)]).update(
        community="zs-xiaolan-beiqu"
    )
    User.objects.filter(phone__in=[resident_phone("GZ", i) for i in range(1, 31)]).update(
        community="gz-yuexiu-dufu"
    )
    aggregates.rebuild()
    return (
        f"{Place.objects.count()} places, {Pilot.objects.count()} pilots, {PilotEvent.objects.count()} status events, "
        f"{Appropriation.objects.count()} appropriations, {Disbursement.objects.count()} disbursements, "
        f"{Measure.objects.count()} measures; screen /screens/{screen.token}/"
    )
