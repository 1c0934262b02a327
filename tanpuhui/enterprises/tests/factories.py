from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import UserFactory, make_staff
from tanpuhui.enterprises import services
from tanpuhui.enterprises.models import Enterprise
from tanpuhui.enterprises.validators import check_character

_counter = iter(range(10_000, 99_999))


def credit_code(centre_digits: str = "440100") -> str:
    body = f"91{centre_digits}MA{next(_counter):05d}XY"
    return body + check_character(body)


def make_enterprise(centre, *, verified=True, name="中山某照明公司") -> tuple[Enterprise, object]:
    user = UserFactory(centre=centre)
    enterprise = services.enterprise_register(
        user=user, name=name, credit_code=credit_code(), sector="lighting", centre_code=centre.code
    )
    if verified:
        operator = make_staff(Role.CENTRE_OPERATOR, centre)
        services.enterprise_verify(enterprise_id=enterprise.pk, actor=operator, approve=True)
        enterprise.refresh_from_db()
    return enterprise, user


def pdf(name="report.pdf", body=b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


STREETLIGHT_MONTHLY = [Decimal("22083.333")] * 11 + [Decimal("22083.337")]  # = 265,000 kWh in 2023


def streetlight_readings():
    """181 sodium lamps → LED: baseline 40,000 kWh a month, saving 265,000 kWh over 2023."""
    return [
        {
            "month": date(2023, m, 1),
            "carrier": "electricity",
            "baseline_qty": Decimal("40000"),
            "project_qty": Decimal("40000") - STREETLIGHT_MONTHLY[m - 1],
        }
        for m in range(1, 13)
    ]


def make_project(enterprise, user, **overrides):
    kwargs = dict(
        enterprise=enterprise,
        actor=user,
        title="181盏钠灯改LED路灯",
        kind="led_lighting",
        site="中山市东区某路",
        period_start=date(2023, 1, 1),
        period_end=date(2023, 12, 31),
        operating_hours_per_year=4380,
        reported_kg_co2e=Decimal("265000"),
    )
    kwargs.update(overrides)
    return services.project_create(**kwargs)


def make_approved_project(enterprise, user):
    project = make_project(enterprise, user)
    services.readings_replace(project=project, actor=user, readings=streetlight_readings())
    services.document_upload(project=project, actor=user, upload=pdf(), doc_type="metering_report")
    services.project_transition(project_id=project.pk, actor=user, step="submit")
    reviewer = make_staff(Role.CENTRE_REVIEWER, enterprise.centre)
    services.project_transition(project_id=project.pk, actor=reviewer, step="start_review")
    services.project_transition(project_id=project.pk, actor=reviewer, step="approve", comment="ok")
    project.refresh_from_db()
    return project
