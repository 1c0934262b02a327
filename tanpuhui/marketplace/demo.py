"""Demo marketplace: approved merchants in Guangzhou and Zhongshan with outlets and staff logins, offers
(one a flash sale), a Low Carbon Day booth, and a few redeemed and verified vouchers. Idempotent.

Merchant staff log in with the phones in ``STAFF`` (password ``demo-pass-2016``); see docs/marketplace.md.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from tanpuhui.accounts.demo import resident_phone
from tanpuhui.accounts.models import Role, User
from tanpuhui.accounts.services import role_grant
from tanpuhui.funding import services as funding
from tanpuhui.funding.models import FundingPool
from tanpuhui.ledger import services as ledger
from tanpuhui.ledger.models import TransferKind
from tanpuhui.marketplace import codes, services
from tanpuhui.marketplace.models import Event, Merchant, MerchantStaff, Offer, Outlet, Voucher
from tanpuhui.tenancy.models import Centre

DEMO_PASSWORD = "demo-pass-2016"  # noqa: S105 — documented demo credential


def uscc(seed: str) -> str:
    body = seed[:17]
    return body + codes.uscc_check_char(body)


# key, centre, name, licence body (17), contact, outlets [(name, address)]
MERCHANTS = [
    (
        "rice",
        "GZ",
        "天河绿色米铺",
        "91440106MA59AB1C2",
        "陈老板 020-38881234",
        [("体育西店", "广州市天河区体育西路103号"), ("岗顶店", "广州市天河区天河路590号")],
    ),
    (
        "cinema",
        "GZ",
        "飞扬影城",
        "91440101MA5CK0P3X",
        "林经理 020-87654321",
        [("天河城店", "广州市天河区天河路208号天河城7楼")],
    ),
    (
        "led",
        "GZ",
        "光明LED节能灯具",
        "91440104MA9W2E7K1",
        "黄经理 020-83339876",
        [("北京路店", "广州市越秀区北京路328号")],
    ),
    (
        "bakery",
        "ZS",
        "岐江面包坊",
        "91442000MA4UQ8T5H",
        "梁店长 0760-88123456",
        [("孙文西路店", "中山市石岐区孙文西路88号"), ("兴中道店", "中山市东区兴中道6号")],
    ),
]

# phone, display name, merchant key, role, outlet index
STAFF = [
    ("13700000101", "米铺 陈老板", "rice", MerchantStaff.Role.MANAGER, 0),
    ("13700000102", "米铺收银 小周", "rice", MerchantStaff.Role.CASHIER, 0),
    ("13700000103", "米铺收银 小吴", "rice", MerchantStaff.Role.CASHIER, 1),
    ("13700000201", "影城 林经理", "cinema", MerchantStaff.Role.MANAGER, 0),
    ("13700000202", "影城检票 阿杰", "cinema", MerchantStaff.Role.CASHIER, 0),
    ("13700000301", "灯具 黄经理", "led", MerchantStaff.Role.MANAGER, 0),
    ("13700000302", "灯具收银 小何", "led", MerchantStaff.Role.CASHIER, 0),
    ("13700000401", "面包坊 梁店长", "bakery", MerchantStaff.Role.MANAGER, 0),
    ("13700000402", "面包坊收银 阿玲", "bakery", MerchantStaff.Role.CASHIER, 0),
]

# Pools the demo points offers at (the funding context owns their budgets; get-or-create by name).
POOLS = {
    "GZ": ("广州碳普惠兑换补贴", "Guangzhou redemption subsidy", FundingPool.Source.GOVERNMENT_SUBSIDY),
    "ZS": ("中山商业激励", "Zhongshan commercial incentive", FundingPool.Source.COMMERCIAL),
}

IMAGE_COLOURS = {
    "groceries": ((246, 233, 200), (176, 132, 60)),
    "movies": ((40, 40, 70), (230, 190, 80)),
    "low_carbon": ((225, 245, 232), (31, 138, 76)),
    "discounts": ((252, 228, 214), (200, 90, 50)),
    "transit": ((220, 235, 250), (40, 100, 180)),
}


def _image(name: str, category: str) -> str:
    """A generated 480×320 PNG (no network): background, a simple category glyph."""
    path = f"offers/demo-{name}.png"
    if default_storage.exists(path):
        return path
    from PIL import Image, ImageDraw

    bg, fg = IMAGE_COLOURS.get(category, ((235, 235, 235), (90, 90, 90)))
    img = Image.new("RGB", (480, 320), bg)
    d = ImageDraw.Draw(img)
    if category == "groceries":  # a bowl of rice
        d.pieslice((140, 90, 340, 290), 0, 180, fill=fg)
        d.ellipse((150, 120, 330, 200), fill=(255, 255, 250))
    elif category == "movies":  # a film strip
        d.rectangle((90, 110, 390, 210), fill=fg)
        for x in range(100, 390, 30):
            d.rectangle((x, 118, x + 14, 130), fill=bg)
            d.rectangle((x, 190, x + 14, 202), fill=bg)
    elif category == "low_carbon":  # a light bulb
        d.ellipse((180, 60, 300, 190), fill=fg)
        d.rectangle((215, 185, 265, 240), fill=(120, 120, 120))
    else:  # a tag
        d.polygon([(150, 110), (300, 110), (350, 160), (300, 210), (150, 210)], fill=fg)
        d.ellipse((285, 150, 305, 170), fill=bg)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", optimize=True)
    return default_storage.save(path, ContentFile(buffer.getvalue()))


def _offer(merchant: Merchant, title: str, **fields) -> Offer:
    offer = Offer.objects.filter(merchant=merchant, title=title).first()
    if offer is not None:
        return offer
    return Offer.objects.create(
        merchant=merchant,
        centre=merchant.centre,
        title=title,
        status=Offer.Status.APPROVED,
        reviewed_at=timezone.now(),
        image=_image(fields.pop("image_name"), fields["category"]),
        **fields,
    )


def load() -> str:
    now = timezone.now()
    centres = {c.code: c for c in Centre.objects.filter(code__in=["GZ", "ZS"])}
    if len(centres) < 2:
        return "skipped (no GZ/ZS centres)"
    operators = {
        c: User.objects.filter(role_assignments__role=Role.CENTRE_OPERATOR, centre__code=c).first()
        for c in centres
    }
    pools = {
        code: FundingPool.objects.get_or_create(
            centre=centres[code], name_zh=zh, defaults={"name_en": en, "source": source}
        )[0]
        for code, (zh, en, source) in POOLS.items()
    }
    for pool in pools.values():  # the budget is booked as an appropriation, so the report explains it
        if pool.budget_yuan == 0 and not pool.movements.exists():
            funding.pool_appropriate(
                pool_id=pool.pk, yuan=Decimal(100000), reference="demo-budget", actor=None
            )

    merchants: dict[str, Merchant] = {}
    for key, code, name, body, contact, outlets in MERCHANTS:
        licence = uscc(body)
        merchant = Merchant.objects.filter(centre=centres[code], licence_number=licence).first()
        if merchant is None:
            contact_name, contact_phone = contact.split(" ")
            merchant = services.merchant_apply(
                applicant=None,
                centre=centres[code],
                name=name,
                licence_number=licence,
                contact_name=contact_name,
                contact_phone=contact_phone,
                outlets=[{"name": n, "address": a} for n, a in outlets],
            )
            services.merchant_review(
                merchant=merchant, actor=operators[code], approve=True, reason="资料齐全"
            )
        merchants[key] = merchant

    shared_hash = make_password(DEMO_PASSWORD)
    for phone, display, key, role, outlet_index in STAFF:
        merchant = merchants[key]
        user, _created = User.objects.get_or_create(
            phone=phone,
            defaults={"display_name": display, "centre": merchant.centre, "password": shared_hash},
        )
        role_grant(user=user, role=Role.MERCHANT_STAFF, centre=merchant.centre)
        outlet = list(Outlet.objects.filter(merchant=merchant).order_by("id"))[outlet_index]
        MerchantStaff.objects.get_or_create(
            user=user, defaults={"merchant": merchant, "outlet": outlet, "role": role}
        )

    event = Event.objects.filter(centre=centres["GZ"], name="广州低碳日 · 现场兑换").first()
    if event is None:
        event = Event.objects.create(
            centre=centres["GZ"],
            name="广州低碳日 · 现场兑换",
            venue="天河体育中心南广场",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=30),
        )

    window = {"valid_from": now - timedelta(days=1), "valid_until": now + timedelta(days=60)}
    rice = _offer(
        merchants["rice"],
        "东北大米 5kg",
        image_name="rice",
        category="groceries",
        price_coins=300,
        stock=200,
        per_resident_limit=2,
        yuan_value=Decimal("25.00"),
        funding_pool=pools["GZ"],
        description="五常稻花香，新米上市。",
        terms="凭券到店领取，每券一袋；不找零、不兑现。",
        **window,
    )
    _offer(
        merchants["cinema"],
        "2D电影票一张",
        image_name="movie",
        category="movies",
        price_coins=800,
        stock=100,
        per_resident_limit=1,
        yuan_value=Decimal("35.00"),
        description="任意2D场次（节假日除外）。",
        terms="需提前在影城前台换票。",
        **window,
    )
    _offer(
        merchants["cinema"],
        "周五电影票半价秒杀",
        image_name="movie-flash",
        category="movies",
        price_coins=400,
        stock=30,
        per_resident_limit=1,
        yuan_value=Decimal("17.50"),
        flash_starts_at=now + timedelta(hours=2),
        description="限量30张，准时开抢。",
        terms="仅限周五场次。",
        **window,
    )
    led = _offer(
        merchants["led"],
        "LED节能灯泡 9W",
        image_name="led",
        category="low_carbon",
        price_coins=150,
        stock=500,
        per_resident_limit=3,
        yuan_value=Decimal("12.00"),
        funding_pool=pools["GZ"],
        description="替换白炽灯，每年省电约50度。",
        terms="每券换一只；可在低碳日展位现场兑换。",
        **window,
    )
    booth = _offer(
        merchants["led"],
        "低碳日限定 节能灯泡两只装",
        image_name="led-event",
        category="low_carbon",
        price_coins=200,
        stock=300,
        per_resident_limit=1,
        yuan_value=Decimal("20.00"),
        funding_pool=pools["GZ"],
        event=event,
        terms="仅限低碳日展位现场兑换。",
        **window,
    )
    bakery = _offer(
        merchants["bakery"],
        "面包8折券",
        image_name="bakery",
        category="discounts",
        price_coins=50,
        stock=1000,
        per_resident_limit=5,
        yuan_value=Decimal("3.00"),
        funding_pool=pools["ZS"],
        expiry_policy=Offer.ExpiryPolicy.FORFEIT,
        voucher_valid_days=14,
        terms="单次消费满20元可用。",
        **window,
    )

    # A few residents redeem; some vouchers are already used at the counter.
    cashier_of = {
        link.merchant_id: link.user
        for link in MerchantStaff.objects.filter(role=MerchantStaff.Role.CASHIER)
        .order_by("-id")
        .select_related("user")
    }
    plan = [
        ("GZ", 1, rice, True),
        ("GZ", 2, rice, True),
        ("GZ", 3, rice, False),
        ("GZ", 4, led, True),
        ("GZ", 5, led, False),
        ("ZS", 1, bakery, True),
        ("ZS", 2, bakery, False),
    ]
    made = 0
    for code, index, offer, verify in plan:
        resident = User.objects.filter(phone=resident_phone(code, index)).first()
        if resident is None:
            continue
        wallet = ledger.wallet_of(resident)
        if (
            wallet.balance < offer.price_coins
            and not Voucher.objects.filter(request_key=f"demo:{offer.pk}:{resident.pk}").exists()
        ):
            ledger.transfer_post(
                debit=ledger.issuance_of(resident.centre),
                credit=wallet,
                amount=offer.price_coins,
                kind=TransferKind.REWARD,
                idempotency_key=f"demo:marketplace:welcome:{resident.pk}:{offer.pk}",
                memo="低碳日欢迎奖励 (demo)",
            )
        voucher = services.voucher_redeem(
            offer_id=offer.pk, resident=resident, idempotency_key=f"demo:{offer.pk}:{resident.pk}"
        )
        made += 1
        if verify and voucher.status == Voucher.Status.ISSUED:
            services.voucher_verify(user=cashier_of[offer.merchant_id], code=voucher.code)
    # One booth redemption at the Low Carbon Day event.
    resident = User.objects.filter(phone=resident_phone("GZ", 6)).first()
    if resident is not None and not Voucher.objects.filter(event=event, resident=resident).exists():
        wallet = ledger.wallet_of(resident)
        if wallet.balance < booth.price_coins:
            ledger.transfer_post(
                debit=ledger.issuance_of(resident.centre),
                credit=wallet,
                amount=booth.price_coins,
                kind=TransferKind.REWARD,
                idempotency_key=f"demo:marketplace:welcome:{resident.pk}:{booth.pk}",
                memo="低碳日欢迎奖励 (demo)",
            )
        services.event_booth_redeem(
            event=event,
            user=cashier_of[merchants["led"].pk],
            resident_token=codes.resident_token(resident),
            offer_id=booth.pk,
            idempotency_key=f"demo:booth:{resident.pk}",
        )

    # One application and one offer waiting for the centre's review.
    if not Merchant.objects.filter(licence_number=uscc("91440111MA5D3R6G8")).exists():
        services.merchant_apply(
            applicant=None,
            centre=centres["GZ"],
            name="白云单车维修",
            licence_number=uscc("91440111MA5D3R6G8"),
            contact_name="赵师傅",
            contact_phone="13600001111",
            outlets=[{"name": "三元里店", "address": "广州市白云区三元里大道12号"}],
        )
    if not Offer.objects.filter(title="公交一日票").exists():
        Offer.objects.create(
            merchant=merchants["bakery"],
            centre=centres["ZS"],
            title="公交一日票",
            category="transit",
            price_coins=120,
            stock=50,
            yuan_value=Decimal("10.00"),
            status=Offer.Status.PENDING,
            image=_image("bus", "transit"),
            **window,
        )
    return (
        f"{Merchant.objects.count()} merchants, {Offer.objects.count()} offers, "
        f"{Voucher.objects.count()} vouchers ({made} demo redemptions checked)"
    )
