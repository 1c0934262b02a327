"""Demo: a Zhongshan lighting company from registration to an approved street-light retrofit, a
donation of its reduction into the Zhongshan donation pool, an offer funded by that pool and a
resident who redeems it (the bakery's cashier verifies the voucher, the pool pays in coins).
The same company's second retrofit (a workshop lighting upgrade) waits in the Zhongshan reviewer's queue,
and a Dongguan hardware factory has a motor retrofit waiting in Dongguan's. Idempotent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tanpuhui.accounts.demo import DEMO_PASSWORD, staff_member
from tanpuhui.accounts.models import Role, User
from tanpuhui.enterprises import services
from tanpuhui.enterprises.models import Donation, Enterprise, RetrofitProject
from tanpuhui.enterprises.validators import check_character
from tanpuhui.funding import demo as funding_demo
from tanpuhui.methodology import registry
from tanpuhui.methodology.models import Parameter
from tanpuhui.tenancy.models import Centre

# (phone, display name, centre) — log in with DEMO_PASSWORD
ENTERPRISE_STAFF = [
    ("13800002001", "中山明辉照明 张经理", "ZS"),
    ("13800003001", "东莞恒达五金 李厂长", "DG"),
]


def _uscc(body17: str) -> str:
    return body17 + check_character(body17)


def demo_user(phone: str, name: str, centre: Centre) -> User:
    """A demo staff login (password ``DEMO_PASSWORD``), created once; other demos reuse it."""
    user = User.objects.filter(phone=phone).first()
    if user is None:
        user = User.objects.create(
            phone=phone, display_name=name, centre=centre, password=make_password(DEMO_PASSWORD)
        )
    return user


def demo_enterprise(user: User, centre: Centre, name: str, body17: str, sector: str) -> Enterprise:
    """A registered, approved demo enterprise with ``user`` as its member, created once; other demos reuse it."""
    enterprise = Enterprise.objects.filter(credit_code=_uscc(body17)).first()
    if enterprise is None:
        enterprise = services.enterprise_register(
            user=user, name=name, credit_code=_uscc(body17), sector=sector, centre_code=centre.code
        )
    operator = staff_member(Role.CENTRE_OPERATOR, centre.code)
    if enterprise.status == Enterprise.Status.PENDING and operator is not None:
        enterprise = services.enterprise_verify(
            enterprise_id=enterprise.pk, actor=operator, approve=True, note="营业执照核验一致"
        )
    return enterprise


def _ensure_grid_factor() -> None:
    """The retrofit needs a South China grid factor in force today (the methodology migrations seed the
    MEE series; this only covers a registry that was emptied)."""
    try:
        registry.factor(code="electricity", on=timezone.localdate())
    except registry.MethodUnavailable:
        Parameter.objects.create(
            code="grid_ef",
            name_zh="南方区域电网平均二氧化碳排放因子",
            name_en="China Southern Power Grid average CO2 emission factor",
            value=Decimal("0.4042"),
            unit="kg_co2e/kWh",
            region="south_china_grid",
            year=2023,
            source_publication="区域电网平均二氧化碳排放因子（南方区域，2023年）",
            source_issuer="生态环境部",
            source_year=2024,
            derivation="Value used by issue 7 (enterprises demo); check against the published notice.",
            valid_from=date(2023, 1, 1),
        )


def _metering_report_pdf(title: str) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont("STSong-Light", 14)
    pdf.drawString(72, 760, title)
    pdf.drawString(72, 736, "改造前后分项计量报告（演示数据）")
    pdf.save()
    return buffer.getvalue()


def _streetlight_project(enterprise: Enterprise, user: User) -> RetrofitProject:
    title = "小榄镇北区181盏高压钠灯改LED路灯"
    project = RetrofitProject.objects.filter(enterprise=enterprise, title=title).first()
    if project is None:
        project = services.project_create(
            enterprise=enterprise,
            actor=user,
            title=title,
            kind=RetrofitProject.Kind.LED_LIGHTING,
            site="中山市小榄镇北区市政道路",
            period_start=date(2023, 1, 1),
            period_end=date(2023, 12, 31),
            operating_hours_per_year=4380,
            reported_kg_co2e=Decimal("265000"),
            description="181盏250W高压钠灯更换为100W LED路灯，年节电265,000 kWh；企业按1 kg CO₂/kWh 估算为265吨。",
        )
    if project.editable and not project.readings.exists():
        monthly = [Decimal("22083.333")] * 11 + [Decimal("22083.337")]
        services.readings_replace(
            project=project,
            actor=user,
            readings=[
                {
                    "month": date(2023, m, 1),
                    "carrier": "electricity",
                    "baseline_qty": Decimal("39628"),
                    "project_qty": Decimal("39628") - monthly[m - 1],
                }
                for m in range(1, 13)
            ],
        )
    project = _report_and_submit(project, user=user, title=title, filename="metering-report-2023.pdf")
    reviewer = staff_member(Role.CENTRE_REVIEWER, enterprise.centre.code)
    if reviewer is not None:
        if project.status == RetrofitProject.Status.SUBMITTED:
            project = services.project_transition(project_id=project.pk, actor=reviewer, step="start_review")
        if project.status == RetrofitProject.Status.UNDER_REVIEW:
            project = services.project_transition(
                project_id=project.pk,
                actor=reviewer,
                step="approve",
                comment="计量报告与灯具清单一致，按南方电网2023年排放因子核定。",
            )
    project.refresh_from_db()
    return project


def _pending_workshop_project(enterprise: Enterprise, user: User) -> RetrofitProject | None:
    """A second Zhongshan retrofit, submitted and waiting for the Zhongshan reviewer (13800000022)."""
    if enterprise.status != Enterprise.Status.VERIFIED:
        return None
    title = "小榄厂区车间照明LED改造"
    project = RetrofitProject.objects.filter(enterprise=enterprise, title=title).first()
    if project is None:
        project = services.project_create(
            enterprise=enterprise,
            actor=user,
            title=title,
            kind=RetrofitProject.Kind.LED_LIGHTING,
            site="中山市小榄镇工业大道厂区一号车间",
            period_start=date(2024, 1, 1),
            period_end=date(2024, 6, 30),
            operating_hours_per_year=5000,
            description="420支T8荧光灯管更换为LED灯管，车间分项电表计量。",
        )
    if project.editable and not project.readings.exists():
        services.readings_replace(
            project=project,
            actor=user,
            readings=[
                {
                    "month": date(2024, m, 1),
                    "carrier": "electricity",
                    "baseline_qty": Decimal("18400"),
                    "project_qty": Decimal("10900"),
                }
                for m in range(1, 7)
            ],
        )
    project = _report_and_submit(project, user=user, title=title, filename="workshop-metering-2024.pdf")
    return project


def _report_and_submit(project: RetrofitProject, *, user: User, title: str, filename: str) -> RetrofitProject:
    """Attach the demo's metering report (once) and submit the draft, as the enterprise's staff would."""
    if project.editable and not project.documents.exists():
        services.document_upload(
            project=project,
            actor=user,
            doc_type="metering_report",
            upload=SimpleUploadedFile(filename, _metering_report_pdf(title), content_type="application/pdf"),
        )
    if project.status == RetrofitProject.Status.DRAFT:
        project = services.project_transition(project_id=project.pk, actor=user, step="submit")
    return project


def load() -> str:
    centres = {c.code: c for c in Centre.objects.filter(code__in=["ZS", "DG"])}
    if "ZS" not in centres:
        return "skipped (no ZS centre)"
    _ensure_grid_factor()
    phone, name, code = ENTERPRISE_STAFF[0]
    owner = demo_user(phone, name, centres[code])
    lighting = demo_enterprise(
        owner, centres["ZS"], "中山明辉照明工程有限公司", "91442000MA4UXL7Q0", "lighting"
    )
    project = _streetlight_project(lighting, owner)
    summary = [f"{lighting.name}: {project.get_status_display()} {project.kg_co2e} kg"]
    year = project.years.filter(year=2023).first()
    if year is not None:
        donation = Donation.objects.filter(idempotency_key="demo:donation:zs-streetlight-2023").first()
        if donation is None:
            donation = services.donation_create(
                enterprise=lighting,
                actor=owner,
                reduction_year_id=year.pk,
                kg_co2e=Decimal("100000"),
                idempotency_key="demo:donation:zs-streetlight-2023",
                public_thanks=True,
            )
        summary.append(
            f"donated 100 t → {donation.coins} coins, certificate /certificates/{donation.verification_code}/"
        )
        summary.append(
            funding_demo.pool_offer_redeemed(
                pool=donation.pool,
                centre=centres["ZS"],
                title="企业减排捐赠 · 低碳早餐券",
                price_coins=60,
                stock=200,
                description="由中山明辉照明捐赠的减排量折算碳币资助。",
                resident_index=5,
                key="enterprise-offer",
                welcome_memo="企业捐赠专场欢迎奖励 (demo)",
            )
        )
    pending = _pending_workshop_project(lighting, owner)
    if pending is not None:
        summary.append(f"{pending.title}: {pending.get_status_display()}")
    if "DG" in centres:
        phone, name, code = ENTERPRISE_STAFF[1]
        dg_user = demo_user(phone, name, centres["DG"])
        factory = demo_enterprise(
            dg_user, centres["DG"], "东莞恒达五金制品有限公司", "91441900MA51GH2K3", "manufacturing"
        )
        title = "冲压车间空压机与水泵变频改造"
        dg_project = RetrofitProject.objects.filter(enterprise=factory, title=title).first()
        if dg_project is None and factory.status == Enterprise.Status.VERIFIED:
            dg_project = services.project_create(
                enterprise=factory,
                actor=dg_user,
                title=title,
                kind=RetrofitProject.Kind.MOTOR_PUMP,
                site="东莞市长安镇厂区",
                period_start=date(2024, 1, 1),
                period_end=date(2024, 6, 30),
                operating_hours_per_year=6000,
            )
            services.readings_replace(
                project=dg_project,
                actor=dg_user,
                readings=[
                    {
                        "month": date(2024, m, 1),
                        "carrier": "electricity",
                        "baseline_qty": Decimal("52000"),
                        "project_qty": Decimal("44500"),
                    }
                    for m in range(1, 7)
                ],
            )
            services.document_upload(
                project=dg_project,
                actor=dg_user,
                doc_type="energy_audit",
                upload=SimpleUploadedFile(
                    "energy-audit.pdf", _metering_report_pdf(title), content_type="application/pdf"
                ),
            )
            dg_project = services.project_transition(project_id=dg_project.pk, actor=dg_user, step="submit")
        if dg_project is not None:
            summary.append(f"{factory.name}: {dg_project.get_status_display()}")
    return "; ".join(summary)
