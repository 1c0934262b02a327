"""Demo tenants: the Guangdong provincial centre, its operation centres and pilot cities,
and the provinces the platform is expanding to (from the 2016 launch article)."""

from datetime import date

from tanpuhui.tenancy.models import Centre, Region

REGIONS = [
    ("GD", "广东省", "Guangdong", Region.Kind.PROVINCE),
    ("SH", "上海市", "Shanghai", Region.Kind.MUNICIPALITY),
    ("SX", "山西省", "Shanxi", Region.Kind.PROVINCE),
    ("HE", "河北省", "Hebei", Region.Kind.PROVINCE),
]

# code, name_zh, name_en, city_zh, city_en, status
GD_CENTRES = [
    ("GZ", "广州碳普惠运营中心", "Guangzhou Operation Centre", "广州", "Guangzhou", Centre.Status.ACTIVE),
    ("ZS", "中山碳普惠运营中心", "Zhongshan Operation Centre", "中山", "Zhongshan", Centre.Status.ACTIVE),
    ("DG", "东莞碳普惠运营中心", "Dongguan Operation Centre", "东莞", "Dongguan", Centre.Status.ACTIVE),
    (
        "HQ",
        "珠海横琴碳普惠运营中心",
        "Zhuhai Hengqin Operation Centre",
        "珠海横琴",
        "Zhuhai Hengqin",
        Centre.Status.ACTIVE,
    ),
    ("SG", "韶关碳普惠试点", "Shaoguan Pilot", "韶关", "Shaoguan", Centre.Status.PILOT),
    ("HY", "河源碳普惠试点", "Heyuan Pilot", "河源", "Heyuan", Centre.Status.PILOT),
    ("HZ", "惠州碳普惠试点", "Huizhou Pilot", "惠州", "Huizhou", Centre.Status.PILOT),
]


def load() -> str:
    regions = {}
    for code, zh, en, kind in REGIONS:
        regions[code], _ = Region.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "kind": kind}
        )
    province, _ = Centre.objects.update_or_create(
        code="GDPC",
        defaults={
            "name_zh": "广东碳普惠发展中心",
            "name_en": "Guangdong Carbon Inclusion Development Centre",
            "kind": Centre.Kind.PROVINCIAL,
            "region": regions["GD"],
            "city_zh": "广州",
            "city_en": "Guangzhou",
            "launched_on": date(2016, 6, 18),
        },
    )
    for code, zh, en, city_zh, city_en, status in GD_CENTRES:
        Centre.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "kind": Centre.Kind.CITY,
                "status": status,
                "region": regions["GD"],
                "parent": province,
                "city_zh": city_zh,
                "city_en": city_en,
                "launched_on": date(2016, 6, 18) if code == "ZS" else date(2015, 7, 1),
            },
        )
    return f"{Region.objects.count()} regions, {Centre.objects.count()} centres"
