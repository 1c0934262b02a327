"""Demo people: staff of every role with documented logins, and a few hundred residents with bindings.

Logins are listed in the README. Every demo password is ``demo-pass-2016`` except the platform
administrator's. Residents share one precomputed hash so loading stays fast.
"""

import random
from typing import cast

from django.contrib.auth.hashers import make_password

from tanpuhui.accounts.models import Binding, Role, RoleAssignment, User
from tanpuhui.accounts.services import role_grant
from tanpuhui.tenancy.models import Centre

DEMO_PASSWORD = "demo-pass-2016"  # noqa: S105 — documented demo credential
ADMIN_EMAIL = "admin@tanpuhui.demo"
ADMIN_PASSWORD = "tanpuhui-admin-2016"  # noqa: S105 — documented demo credential
RESIDENT_CENTRES = ["GZ", "ZS", "DG", "HQ"]
RESIDENTS_PER_CENTRE = 75
CENTRE_DIGIT = {"GZ": 1, "ZS": 2, "DG": 3, "HQ": 4}

# phone, display name, role, centre
STAFF = [
    ("13800000001", "省中心 李主任", Role.PROVINCIAL_OFFICER, "GDPC"),
    ("13800000002", "试点管理 周工", Role.PILOT_MANAGER, "GDPC"),
    ("13800000011", "广州运营 陈晓", Role.CENTRE_OPERATOR, "GZ"),
    ("13800000012", "广州审核 黄敏", Role.CENTRE_REVIEWER, "GZ"),
    ("13800000013", "广州财务 林芳", Role.CENTRE_FINANCE, "GZ"),
    ("13800000021", "中山运营 梁伟", Role.CENTRE_OPERATOR, "ZS"),
    ("13800000022", "中山审核 何静", Role.CENTRE_REVIEWER, "ZS"),
    ("13800000023", "中山财务 郭强", Role.CENTRE_FINANCE, "ZS"),
    ("13800000031", "东莞运营 罗杰", Role.CENTRE_OPERATOR, "DG"),
    ("13800000041", "横琴运营 吴珊", Role.CENTRE_OPERATOR, "HQ"),
    ("13800000051", "认证机构 赛宝 刘工", Role.CERTIFICATION_STAFF, "GDPC"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "晓东",
    "嘉怡",
    "梓涵",
    "浩然",
    "子轩",
    "欣怡",
    "宇轩",
    "诗涵",
    "俊杰",
    "雨桐",
]


def staff_member(role: str, centre_code: str) -> User | None:
    """The demo's first staff member (by phone) holding ``role`` at the centre ``centre_code``."""
    return (
        User.objects.filter(role_assignments__role=role, role_assignments__centre__code=centre_code)
        .order_by("phone")
        .first()
    )


def resident_phone(centre_code: str, index: int) -> str:
    return f"139{CENTRE_DIGIT[centre_code]}{index:07d}"


def resident_numbers(centre_code: str, index: int) -> dict[str, str]:
    """Deterministic binding numbers; the metering demo delivers provider records for them."""
    d = CENTRE_DIGIT[centre_code]
    return {
        Binding.Kind.ELECTRICITY: f"0{d}{index:08d}",
        Binding.Kind.WATER: f"W{d}{index:07d}",
        Binding.Kind.GAS: f"G{d}{index:07d}",
        Binding.Kind.TRANSIT_CARD: f"T{d}{index:09d}",
        Binding.Kind.BIKE_SHARE: f"bike-{centre_code.lower()}-{index:05d}",
    }


def load() -> str:
    centres = {c.code: c for c in Centre.objects.all()}
    if not User.objects.filter(email=ADMIN_EMAIL).exists():
        User.objects.create_superuser(email=ADMIN_EMAIL, password=ADMIN_PASSWORD, display_name="平台管理员")
    shared_hash = make_password(DEMO_PASSWORD)
    for phone, name, role, centre_code in STAFF:
        user, _ = User.objects.get_or_create(
            phone=phone,
            defaults={"display_name": name, "centre": centres[centre_code], "password": shared_hash},
        )
        role_grant(user=user, role=role, centre=centres[centre_code])

    rng = random.Random(2016)
    new_users = []
    for code in RESIDENT_CENTRES:
        for i in range(1, RESIDENTS_PER_CENTRE + 1):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            new_users.append(
                User(
                    phone=resident_phone(code, i),
                    display_name=name,
                    centre=centres[code],
                    password=shared_hash,
                )
            )
    User.objects.bulk_create(new_users, ignore_conflicts=True)
    residents = {u.phone: u for u in User.objects.filter(phone__startswith="139")}
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=Role.RESIDENT, centre_id=cast(int, u.centre_id))
            for u in residents.values()
        ],
        ignore_conflicts=True,
    )
    bindings = []
    for code in RESIDENT_CENTRES:
        for i in range(1, RESIDENTS_PER_CENTRE + 1):
            user = residents[resident_phone(code, i)]
            numbers = resident_numbers(code, i)
            # Not everyone binds everything: realistic coverage, deterministic.
            kinds = [Binding.Kind.ELECTRICITY, Binding.Kind.TRANSIT_CARD]
            if i % 2 == 0:
                kinds.append(Binding.Kind.WATER)
            if i % 3 == 0:
                kinds.append(Binding.Kind.GAS)
            if i % 4 == 0:
                kinds.append(Binding.Kind.BIKE_SHARE)
            if i > RESIDENTS_PER_CENTRE - 5:
                kinds = []  # a few newcomers who have bound nothing yet
            bindings += [
                Binding(resident=user, centre_id=cast(int, user.centre_id), kind=k, account_number=numbers[k])
                for k in kinds
            ]
    Binding.objects.bulk_create(bindings, ignore_conflicts=True)
    return f"{len(residents)} residents, {Binding.objects.count()} bindings, {len(STAFF)} staff"
