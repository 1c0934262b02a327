from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import UserFactory, make_staff
from tanpuhui.enterprises.models import Donation
from tanpuhui.enterprises.tests.factories import (
    credit_code,
    make_approved_project,
    make_enterprise,
    make_project,
)

pytestmark = pytest.mark.django_db


def readings_json():
    return {
        "readings": [
            {
                "month": f"2023-{m:02d}-01",
                "carrier": "electricity",
                "baseline_qty": "40000",
                "project_qty": str(
                    Decimal("40000") - (Decimal("22083.337") if m == 12 else Decimal("22083.333"))
                ),
            }
            for m in range(1, 13)
        ]
    }


def test_full_flow_through_the_api(gz, client_for):
    owner = UserFactory(centre=gz)
    api = client_for(owner)
    r = api.post(
        "/api/v1/enterprises",
        {"name": "中山某照明公司", "credit_code": "91350100M000100Y44", "sector": "lighting", "centre": "GZ"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_credit_code"
    r = api.post(
        "/api/v1/enterprises",
        {"name": "中山某照明公司", "credit_code": credit_code(), "sector": "lighting", "centre": "GZ"},
        format="json",
    )
    assert r.status_code == 201, r.content
    enterprise_id = r.json()["id"]
    operator = make_staff(Role.CENTRE_OPERATOR, gz)
    r = client_for(operator).post(
        f"/api/v1/staff/enterprises/{enterprise_id}/verify", {"approve": True}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "verified"
    owner.__dict__.pop("_roles", None)
    api = client_for(owner)
    r = api.post(
        "/api/v1/enterprise/projects",
        {
            "enterprise": enterprise_id,
            "title": "181盏钠灯改LED",
            "kind": "led_lighting",
            "site": "东区某路",
            "period_start": "2023-01-01",
            "period_end": "2023-12-31",
            "operating_hours_per_year": 4380,
            "reported_kg_co2e": "265000",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    r = api.put(f"/api/v1/enterprise/projects/{pid}/readings", readings_json(), format="json")
    assert r.status_code == 200 and r.json()["kg_co2e"] == "107113.0000"
    bad = readings_json()
    bad["readings"][0]["project_qty"] = "-1"
    r = api.put(f"/api/v1/enterprise/projects/{pid}/readings", bad, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "reduction_exceeds_baseline"
    r = api.post(
        f"/api/v1/enterprise/projects/{pid}/documents",
        {"doc_type": "photo", "file": SimpleUploadedFile("a.txt", b"hello")},
        format="multipart",
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "file_type"
    r = api.post(
        f"/api/v1/enterprise/projects/{pid}/documents",
        {"doc_type": "metering_report", "file": SimpleUploadedFile("m.pdf", b"%PDF-1.7 metering")},
        format="multipart",
    )
    assert r.status_code == 201 and len(r.json()["sha256"]) == 64
    r = api.post(f"/api/v1/enterprise/projects/{pid}/submit", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    reviewer = client_for(make_staff(Role.CENTRE_REVIEWER, gz))
    assert any(p["id"] == pid for p in reviewer.get("/api/v1/staff/retrofits").json()["results"])
    for action in ("start_review", "approve"):
        r = reviewer.post(f"/api/v1/staff/retrofits/{pid}/review", {"action": action}, format="json")
        assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "approved" and [h["to_status"] for h in body["history"]] == [
        "submitted",
        "under_review",
        "approved",
    ]
    year_id = body["years"][0]["id"]
    r = api.post(
        "/api/v1/enterprise/donations",
        {"reduction_year": year_id, "kg_co2e": "200000"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "exceeds_approved"
    r = api.post(
        "/api/v1/enterprise/donations",
        {"reduction_year": year_id, "kg_co2e": "107113", "public_thanks": True},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k2",
    )
    assert r.status_code == 201, r.content
    again = api.post(
        "/api/v1/enterprise/donations",
        {"reduction_year": year_id, "kg_co2e": "107113", "public_thanks": True},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k2",
    )
    assert again.status_code == 201 and again.json()["id"] == r.json()["id"] and Donation.objects.count() == 1
    code = r.json()["verification_code"]
    public = client_for(UserFactory(centre=gz))
    public.force_authenticate(None)
    cert = public.get(f"/api/v1/certificates/{code}")
    assert cert.status_code == 200 and cert.json()["kg_co2e"] == "107113.0000"
    assert public.get("/api/v1/certificates/NOSUCHCODE00").status_code == 404
    names = [row["enterprise"] for row in public.get("/api/v1/thank-you").json()["results"]]
    assert names == ["中山某照明公司"]


def test_walls_other_enterprise_other_centre_resident(gz, zs, client_for, resident):
    enterprise, user = make_enterprise(gz)
    project = make_project(enterprise, user)
    _other, stranger = make_enterprise(gz, name="别家公司")
    s = client_for(stranger)
    assert s.get(f"/api/v1/enterprise/projects/{project.pk}").status_code == 404
    assert (
        s.put(
            f"/api/v1/enterprise/projects/{project.pk}/readings", readings_json(), format="json"
        ).status_code
        == 404
    )
    assert s.post(f"/api/v1/enterprise/projects/{project.pk}/submit", {}, format="json").status_code == 404
    assert (
        s.post(
            "/api/v1/enterprise/projects",
            {
                "enterprise": str(enterprise.pk),
                "title": "x",
                "kind": "led_lighting",
                "site": "y",
                "period_start": "2024-01-01",
                "period_end": "2024-12-31",
                "operating_hours_per_year": 10,
            },
            format="json",
        ).status_code
        == 404
    )
    assert project.pk not in [p["id"] for p in s.get("/api/v1/enterprise/projects").json()["results"]]
    zs_reviewer = client_for(make_staff(Role.CENTRE_REVIEWER, zs))
    assert zs_reviewer.get(f"/api/v1/staff/retrofits/{project.pk}").status_code == 404
    assert (
        zs_reviewer.post(
            f"/api/v1/staff/retrofits/{project.pk}/review", {"action": "start_review"}, format="json"
        ).status_code
        == 404
    )
    assert (
        zs_reviewer.post(
            f"/api/v1/staff/enterprises/{enterprise.pk}/verify", {"approve": False}, format="json"
        ).status_code
        == 404
    )
    r = client_for(resident)
    assert r.get(f"/api/v1/enterprise/projects/{project.pk}").status_code == 403
    assert r.get("/api/v1/staff/retrofits").status_code == 403
    assert (
        r.post(
            f"/api/v1/staff/retrofits/{project.pk}/review", {"action": "approve"}, format="json"
        ).status_code
        == 403
    )
    # enterprise staff are not centre staff
    assert client_for(user).get("/api/v1/staff/retrofits").status_code == 403


def test_donation_of_another_enterprise_is_404(gz, client_for):
    enterprise, user = make_enterprise(gz)
    year = make_approved_project(enterprise, user).years.get()
    _other, stranger = make_enterprise(gz, name="别家公司")
    r = client_for(stranger).post(
        "/api/v1/enterprise/donations",
        {"reduction_year": year.pk, "kg_co2e": "1"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="x",
    )
    assert r.status_code == 404


def test_project_page_explains_the_figure_and_certificate_pages(gz, client):
    enterprise, user = make_enterprise(gz)
    project = make_approved_project(enterprise, user)
    client.force_login(user)
    page = client.get(f"/enterprise/projects/{project.pk}/").content.decode()
    assert (
        "107.113 t" in page
        and "0.4042" in page
        and "2023" in page
        and "Ministry of Ecology and Environment" in page
        and "265.000" in page
    )
    from tanpuhui.enterprises import services

    donation = services.donation_create(
        enterprise=enterprise,
        actor=user,
        reduction_year_id=project.years.get().pk,
        kg_co2e=Decimal("1000"),
        idempotency_key="w",
    )
    client.logout()
    html = client.get(f"/certificates/{donation.verification_code}/").content.decode()
    assert donation.verification_code in html and enterprise.name in html
    pdf = client.get(f"/certificates/{donation.verification_code}/pdf")
    assert pdf.status_code == 200 and pdf.getvalue().startswith(b"%PDF")
    assert client.get("/certificates/WRONG/").status_code == 404
    # another enterprise's user cannot open the project page
    _other, stranger = make_enterprise(gz, name="别家公司")
    client.force_login(stranger)
    assert client.get(f"/enterprise/projects/{project.pk}/").status_code == 404
    client.force_login(make_staff(Role.CENTRE_REVIEWER, gz))
    assert client.get(f"/enterprise/projects/{project.pk}/").status_code == 200
    assert client.get("/staff/retrofits/").status_code == 200


def test_review_and_donate_from_the_pages(gz, zs, client):
    from tanpuhui.enterprises import services

    enterprise, user = make_enterprise(gz)
    project = make_project(enterprise, user)
    from tanpuhui.enterprises.tests.factories import pdf, streetlight_readings

    services.readings_replace(project=project, actor=user, readings=streetlight_readings())
    services.document_upload(project=project, actor=user, upload=pdf(), doc_type="metering_report")
    services.project_transition(project_id=project.pk, actor=user, step="submit")
    url = f"/enterprise/projects/{project.pk}/review"
    client.force_login(make_staff(Role.CENTRE_REVIEWER, zs))
    assert client.post(url, {"action": "start_review"}).status_code == 404  # another centre
    client.force_login(user)
    client.post(url, {"action": "start_review"})  # the enterprise can't review itself
    project.refresh_from_db()
    assert project.status == "submitted"
    client.force_login(make_staff(Role.CENTRE_REVIEWER, gz))
    assert "start_review" in client.get(f"/enterprise/projects/{project.pk}/").content.decode()
    client.post(url, {"action": "start_review"})
    client.post(url, {"action": "approve", "comment": "ok"})
    project.refresh_from_db()
    assert project.status == "approved"
    year = project.years.get()
    client.force_login(user)
    r = client.post(
        f"/enterprise/projects/{project.pk}/donate", {"year": year.pk, "tonnes": "200", "key": "a"}
    )
    year.refresh_from_db()
    # more than approved: refused on the page itself, with the reason, nothing donated
    assert r.status_code == 400 and 'data-testid="donate-errors"' in r.content.decode()
    assert year.donated_kg == 0
    r = client.post(
        f"/enterprise/projects/{project.pk}/donate",
        {"year": year.pk, "tonnes": "7.113", "key": "b", "public_thanks": "on"},
    )
    donation = Donation.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/certificates/{donation.verification_code}/"
    assert donation.kg_co2e == Decimal("7113.000")


def test_review_queue_query_count_does_not_grow(gz, client_for, django_assert_max_num_queries):
    from tanpuhui.enterprises import services
    from tanpuhui.enterprises.tests.factories import pdf, streetlight_readings

    enterprise, user = make_enterprise(gz)
    for i in range(4):
        project = make_project(enterprise, user, site=f"路段{i}")
        services.readings_replace(project=project, actor=user, readings=streetlight_readings())
        services.document_upload(
            project=project, actor=user, upload=pdf(body=b"%PDF-1.4 " + bytes([i])), doc_type="photo"
        )
        services.project_transition(project_id=project.pk, actor=user, step="submit")
    reviewer = client_for(make_staff(Role.CENTRE_REVIEWER, gz))
    with django_assert_max_num_queries(6):
        assert len(reviewer.get("/api/v1/staff/retrofits").json()["results"]) == 4
