"""Demo: a subsidy appropriation, a Low Carbon Day multiplier campaign, two crowdfunding projects
(one funded, one that missed its target and refunded every pledger) and two public-welfare causes
with donations and a published update. Idempotent: every step looks for its row first."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tanpuhui.accounts.demo import resident_phone, staff_member
from tanpuhui.accounts.models import Role, User
from tanpuhui.funding import services
from tanpuhui.funding.models import Campaign, Cause, CrowdfundingProject, FundingPool, PoolMovement
from tanpuhui.ledger import services as ledger
from tanpuhui.ledger.models import TransferKind
from tanpuhui.marketplace import services as market
from tanpuhui.marketplace.models import MerchantStaff, Offer, Voucher
from tanpuhui.tenancy.models import Centre


def _operator(code: str) -> User:
    return (
        User.objects.filter(role_assignments__role=Role.CENTRE_OPERATOR, role_assignments__centre__code=code)
        .order_by("phone")
        .first()
    ) or _missing(f"the {code} centre operator (load the accounts demo first)")


def _missing(what: str) -> User:
    raise RuntimeError(f"demo data missing: {what}")


def _residents(code: str, indexes) -> list[User]:
    phones = [resident_phone(code, i) for i in indexes]
    return list(User.objects.filter(phone__in=phones).order_by("phone"))


def _topped_up(resident: User, coins: int, key: str) -> None:
    wallet = ledger.wallet_of(resident)
    if wallet.balance < coins:
        ledger.transfer_post(
            debit=ledger.issuance_of(resident.centre),
            credit=wallet,
            amount=coins - wallet.balance,
            kind=TransferKind.REWARD,
            idempotency_key=f"demo:funding:topup:{key}:{resident.pk}",
            memo="公益活动欢迎奖励 (demo)",
        )


def pool_offer_redeemed(
    *,
    pool: FundingPool,
    centre: Centre,
    title: str,
    price_coins: int,
    stock: int,
    description: str,
    resident_index: int,
    key: str,
    welcome_memo: str,
) -> str:
    """An offer of the centre's first merchant paid from ``pool``, approved by the centre's operator;
    resident number ``resident_index`` redeems one (topped up with a welcome reward if short) and the
    cashier verifies it, so the pool pays on commit. Idempotent: every step looks for its row first.
    ``key`` names this demo's idempotency keys."""
    manager = (
        MerchantStaff.objects.filter(merchant__centre=centre, role=MerchantStaff.Role.MANAGER)
        .select_related("merchant")
        .order_by("id")
        .first()
    )
    if manager is None:
        return "no merchant (marketplace demo not loaded)"
    offer = Offer.objects.filter(merchant=manager.merchant, title=title).first()
    now = timezone.now()
    if offer is None:
        offer = market.offer_create(
            staff=manager,
            title=title,
            category="discounts",
            price_coins=price_coins,
            stock=stock,
            per_resident_limit=1,
            valid_from=now - timedelta(days=1),
            valid_until=now + timedelta(days=90),
            yuan_value=Decimal("5.00"),
            funding_pool=pool,
            description=description,
            terms="每券抵扣早餐5元，到店出示券码核销。",
        )
        market.offer_submit(staff=manager, offer=offer)
        offer.refresh_from_db()
    operator = staff_member(Role.CENTRE_OPERATOR, centre.code)
    if offer.status == Offer.Status.PENDING and operator is not None:
        market.offer_review(offer=offer, actor=operator, approve=True)
    resident = User.objects.filter(phone=resident_phone(centre.code, resident_index)).first()
    if resident is None:
        return "no resident"
    if not Voucher.objects.filter(offer=offer, resident=resident).exists():
        wallet = ledger.wallet_of(resident)
        if wallet.balance < offer.price_coins:
            ledger.transfer_post(
                debit=ledger.issuance_of(centre),
                credit=wallet,
                amount=offer.price_coins,
                kind=TransferKind.REWARD,
                idempotency_key=f"demo:{key}:welcome:{resident.pk}",
                memo=welcome_memo,
            )
        voucher = market.voucher_redeem(
            offer_id=offer.pk, resident=resident, idempotency_key=f"demo:{key}:{resident.pk}"
        )
        cashier = (
            MerchantStaff.objects.filter(merchant=manager.merchant, role=MerchantStaff.Role.CASHIER)
            .order_by("id")
            .first()
        )
        if cashier is not None and voucher.status == Voucher.Status.ISSUED:
            market.voucher_verify(user=cashier.user, code=voucher.code)  # the pool pays on commit
    return f"offer '{title}' redeemed by {resident.phone}"


def _pledge_all(project: CrowdfundingProject, residents: list[User], coins: int) -> None:
    for r in residents:
        _topped_up(r, coins, f"pledge:{project.pk}")
        services.pledge_create(
            project_id=project.pk, resident=r, coins=coins, idempotency_key=f"demo:pledge:{project.pk}:{r.pk}"
        )


def load() -> str:
    centres = {c.code: c for c in Centre.objects.filter(code__in=["GZ", "ZS"])}
    if len(centres) < 2:
        return "skipped (no GZ/ZS centres)"
    gz, zs = centres["GZ"], centres["ZS"]
    op_gz, op_zs = _operator("GZ"), _operator("ZS")
    now = timezone.now()
    out = []

    # A government subsidy pool with an appropriation (the marketplace demo may have made the pool).
    subsidy = (
        FundingPool.objects.filter(centre=gz, source=FundingPool.Source.GOVERNMENT_SUBSIDY)
        .order_by("pk")
        .first()
    )
    if subsidy is None:
        subsidy = services.pool_create(
            centre=gz,
            source="government_subsidy",
            name_zh="广州碳普惠兑换补贴",
            name_en="Guangzhou redemption subsidy",
            actor=op_gz,
        )
    if not PoolMovement.objects.filter(pool=subsidy, reference="穗发改〔2026〕18号").exists():
        services.pool_appropriate(
            pool_id=subsidy.pk,
            yuan=Decimal("50000"),
            reference="穗发改〔2026〕18号",
            actor=op_gz,
            note="2026年低碳日专项",
        )

    # Low Carbon Day: metro and bus rides earn double for a week, paid from the subsidy pool.
    if not Campaign.objects.filter(centre=gz, name="全国低碳日 · 公交地铁双倍碳币").exists():
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        services.campaign_create(
            centre=gz,
            pool_id=subsidy.pk,
            actor=op_gz,
            kind="multiplier",
            name="全国低碳日 · 公交地铁双倍碳币",
            starts_at=start,
            ends_at=start + timedelta(days=7),
            behaviours=["bus", "metro"],
            multiplier=Decimal("2"),
            description="低碳日当周，公交、地铁出行碳币翻倍。",
        )
    if not Campaign.objects.filter(centre=gz, name="低碳日现场兑换").exists():
        services.campaign_create(
            centre=gz,
            pool_id=subsidy.pk,
            actor=op_gz,
            kind="event",
            name="低碳日现场兑换",
            starts_at=now,
            ends_at=now + timedelta(days=30),
            behaviours=[],
            description="天河体育中心南广场，现场用碳币兑换节能灯。",
        )

    # Crowdfunding that succeeds: six Zhongshan residents fund a community rooftop PV array.
    pv = CrowdfundingProject.objects.filter(centre=zs, title="小榄北区社区屋顶光伏").first()
    if pv is None:
        pv = services.crowdfunding_create(
            centre=zs,
            actor=op_zs,
            kind="rooftop_pv",
            title="小榄北区社区屋顶光伏",
            target_coins=3000,
            deadline=now + timedelta(days=20),
            description="社区活动中心屋顶 30 kWp 光伏，发电供社区公共照明。",
        )
    if pv.status == CrowdfundingProject.Status.OPEN:
        _pledge_all(pv, _residents("ZS", range(10, 16)), 500)
    pv.refresh_from_db()
    out.append(f"{pv.title}: {pv.get_status_display()} ({pv.pledged_coins}/{pv.target_coins})")

    # Crowdfunding that fails: a solar EV charger misses its target; at the deadline everyone is refunded.
    ev = CrowdfundingProject.objects.filter(centre=gz, title="社区太阳能电动车充电桩").first()
    if ev is None:
        ev = services.crowdfunding_create(
            centre=gz,
            actor=op_gz,
            kind="ev_charger",
            title="社区太阳能电动车充电桩",
            target_coins=50000,
            deadline=now + timedelta(days=1),
            description="为小区非机动车棚加装光伏充电桩。",
        )
        _pledge_all(ev, _residents("GZ", range(20, 24)), 200)
        # The deadline passes (demo: move it into the past), then the scheduled task settles it.
        CrowdfundingProject.objects.filter(pk=ev.pk).update(deadline=now - timedelta(minutes=1))
    services.crowdfunding_settle_due()
    ev.refresh_from_db()
    out.append(f"{ev.title}: {ev.get_status_display()}")

    # An open one, for the live progress page.
    garden = CrowdfundingProject.objects.filter(centre=gz, title="天河南社区屋顶菜园").first()
    if garden is None:
        garden = services.crowdfunding_create(
            centre=gz,
            actor=op_gz,
            kind="allotment",
            title="天河南社区屋顶菜园",
            target_coins=5000,
            deadline=now + timedelta(days=30),
            description="屋顶菜园与厨余堆肥，居民认领种植。",
        )
        _pledge_all(garden, _residents("GZ", range(30, 33)), 300)

    # Public welfare.
    trees = Cause.objects.filter(centre=gz, title="帽峰山碳汇林植树").first()
    if trees is None:
        trees = services.cause_create(
            centre=gz,
            actor=op_gz,
            kind="tree_planting",
            title="帽峰山碳汇林植树",
            description="每100碳币种下一棵乡土树种（荷木、樟树），由林业站养护三年。",
        )
        for r in _residents("GZ", range(40, 46)):
            _topped_up(r, 100, f"cause:{trees.pk}")
            services.cause_donate(
                cause_id=trees.pk, resident=r, coins=100, idempotency_key=f"demo:cause:{trees.pk}:{r.pk}"
            )
        services.cause_update_publish(
            cause=trees,
            actor=op_gz,
            title="第一批6棵荷木已种下",
            coins_spent=600,
            body="2026年3月12日植树节，志愿者在帽峰山东坡种下6棵荷木，挂牌编号 MF-2026-001 至 006。",
        )
    mangrove = Cause.objects.filter(centre=zs, title="翠亨湿地红树林保护").first()
    if mangrove is None:
        services.cause_create(
            centre=zs,
            actor=op_zs,
            kind="mangrove",
            title="翠亨湿地红树林保护",
            description="补种秋茄与桐花树幼苗，清理互花米草。",
        )
    out.append(f"causes: {Cause.objects.count()}")
    return "; ".join(out)
