"""The carbon-label workflow: application → assignment → verification → decision → certificates, each
transition and its walls, one application giving the Guangdong and the Hong Kong label, certificate
status and expiry, the label art and the public catalogue."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_fsm_log.models import StateLog
from freezegun import freeze_time

from tanpuhui.common.errors import Conflict, NotFound, Unprocessable, ValidationFailed
from tanpuhui.enterprises.tests.factories import make_enterprise
from tanpuhui.labels import labelart, selectors, services
from tanpuhui.labels.models import Application, Certificate, Scheme, Study
from tanpuhui.labels.tests.factories import (
    PAPER_TOTAL,
    accredited_verifier,
    application,
    certified,
    certifier,
    computed_study,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mill(gz):
    return make_enterprise(gz, name="东莞某造纸厂")


@pytest.fixture
def body(province):
    return certifier(province)


@pytest.fixture
def verifier(gz):
    return accredited_verifier(gz)


def test_each_transition_in_order_is_logged_with_who(mill, body, verifier):
    enterprise, user = mill
    app = application(enterprise, user)
    assert app.status == Application.Status.SUBMITTED and app.body_centre == enterprise.centre.parent
    services.application_assign(application=app, actor=body, verifier=verifier)
    services.application_verify(
        application=app,
        actor=verifier,
        conclusion="confirmed",
        verified_kg=PAPER_TOTAL,
        findings=[{"severity": "minor", "text": "电表校准证书过期一个月", "closed": True}],
    )
    app = services.application_decide(application=app, actor=body, certify=True, note="符合")
    assert app.status == Application.Status.CERTIFIED
    logs = list(StateLog.objects.for_(app).order_by("timestamp").values_list("transition", "by_id"))
    assert logs == [("assign", body.pk), ("verify", verifier.pk), ("certify", body.pk)]
    assert app.findings.get().severity == "minor"


def test_one_application_gives_the_guangdong_and_hong_kong_labels_cross_referenced(mill, body, verifier):
    enterprise, user = mill
    app = certified(enterprise, user, body, verifier)
    gd, hk = (app.certificates.get(scheme__code=code) for code in ("gd", "hk"))
    assert gd.number.startswith("GDCL-") and hk.number.startswith("HKCL-")
    assert list(gd.siblings) == [hk] and list(hk.siblings) == [gd]
    # Synchronised validity (3 years) and surveillance (every 12 months inside it).
    today = timezone.localdate()
    assert gd.valid_until == hk.valid_until == today.replace(year=today.year + 3)
    assert gd.surveillance == hk.surveillance and len(gd.surveillance) == 2
    assert gd.kg_co2e == hk.kg_co2e == PAPER_TOTAL
    assert (gd.declared_unit_words, hk.declared_unit_words) == ("1 吨风干纸", "1 噸風乾紙")


def test_the_form_says_up_front_what_is_missing_per_label(mill):
    enterprise, user = mill
    study = computed_study(enterprise, user)
    schemes = list(Scheme.objects.filter(code__in=["gd", "hk", "national"]))
    assert selectors.application_gaps(study=study, schemes=schemes) == {"gd": [], "hk": [], "national": []}
    # Hong Kong takes data quality ≤ 2.5; this study scores 2.08 (pulp dq 4 weighs 180 of 665.6 kg).
    Scheme.objects.filter(code="hk").update(max_dq_score=Decimal("2.0"))
    with pytest.raises(Unprocessable) as refused:
        services.application_create(user=user, enterprise=enterprise, study=study, scheme_codes=["gd", "hk"])
    assert refused.value.code == "label_requirements_unmet"
    assert set(refused.value.fields) == {"hk"} and "Data quality" in refused.value.fields["hk"][0]
    textile = computed_study(enterprise, user, pcr="textiles")
    gaps = selectors.application_gaps(study=textile, schemes=[Scheme.objects.get(code="national")])
    assert "does not accept the rule textiles 1.0" in gaps["national"][0]
    assert not Application.objects.exists()


def test_draft_study_and_closed_scheme_are_refused(mill):
    enterprise, user = mill
    study = computed_study(enterprise, user)
    with pytest.raises(ValidationFailed) as closed:
        services.application_create(
            user=user, enterprise=enterprise, study=study, scheme_codes=["california"]
        )
    assert closed.value.code == "unknown_scheme"
    Study.objects.filter(pk=study.pk).update(status=Study.Status.DRAFT)
    study.refresh_from_db()
    with pytest.raises(Unprocessable):
        services.application_create(user=user, enterprise=enterprise, study=study, scheme_codes=["gd"])


def test_a_verifier_not_recognised_by_a_requested_scheme_is_refused(mill, body, gz):
    enterprise, user = mill
    app = application(enterprise, user)
    gd_only = accredited_verifier(gz, schemes=("gd",))
    with pytest.raises(Unprocessable) as refused:
        services.application_assign(application=app, actor=body, verifier=gd_only)
    assert refused.value.code == "verifier_not_recognised" and "hk" in refused.value.fields["verifier"][0]
    app = Application.objects.get(pk=app.pk)
    assert app.status == Application.Status.SUBMITTED and app.verifier is None


def test_out_of_order_steps_are_conflicts(mill, body, verifier):
    enterprise, user = mill
    app = application(enterprise, user)
    with pytest.raises(Conflict) as early:
        services.application_decide(application=app, actor=body, certify=True)
    assert early.value.code == "not_verified"
    with pytest.raises(NotFound):  # not assigned to them yet
        services.application_verify(
            application=app, actor=verifier, conclusion="confirmed", verified_kg=PAPER_TOTAL, findings=[]
        )
    services.application_assign(application=app, actor=body, verifier=verifier)
    with pytest.raises(Conflict):
        services.application_assign(application=app, actor=body, verifier=verifier)
    with pytest.raises(Conflict) as before_verification:
        services.application_decide(application=app, actor=body, certify=True)
    assert before_verification.value.code == "not_verified"
    assert not Certificate.objects.exists()


def test_an_open_major_finding_or_an_unconfirmed_footprint_stops_certification(mill, body, verifier):
    enterprise, user = mill
    app = application(enterprise, user)
    services.application_assign(application=app, actor=body, verifier=verifier)
    services.application_verify(
        application=app,
        actor=verifier,
        conclusion="confirmed",
        verified_kg=PAPER_TOTAL,
        findings=[{"severity": "major", "text": "燃料消耗无原始记录"}],
    )
    with pytest.raises(Unprocessable) as major:
        services.application_decide(application=app, actor=body, certify=True)
    assert major.value.code == "open_major_finding" and not Certificate.objects.exists()
    with pytest.raises(ValidationFailed):
        services.application_decide(application=app, actor=body, certify=False, note="  ")
    app = services.application_decide(application=app, actor=body, certify=False, note="重大不符合项未关闭")
    assert app.status == Application.Status.REFUSED
    assert StateLog.objects.for_(app).latest("timestamp").transition == "refuse"
    # A refused study may apply again.
    assert application(enterprise, user, study=app.study).status == Application.Status.SUBMITTED


def test_suspension_withdrawal_and_expiry(mill, body, verifier):
    enterprise, user = mill
    gd = certified(enterprise, user, body, verifier).certificates.get(scheme__code="gd")
    services.certificate_set_status(certificate=gd, actor=body, status="suspended", note="监督抽查未通过")
    services.certificate_set_status(certificate=gd, actor=body, status="valid", note="整改完成")
    services.certificate_set_status(certificate=gd, actor=body, status="withdrawn", note="企业停产")
    with pytest.raises(Conflict):
        services.certificate_set_status(certificate=gd, actor=body, status="valid", note="x")
    hk = Certificate.objects.get(scheme__code="hk")
    with freeze_time(hk.valid_until + timedelta(days=1)):
        hk.refresh_from_db()
        assert hk.current_status == "expired"  # read from the dates before the nightly task runs
        assert services.certificates_expire() == 1
    hk.refresh_from_db()
    assert hk.status == "expired"


def test_label_svg_and_png_carry_value_unit_number_and_qr(mill, body, verifier):
    enterprise, user = mill
    app = certified(enterprise, user, body, verifier)
    gd, hk = (app.certificates.get(scheme__code=code) for code in ("gd", "hk"))
    url = f"https://example.test/labels/c/{hk.number}/"
    svg = labelart.label_svg(hk, url)
    assert "665.6" in svg and hk.number in svg and "香港碳標籤" in svg and "碳足跡" in svg  # Traditional
    assert "<path" in svg  # the QR code's modules
    assert "广东省产品碳标识" in labelart.label_svg(gd, url) and "碳足迹" in labelart.label_svg(gd, url)
    png = labelart.label_png(gd, url)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_verification_page_and_label_routes(client, mill, body, verifier):
    enterprise, user = mill
    app = certified(enterprise, user, body, verifier)
    hk = app.certificates.get(scheme__code="hk")
    page = client.get(f"/labels/c/{hk.number}/")
    text = page.content.decode()
    assert page.status_code == 200 and hk.number in text and "有效" in text and "碳足跡" in text
    assert client.get(f"/labels/c/{hk.number}/label.png")["Content-Type"] == "image/png"
    assert client.get(f"/labels/c/{hk.number}/label.svg")["Content-Type"] == "image/svg+xml"
    assert client.get("/labels/c/NOPE-1/").status_code == 404
    services.certificate_set_status(certificate=hk, actor=body, status="withdrawn", note="企業停產")
    assert "已撤銷" in client.get(f"/labels/c/{hk.number}/").content.decode()


def test_catalogue_lists_valid_certificates_and_filters(api, mill, body, verifier):
    enterprise, user = mill
    app = certified(enterprise, user, body, verifier)
    rows = api.get("/api/v1/labels/catalogue").json()["results"]
    assert {r["scheme"] for r in rows} == {"gd", "hk"}
    assert api.get("/api/v1/labels/catalogue", {"scheme": "hk"}).json()["count"] == 1
    assert api.get("/api/v1/labels/catalogue", {"q": "瓦楞"}).json()["count"] == 2
    assert api.get("/api/v1/labels/catalogue", {"enterprise": "不存在"}).json()["count"] == 0
    assert api.get("/api/v1/labels/catalogue", {"category": "textiles"}).json()["count"] == 0
    assert api.get("/api/v1/labels/catalogue", {"status": "bogus"}).status_code == 400
    gd = app.certificates.get(scheme__code="gd")
    Certificate.objects.filter(pk=gd.pk).update(valid_until=date(2020, 1, 1))  # past its date
    assert [r["scheme"] for r in api.get("/api/v1/labels/catalogue").json()["results"]] == ["hk"]
    expired = api.get("/api/v1/labels/catalogue", {"status": "expired"}).json()["results"]
    assert [(r["number"], r["status"]) for r in expired] == [(gd.number, "expired")]
    one = api.get(f"/api/v1/labels/certificates/{gd.number}").json()
    assert one["cross_references"] == [app.certificates.get(scheme__code="hk").number]


def test_api_walls_enterprise_and_verifier(api, mill, body, verifier, gz):
    enterprise, user = mill
    app = application(enterprise, user)
    _other_enterprise, other_user = make_enterprise(gz, name="另一家纸厂")
    api.force_authenticate(other_user)
    assert api.get(f"/api/v1/labels/applications/{app.ref}").status_code == 404
    assert (
        api.post(
            "/api/v1/labels/applications", {"study": str(app.study.pk), "schemes": ["gd"]}, format="json"
        ).status_code
        == 404
    )
    api.force_authenticate(user)
    assert api.get(f"/api/v1/labels/applications/{app.ref}").json()["schemes"] == ["gd", "hk"]
    other_verifier = accredited_verifier(gz)
    api.force_authenticate(body)
    assigned = api.post(
        f"/api/v1/labels/body/applications/{app.ref}/assign", {"verifier": str(verifier.pk)}, format="json"
    )
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
    api.force_authenticate(other_verifier)
    assert api.get("/api/v1/labels/verifier/applications").json()["count"] == 0
    assert (
        api.post(f"/api/v1/labels/verifier/applications/{app.ref}/verify", {}, format="json").status_code
        == 404
    )
    api.force_authenticate(verifier)
    done = api.post(
        f"/api/v1/labels/verifier/applications/{app.ref}/verify",
        {"conclusion": "confirmed", "verified_kg": "665.622", "findings": []},
        format="json",
    )
    assert done.status_code == 200 and done.json()["status"] == "verified"
    api.force_authenticate(body)
    decided = api.post(f"/api/v1/labels/body/applications/{app.ref}/decide", {"certify": True}, format="json")
    assert decided.status_code == 200 and len(decided.json()["certificates"]) == 2


def test_every_certification_page_renders_for_its_role_with_real_rows(client, mill, body, verifier):
    """The page matrix has no rows for detail pages; these are the certification pages with a real
    application at each step, as the roles that see them (and the catalogue in the three languages)."""
    enterprise, user = mill
    client.force_login(user)
    study = computed_study(enterprise, user)
    assert f'data-testid="apply-{study.pk}"' in client.get("/enterprise/labels/").content.decode()
    app = application(enterprise, user, study=study)
    assert f'data-testid="apply-{study.pk}"' not in client.get("/enterprise/labels/").content.decode()
    pages = [
        (user, "/enterprise/labels/"),
        (user, f"/enterprise/labels/{app.ref}/"),
        (body, "/certification/labels/"),
        (body, f"/certification/labels/{app.ref}/"),
    ]
    for who, url in pages:
        client.force_login(who)
        assert client.get(url).status_code == 200, url
    client.force_login(body)
    assigned = client.post(f"/certification/labels/{app.ref}/assign/", {"verifier": str(verifier.pk)})
    assert assigned.status_code == 302 and Application.objects.get(pk=app.pk).status == "assigned"
    client.force_login(verifier)
    assert "Record the verification" in client.get(f"/verifier/labels/{app.ref}/?lang=en").content.decode()
    assert client.get("/verifier/labels/").status_code == 200
    client.post(
        f"/verifier/labels/{app.ref}/verify/",
        {
            "conclusion": "confirmed",
            "verified_kg": "665.622",
            "severity": ["minor", "observation"],
            "finding": ["电表校准过期", ""],
        },
    )
    app = Application.objects.get(pk=app.pk)
    assert app.status == "verified" and [f.text for f in app.findings.all()] == ["电表校准过期"]
    client.force_login(body)
    client.post(f"/certification/labels/{app.ref}/decide/", {"decision": "certify", "note": "符合"})
    assert Application.objects.get(pk=app.pk).status == "certified"
    client.force_login(user)
    mine = client.get(f"/enterprise/labels/{app.ref}/").content.decode()
    assert "GDCL-" in mine and "HKCL-" in mine
    client.logout()
    for lang, word in (("zh-hans", "有效"), ("zh-hant", "有效"), ("en", "Valid")):
        page = client.get("/labels/", {"lang": lang, "scheme": "hk"}).content.decode()
        assert "HKCL-" in page and "GDCL-" not in page and word in page


def test_surveillance_inside_its_window_and_a_failed_visit_suspends(mill, body, verifier):
    enterprise, user = mill
    gd = certified(enterprise, user, body, verifier).certificates.get(scheme__code="gd")
    issued = gd.issued_on
    with freeze_time(issued + timedelta(days=400)):
        with pytest.raises(Unprocessable) as late:  # more than 12 months after issue
            services.surveillance_record(
                certificate=gd, actor=body, on=issued + timedelta(days=380), passed=True
            )
        assert late.value.code == "surveillance_out_of_window"
        services.surveillance_record(certificate=gd, actor=body, on=issued + timedelta(days=300), passed=True)
        with pytest.raises(Unprocessable):  # not before the previous visit
            services.surveillance_record(
                certificate=gd, actor=body, on=issued + timedelta(days=200), passed=True
            )
        services.surveillance_record(
            certificate=gd, actor=body, on=issued + timedelta(days=399), passed=False, note="台账缺失"
        )
    gd.refresh_from_db()
    assert gd.status == "suspended" and gd.visits.count() == 2


def test_renewal_opens_six_months_before_expiry_and_keeps_labels_in_step(mill, body, verifier):
    enterprise, user = mill
    app = certified(enterprise, user, body, verifier)
    gd = app.certificates.get(scheme__code="gd")
    end = gd.valid_until
    with pytest.raises(Unprocessable) as early:
        services.certificate_renew(certificate=gd, actor=body)
    assert early.value.code == "renewal_too_early"
    with freeze_time(end - timedelta(days=30)):
        renewed = services.certificate_renew(certificate=gd, actor=body)
    assert len(renewed) == 2
    assert {c.valid_until for c in app.certificates.all()} == {end.replace(year=end.year + 3)}
