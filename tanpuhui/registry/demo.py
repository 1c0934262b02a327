"""Registry demo: two carbon-inclusion projects issued as PHCER and used.

- Transit: the Guangzhou centre's residents' metro rides of 2026 (the metering demo's rides plus a
  further batch from 羊城通 through the real pipeline), one monitoring report through every step, issued
  to the centre's account; part sold to an ETS emitter who retires it for the 2026 compliance year, part
  retired for Low Carbon Day; the sale's proceeds booked into a Guangzhou funding pool that funds a
  breakfast offer a resident redeems.
- Forestry: 五桂山桂南村 (Zhongshan) afforestation plots recorded by the forestry surveyors, quantified by
  forest type, issued to the village's account; part sold to the same emitter and retired.

Idempotent: every step looks for what it would make first.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps
from django.utils import timezone

from tanpuhui.accounts.demo import (
    DEMO_PASSWORD,
    RESIDENTS_PER_CENTRE,
    resident_numbers,
    staff_member,
)
from tanpuhui.accounts.models import Binding, Role, User
from tanpuhui.accounts.services import role_grant
from tanpuhui.funding import demo as funding_demo
from tanpuhui.funding import services as funding
from tanpuhui.funding.models import FundingPool
from tanpuhui.metering import services as metering
from tanpuhui.metering.models import DataProvider
from tanpuhui.registry import forestry_seed, services
from tanpuhui.registry.models import (
    CarbonProject,
    CreditBlock,
    EtsCap,
    MonitoringReport,
    RegistryAccount,
    Retirement,
    Sale,
    SurveyPlot,
)
from tanpuhui.tenancy.models import Centre

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026
PRICE_FEN = 2_500  # 25 yuan a tonne, the order of Guangdong PHCER prices on the exchange


def _officer() -> User | None:
    return User.objects.filter(role_assignments__role=Role.PROVINCIAL_OFFICER).order_by("phone").first()


def _verifier(centre: Centre) -> User:
    user = User.objects.filter(phone="13800000140").first()
    if user is None:
        user = User.objects.create_user(
            phone="13800000140", password=DEMO_PASSWORD, display_name="广州赛宝认证中心核查员"
        )
    from_roles = set(user.role_assignments.values_list("centre_id", flat=True))
    if centre.pk not in from_roles:
        role_grant(user=user, role=Role.VERIFIER, centre=centre)
    return User.objects.get(pk=user.pk)


def _extra_rides(gz: Centre) -> int:
    """A further month-by-month batch of metro rides of the GZ residents (羊城通), through metering."""
    provider = DataProvider.objects.filter(centre=gz, code="gz-yct").first()
    if provider is None:
        return 0
    rng = random.Random("registry-gz-metro")
    rows = []
    start, end = date(YEAR, 6, 1), min(timezone.localdate() - timedelta(days=2), date(YEAR, 11, 30))
    for i in range(1, RESIDENTS_PER_CENTRE + 1):
        card = resident_numbers("GZ", i)[Binding.Kind.TRANSIT_CARD]
        day = start
        while day <= end:
            for hour in (8, 18):
                if rng.random() < 0.75:
                    boarded = datetime.combine(day, time(hour, rng.randint(0, 59)), TZ)
                    rows.append(
                        [f"{card}-m-{boarded:%Y%m%d%H%M}", card, "metro", boarded.isoformat(), "", "", ""]
                    )
            day += timedelta(days=1)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["record_id", "card", "mode", "boarded_at", "origin", "destination", "distance_km"])
    writer.writerows(rows)
    batch, duplicate = metering.batch_receive(
        provider=provider,
        record_type="transit_trip",
        file_format="csv",
        stream=io.BytesIO(out.getvalue().encode()),
        original_name=f"gz-metro-registry-{YEAR}.csv",
        enqueue=False,
    )
    if not duplicate:
        metering.batch_process(batch_id=batch.pk)
    return len(rows)


def _through_workflow(
    report: MonitoringReport, operator: User, verifier: User, officer: User, reviewer: User
) -> None:
    today = timezone.localdate()
    if report.state == MonitoringReport.State.DRAFT:
        # the notice opened long enough ago for seven working days to have passed
        services.report_open_notice(report_id=report.pk, actor=operator, start=today - timedelta(days=21))
        report.refresh_from_db()
    if report.state == MonitoringReport.State.PUBLIC_NOTICE:
        services.report_verify(
            report_id=report.pk,
            actor=verifier,
            statement="经核查，监测数据与数据提供方原始记录一致，减排量计算符合方法学。",
        )
        report.refresh_from_db()
    if report.state == MonitoringReport.State.VERIFIED:
        services.report_city_review(report_id=report.pk, actor=reviewer, comment="市级初审通过")
        report.refresh_from_db()
    if report.state == MonitoringReport.State.CITY_REVIEWED:
        services.report_approve(report_id=report.pk, actor=officer, comment="省级审定通过，同意签发")
        report.refresh_from_db()
    if report.state == MonitoringReport.State.APPROVED and report.tonnes > 0:
        services.report_issue(report_id=report.pk, actor=officer)


def _held(account: RegistryAccount, project: CarbonProject) -> CreditBlock | None:
    return (
        CreditBlock.objects.filter(account=account, project=project, status=CreditBlock.Status.ACTIVE)
        .order_by("serial_start")
        .first()
    )


def load() -> str:
    centres = {c.code: c for c in Centre.objects.filter(code__in=["GZ", "ZS"])}
    officer = _officer()
    if len(centres) < 2 or officer is None:
        return "skipped (no GZ/ZS centres or provincial officer)"
    gz, zs = centres["GZ"], centres["ZS"]
    op_gz, op_zs = staff_member(Role.CENTRE_OPERATOR, "GZ"), staff_member(Role.CENTRE_OPERATOR, "ZS")
    if op_gz is None or op_zs is None:
        return "skipped (no centre operators)"
    reviewer_gz = staff_member(Role.CENTRE_REVIEWER, "GZ") or op_gz
    reviewer_zs = staff_member(Role.CENTRE_REVIEWER, "ZS") or op_zs
    forestry_seed.apply(apps)
    out = []

    # Accounts ------------------------------------------------------------------------------------
    pool = FundingPool.objects.filter(centre=gz, name_zh="碳普惠核证减排量出售收益").first()
    if pool is None:
        pool = funding.pool_create(
            centre=gz,
            source="commercial",
            name_zh="碳普惠核证减排量出售收益",
            name_en="PHCER credit sale proceeds",
            sponsor="广州碳排放权交易所成交",
            actor=op_gz,
        )
    centre_acct = services.account_create(
        kind="centre", name=gz.name_zh, centre=gz, members=(op_gz,), funding_pool=pool
    )
    if centre_acct.funding_pool_id is None:
        RegistryAccount.objects.filter(pk=centre_acct.pk).update(funding_pool=pool)
        centre_acct.refresh_from_db()
    village = services.account_create(kind="village", name="中山市五桂山桂南村", centre=zs, members=(op_zs,))
    emitter_user = User.objects.filter(phone="13800000141").first() or User.objects.create_user(
        phone="13800000141", password=DEMO_PASSWORD, display_name="某电厂碳资产主管"
    )
    emitter = services.account_create(
        kind="ets_emitter", name="广州某燃煤电厂（示例）", centre=gz, members=(emitter_user,)
    )
    EtsCap.objects.get_or_create(
        account=emitter,
        compliance_year=YEAR,
        defaults={
            "previous_year_emissions_t": 3_200_000,
            "offset_share": Decimal("0.10"),
            "source": "广东省碳排放配额管理：控排企业抵销比例不超过上年度实际碳排放量的10%",
        },
    )
    services.account_create(kind="exchange", name="广州碳排放权交易所", centre=gz)

    # Transit project -----------------------------------------------------------------------------
    rides = _extra_rides(gz)
    transit = CarbonProject.objects.filter(
        title="广州市民地铁出行碳普惠项目"
    ).first() or services.project_create(
        actor=op_gz,
        centre=gz,
        owner=centre_acct,
        methodology_code="metro",
        title="广州市民地铁出行碳普惠项目",
        kind=CarbonProject.Kind.TRANSIT,
        boundary="广州碳普惠运营中心注册居民的地铁出行（羊城通刷卡记录）",
        crediting_start=date(2026, 1, 1),
        crediting_end=date(2030, 12, 31),
    )
    verifier_gz = _verifier(gz)
    report = transit.reports.order_by("created_at").first() or services.report_create(
        actor=op_gz, project=transit, period_start=date(YEAR, 1, 1), period_end=date(YEAR, 11, 30)
    )
    _through_workflow(report, op_gz, verifier_gz, officer, reviewer_gz)
    report.refresh_from_db()
    out.append(f"transit report {report.tonnes} t ({report.kg_total:.0f} kg from {rides} extra rides)")

    # Forestry project ----------------------------------------------------------------------------
    forest = CarbonProject.objects.filter(
        title="五桂山桂南村造林碳汇项目"
    ).first() or services.project_create(
        actor=op_zs,
        centre=zs,
        owner=village,
        methodology_code=forestry_seed.METHODOLOGY_CODE,
        title="五桂山桂南村造林碳汇项目",
        kind=CarbonProject.Kind.FORESTRY,
        boundary="中山市五桂山街道桂南村集体林地造林地块（林业调查规划队登记）",
        crediting_start=date(2020, 1, 1),
        crediting_end=date(2039, 12, 31),
    )
    for plot_id, forest_type, area in (
        ("GN-01", "chinese_fir", "42.5"),
        ("GN-02", "broadleaf", "61.0"),
        ("GN-03", "mixed", "28.3"),
    ):
        if not SurveyPlot.objects.filter(project=forest, plot_id=plot_id, year=YEAR - 1).exists():
            services.plot_record(
                project=forest,
                surveyor=op_zs,
                plot_id=plot_id,
                year=YEAR - 1,
                forest_type=forest_type,
                area_ha=area,
            )
    forest_report = forest.reports.order_by("created_at").first() or services.report_create(
        actor=op_zs, project=forest, period_start=date(YEAR - 1, 1, 1), period_end=date(YEAR - 1, 12, 31)
    )
    _through_workflow(forest_report, op_zs, _verifier(zs), officer, reviewer_zs)
    forest_report.refresh_from_db()
    out.append(f"forestry report {forest_report.tonnes} t")

    # Use: sale to the emitter, compliance retirement, Low Carbon Day -----------------------------
    block = _held(centre_acct, transit)
    if block is not None and not Sale.objects.filter(seller=centre_acct).exists() and block.quantity >= 4:
        sold = max(1, block.quantity // 2)
        services.credits_transfer(
            block_id=block.pk, quantity=sold, to_account=emitter, actor=op_gz, idempotency_key="demo:sale:transit",
            price_fen=PRICE_FEN,
        )  # fmt: skip
    block = _held(centre_acct, transit)
    if block is not None and not Retirement.objects.filter(account=centre_acct).exists():
        services.credits_retire(
            block_id=block.pk,
            quantity=max(1, block.quantity // 2),
            actor=op_gz,
            idempotency_key="demo:retire:low-carbon-day",
            beneficiary="2026年全国低碳日广东主场活动",
            purpose=Retirement.Purpose.VOLUNTARY,
            event="全国低碳日（6月）活动碳中和",
        )
    forest_block = _held(village, forest)
    if forest_block is not None and not Sale.objects.filter(seller=village).exists():
        services.credits_transfer(
            block_id=forest_block.pk, quantity=min(300, forest_block.quantity), to_account=emitter, actor=op_zs,
            idempotency_key="demo:sale:forest", price_fen=PRICE_FEN + 500,
        )  # fmt: skip
    for held in CreditBlock.objects.filter(account=emitter, status=CreditBlock.Status.ACTIVE).order_by("pk"):
        if not Retirement.objects.filter(account=emitter, movement__source__project=held.project).exists():
            services.credits_retire(
                block_id=held.pk,
                quantity=held.quantity,
                actor=emitter_user,
                idempotency_key=f"demo:retire:ets:{held.project.number}",
                beneficiary=emitter.name,
                purpose=Retirement.Purpose.ETS_COMPLIANCE,
                compliance_year=YEAR,
            )
    sale = Sale.objects.filter(seller=centre_acct, booked_pool__isnull=True).first()
    if sale is not None:
        services.sale_book_proceeds(sale_id=sale.pk, actor=op_gz)
    booked = Sale.objects.filter(seller=centre_acct).first()
    if booked is not None:
        out.append(f"sold {booked.quantity} t for {booked.proceeds_fen / 100:.2f} yuan into {pool.name_zh}")
        out.append(
            funding_demo.pool_offer_redeemed(
                pool=pool,
                centre=gz,
                title="碳普惠减排量收益 · 地铁早餐券",
                price_coins=50,
                stock=40,
                description="由广州居民地铁出行减排量签发的碳普惠核证减排量出售所得资助。",
                resident_index=7,
                key="registry",
                welcome_memo="碳普惠收益专场欢迎奖励 (demo)",
            )
        )
    retired = sum(Retirement.objects.values_list("quantity", flat=True))
    out.append(f"{retired} t retired")
    return "; ".join(out)
