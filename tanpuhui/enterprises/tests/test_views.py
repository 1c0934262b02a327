"""The enterprise portal on pages: register, add a colleague, a project with its table and documents,
submit, answer the reviewer, donate; field errors and refusals, never a 500."""

from datetime import date

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import ResidentFactory, UserFactory, make_staff
from tanpuhui.enterprises import services
from tanpuhui.enterprises.models import Enterprise, EnterpriseMember, RetrofitProject
from tanpuhui.enterprises.tests.factories import (
    credit_code,
    make_approved_project,
    make_enterprise,
    make_project,
    pdf,
    streetlight_readings,
)

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_register_an_enterprise_with_field_errors_first(zs):
    user = UserFactory(centre=zs)
    client = as_user(user)
    url = reverse("web:enterprise-register")
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"name": "中山明辉照明", "credit_code": "123", "sector": "lighting", "centre": "ZS"}
    )
    assert bad.status_code == 400
    assert bad.context["form"].errors["credit_code"] == ["A unified social credit code has 18 characters."]
    code = credit_code()
    done = client.post(
        url, {"name": "中山明辉照明", "credit_code": code, "sector": "lighting", "centre": "ZS"}
    )
    assert done.status_code == 302 and done["Location"] == reverse("web:enterprise-portal")
    enterprise = Enterprise.objects.get(credit_code=code)
    assert enterprise.members.filter(user=user).exists() and enterprise.status == Enterprise.Status.PENDING
    taken = client.post(url, {"name": "又一家", "credit_code": code, "sector": "lighting", "centre": "ZS"})
    assert taken.status_code == 400 and "already registered" in taken.context["form"].errors["credit_code"][0]


def test_add_a_colleague_by_phone(zs):
    enterprise, user = make_enterprise(zs)
    colleague = ResidentFactory(centre=zs, phone="13922220001")
    client = as_user(user)
    url = reverse("web:enterprise-member-add", args=[enterprise.pk])
    unknown = client.post(url, {"phone": "13922229999"})
    assert unknown.status_code == 400 and "register first" in unknown.content.decode()
    assert client.post(url, {"phone": "139 2222 0001"}).status_code == 302
    assert EnterpriseMember.objects.filter(enterprise=enterprise, user=colleague).exists()
    assert colleague.has_role(Role.ENTERPRISE_STAFF)
    # another enterprise's member cannot add people here
    _other, outsider = make_enterprise(zs, name="别家公司")
    assert as_user(outsider).post(url, {"phone": "13922220001"}).status_code == 404


def test_a_project_from_form_to_submission(zs):
    enterprise, user = make_enterprise(zs)
    client = as_user(user)
    new = reverse("web:enterprise-project-new")
    assert client.get(new).status_code == 200
    fields = {
        "enterprise": str(enterprise.pk),
        "title": "181盏钠灯改LED路灯",
        "kind": "led_lighting",
        "site": "中山市东区某路",
        "period_start": "2023-01-01",
        "period_end": "2022-12-31",
        "operating_hours_per_year": "4380",
        "reported_tonnes": "265",
    }
    wrong = client.post(new, fields)
    assert wrong.status_code == 400 and wrong.context["form"].errors["period_end"]
    hours = client.post(new, {**fields, "period_end": "2023-12-31", "operating_hours_per_year": "9000"})
    assert hours.status_code == 400 and "operating_hours_per_year" in hours.context["form"].errors
    made = client.post(new, {**fields, "period_end": "2023-12-31"})
    project = RetrofitProject.objects.get(enterprise=enterprise)
    assert made["Location"] == reverse("web:enterprise-project-readings", args=[project.pk])
    assert project.quantification["reported_kg_co2e"] == "265000"

    # edit
    edit = reverse("web:enterprise-project-edit", args=[project.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, {**fields, "period_end": "2023-12-31", "title": "钠灯改LED"})
    project.refresh_from_db()
    assert project.title == "钠灯改LED"

    # the monthly table: a month outside the period is a row error, nothing saved
    readings = reverse("web:enterprise-project-readings", args=[project.pk])
    assert client.get(readings).status_code == 200
    rows = {"r-TOTAL_FORMS": "2", "r-INITIAL_FORMS": "0", "r-MIN_NUM_FORMS": "0", "r-MAX_NUM_FORMS": "120"}
    row0 = {
        "r-0-month": "2023-01",
        "r-0-carrier": "electricity",
        "r-0-baseline_qty": "40000",
        "r-0-project_qty": "17916.667",
    }
    row1 = {
        "r-1-month": "2024-05",
        "r-1-carrier": "electricity",
        "r-1-baseline_qty": "40000",
        "r-1-project_qty": "1",
    }
    outside = client.post(readings, {**rows, **row0, **row1})
    assert (
        outside.status_code == 400
        and "outside the project&#x27;s monitoring period" in outside.content.decode()
    )
    assert not project.readings.exists()
    negative = client.post(
        readings, {**rows, **row0, **row1, "r-1-month": "2023-02", "r-1-project_qty": "-5"}
    )
    assert negative.status_code == 400 and negative.context["formset"].forms[1].errors["project_qty"]
    saved = client.post(
        readings, {**rows, **row0, **row1, "r-1-month": "2023-02", "r-1-project_qty": "17916.667"}
    )
    assert saved.status_code == 302 and project.readings.count() == 2

    # submitting without a document says what is missing
    submit = reverse("web:enterprise-project-submit", args=[project.pk])
    missing = client.post(submit, {"comment": ""})
    assert (
        missing.status_code == 400 and "Attach at least one supporting document" in missing.content.decode()
    )

    # documents: wrong type and too large are field errors, a PDF goes through
    upload = reverse("web:enterprise-document-add", args=[project.pk])
    exe = client.post(
        upload, {"doc_type": "invoice", "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")}
    )
    assert exe.status_code == 400 and "Upload a PDF, PNG, JPEG or XLSX file." in exe.content.decode()
    empty = client.post(upload, {"doc_type": "invoice", "file": SimpleUploadedFile("x.pdf", b"")})
    assert empty.status_code == 400
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (services.MAX_DOCUMENT_BYTES + 1))
    large = client.post(upload, {"doc_type": "invoice", "file": big})
    assert large.status_code == 400 and "larger than 10 MB" in large.content.decode()
    assert client.post(upload, {"doc_type": "metering_report", "file": pdf()}).status_code == 302
    document = project.documents.get()

    # the project page links the evidence; the link serves it
    page = client.get(reverse("web:enterprise-project", args=[project.pk])).content.decode()
    link = reverse("web:enterprise-document", args=[project.pk, document.pk])
    assert f'href="{link}"' in page
    shown = client.get(link)
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert b"".join(shown.streaming_content).startswith(b"%PDF-")
    assert "attachment" in client.get(link + "?download=1")["Content-Disposition"]

    assert client.post(submit, {"comment": ""}).status_code == 302
    project.refresh_from_db()
    assert project.status == RetrofitProject.Status.SUBMITTED
    history = client.get(reverse("web:enterprise-project", args=[project.pk])).content.decode()
    assert "Enterprise staff submitted the application" in history
    assert "enterprise_staff" not in history and "→" not in history
    # no more changes while under review
    assert client.post(edit, {**fields, "period_end": "2023-12-31"}).status_code == 409


def test_answer_the_reviewers_comments_and_submit_again(zs):
    enterprise, user = make_enterprise(zs)
    project = make_project(enterprise, user)
    services.readings_replace(project=project, actor=user, readings=streetlight_readings())
    services.document_upload(project=project, actor=user, upload=pdf(), doc_type="metering_report")
    services.project_transition(project_id=project.pk, actor=user, step="submit")
    reviewer = make_staff(Role.CENTRE_REVIEWER, zs)
    services.project_transition(project_id=project.pk, actor=reviewer, step="start_review")
    services.project_transition(project_id=project.pk, actor=reviewer, step="return", comment="请补充发票")
    client = as_user(user)
    page = client.get(reverse("web:enterprise-project", args=[project.pk])).content.decode()
    assert 'data-testid="review-comment"' in page and "请补充发票" in page
    assert "The centre&#x27;s reviewer returned it with comments" in page
    client.post(
        reverse("web:enterprise-document-add", args=[project.pk]),
        {"doc_type": "invoice", "file": pdf("invoice.pdf", b"%PDF-1.4 invoice")},
    )
    done = client.post(reverse("web:enterprise-project-submit", args=[project.pk]), {"comment": "已补充发票"})
    assert done.status_code == 302
    page = client.get(reverse("web:enterprise-project", args=[project.pk])).content.decode()
    assert "answered the comments and submitted again" in page and "已补充发票" in page


def test_documents_are_served_only_to_who_may_see_the_project(gz, zs):
    enterprise, user = make_enterprise(zs)
    project = make_approved_project(enterprise, user)
    document = project.documents.get()
    url = reverse("web:enterprise-document", args=[project.pk, document.pk])
    assert as_user(user).get(url).status_code == 200
    assert as_user(make_staff(Role.CENTRE_REVIEWER, zs)).get(url).status_code == 200
    assert as_user(make_staff(Role.CENTRE_REVIEWER, gz)).get(url).status_code == 404
    _other, outsider = make_enterprise(zs, name="别家公司")
    assert as_user(outsider).get(url).status_code == 404
    assert as_user(ResidentFactory(centre=zs)).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    other = make_project(
        _other, outsider, site="别处", period_start=date(2024, 1, 1), period_end=date(2024, 6, 30)
    )
    assert (
        as_user(user).get(reverse("web:enterprise-document", args=[other.pk, document.pk])).status_code == 404
    )


def test_donate_on_the_page_then_the_certificate_prints(zs, coin_ledger):
    enterprise, user = make_enterprise(zs)
    project = make_approved_project(enterprise, user)
    year = project.years.get()
    client = as_user(user)
    url = reverse("web:enterprise-project-donate", args=[project.pk])
    too_much = client.post(url, {"year": year.pk, "key": "k1", "tonnes": "99999"})
    assert too_much.status_code in (400, 409) and too_much.status_code != 500
    zero = client.post(url, {"year": year.pk, "key": "k1", "tonnes": "0"})
    assert zero.status_code == 400 and 'data-testid="donate-errors"' in zero.content.decode()
    done = client.post(url, {"year": year.pk, "key": "k2", "tonnes": "10"})
    assert done.status_code == 302 and done["Location"].startswith("/certificates/")
    certificate = client.get(done["Location"]).content.decode()
    assert 'data-testid="print"' in certificate


def test_a_pending_enterprise_cannot_start_a_project_and_is_told_why(zs):
    _enterprise, user = make_enterprise(zs, verified=False)
    page = as_user(user).get(reverse("web:enterprise-project-new"))
    assert page.status_code == 200 and 'data-testid="no-verified-enterprise"' in page.content.decode()


def test_someone_without_an_enterprise_is_sent_to_register_first(zs):
    page = as_user(ResidentFactory(centre=zs)).get(reverse("web:enterprise-project-new"))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="no-enterprise"' in html
    assert reverse("web:enterprise-register") in html and 'data-testid="project-form"' not in html
