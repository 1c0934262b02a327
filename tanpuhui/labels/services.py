"""Footprint-study operations (typed, keyword-only). Factors come only from the methodology registry."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from tanpuhui.accounts.models import Role, User
from tanpuhui.common.errors import Conflict, NotFound, ServiceError, Unprocessable, ValidationFailed
from tanpuhui.common.services import audit_record
from tanpuhui.enterprises.models import Enterprise
from tanpuhui.labels import engine, footprint, selectors
from tanpuhui.labels.models import (
    Accreditation,
    Application,
    Certificate,
    Finding,
    InventoryLine,
    LowCarbonSpec,
    ProductCategoryRule,
    Scheme,
    Stage,
    Study,
    SurveillanceVisit,
)
from tanpuhui.methodology import formulas, registry
from tanpuhui.tenancy.models import Centre

FACTOR_REGION = "south_china_grid"


def _factor(*, code: str, on: date) -> registry.ResolvedFactor:
    try:
        return registry.factor(code=code, on=on, region=FACTOR_REGION)
    except ServiceError as exc:
        raise ValidationFailed(
            f"No factor {code!r} is published for {on.isoformat()}.",
            code="factor_unavailable",
            fields={"factor_code": [f"No factor {code!r} is valid on {on.isoformat()}."]},
        ) from exc


def study_create(
    *, user: User, enterprise: Enterprise, pcr_id: int, product_name: str, reference_date: date
) -> Study:
    pcr = ProductCategoryRule.objects.filter(pk=pcr_id).first()
    if pcr is None:
        raise ValidationFailed("Unknown product-category rule.", fields={"pcr": ["Unknown rule."]})
    if not enterprise.members.filter(user=user).exists():
        raise NotFound("Not found.")
    return Study.objects.create(
        enterprise=enterprise,
        pcr=pcr,
        product_name=product_name,
        reference_date=reference_date,
        created_by=user,
    )


def line_add(
    *,
    study: Study,
    stage: str,
    name: str,
    quantity: Decimal,
    unit: str,
    factor_code: str,
    source: str,
    data_quality: int,
    carbon: str = InventoryLine.Carbon.FOSSIL,
    key: str = "",
    excluded: bool = False,
) -> InventoryLine:
    pcr = study.pcr
    if stage not in pcr.stages:
        raise ValidationFailed(
            "This stage is outside the rule's system boundary.",
            code="stage_outside_boundary",
            fields={"stage": [f"The rule covers: {', '.join(str(Stage(s).label) for s in pcr.stages)}."]},
        )
    if quantity < 0 and not pcr.negative_allowed:
        raise ValidationFailed(
            "Negative quantities are not allowed by this rule.",
            code="negative_quantity",
            fields={"quantity": ["Must be zero or more."]},
        )
    factor = _factor(code=factor_code, on=study.reference_date)
    try:
        footprint.kg_per_unit(unit=unit, factor_value=factor.value, factor_unit=factor.unit)
    except formulas.UnitMismatch as exc:
        raise ValidationFailed(
            str(exc),
            code="unit_mismatch",
            fields={"unit": [f"Does not convert with the factor's {factor.unit}."]},
        ) from exc
    with transaction.atomic():
        line = InventoryLine.objects.create(
            study=study,
            stage=stage,
            name=name,
            key=key,
            quantity=quantity,
            unit=unit,
            factor_code=factor_code,
            source=source,
            carbon=carbon,
            data_quality=data_quality,
            excluded=excluded,
        )
        Study.objects.filter(pk=study.pk).update(status=Study.Status.DRAFT, result={}, computed_at=None)
    return line


def _lines(study: Study) -> list[footprint.Line]:
    out = []
    for line in study.lines.all():
        factor = _factor(code=line.factor_code, on=study.reference_date)
        out.append(
            footprint.Line(
                stage=line.stage,
                name=line.name,
                quantity=line.quantity,
                unit=line.unit,
                factor_value=factor.value,
                factor_unit=factor.unit,
                carbon=line.carbon,
                data_quality=line.data_quality,
                source=line.source,
                excluded=line.excluded,
                key=line.key,
                factor={
                    "id": factor.id,
                    "code": factor.code,
                    "value": str(factor.value),
                    "unit": factor.unit,
                    "region": factor.region,
                    "source": factor.source,
                },
            )
        )
    return out


def study_compute(*, study: Study, draws: int = footprint.DRAWS) -> Study:
    pcr = study.pcr
    lines = _lines(study)
    if not [line for line in lines if not line.excluded]:
        raise Unprocessable(
            "The study has no inventory lines.", code="empty_inventory", fields={"lines": ["Empty."]}
        )
    primary_keys = {
        line.key for line in lines if line.source == InventoryLine.Source.PRIMARY and not line.excluded
    }
    missing = [item for item in pcr.required_primary if item["key"] not in primary_keys]
    if missing:
        raise Unprocessable(
            "Required primary data is missing.",
            code="missing_primary_data",
            fields={"lines": [f"Primary data needed: {item['label_en']}." for item in missing]},
        )
    try:
        result: dict[str, Any] = footprint.compute(
            lines, cutoff_flow_pct=pcr.cutoff_flow_pct, cutoff_total_pct=pcr.cutoff_total_pct, draws=draws
        )
    except engine.SingularSystem as exc:
        raise Unprocessable(str(exc), code="singular_system", fields={"lines": [str(exc)]}) from exc
    if not result["cutoff"]["ok"]:
        raise Unprocessable(
            "Flows left out exceed the rule's cut-off limits.",
            code="cutoff_breach",
            fields={"lines": [f"{row['name']}: {row['pct']} %" for row in result["cutoff"]["excluded"]]},
        )
    result["declared_unit"] = pcr.declared_unit
    result["data_quality_ok"] = result["data_quality"] is not None and result["data_quality"] <= float(
        pcr.max_dq_score
    )
    result["primary_share_ok"] = result["primary_share_pct"] >= float(pcr.min_primary_share_pct)
    study.result = result
    study.status = Study.Status.COMPUTED
    study.computed_at = timezone.now()
    study.save(update_fields=["result", "status", "computed_at", "updated_at"])
    return study


# --- certification --------------------------------------------------------------------------------------


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


def _next_number(scheme_prefix: str, year: int) -> str:
    stem = f"{scheme_prefix}-{year}-"
    taken = Certificate.objects.filter(number__startswith=stem).count()
    return f"{stem}{taken + 1:05d}"


def body_centre(enterprise: Enterprise) -> Centre:
    """The certification body handling an enterprise's applications: the one registered at the
    provincial centre above the enterprise's city centre (or at the centre itself)."""
    return enterprise.centre.parent or enterprise.centre


def application_create(
    *, user: User, enterprise: Enterprise, study: Study, scheme_codes: list[str]
) -> Application:
    """One application for every requested label: refused up front (422, per label) if the study or
    the rules of a requested scheme leave something missing."""
    if study.enterprise_id != enterprise.pk:
        raise NotFound("Not found.")
    codes = list(dict.fromkeys(scheme_codes))
    schemes = list(Scheme.objects.filter(code__in=codes, accepting=True))
    unknown = sorted(set(codes) - {s.code for s in schemes})
    if not codes or unknown:
        raise ValidationFailed(
            "Choose labels that accept applications.",
            code="unknown_scheme",
            fields={
                "schemes": [f"Not available: {', '.join(unknown)}." if unknown else "Choose at least one."]
            },
        )
    gaps = selectors.application_gaps(study=study, schemes=schemes)
    if any(gaps.values()):
        raise Unprocessable(
            "Something is missing for a requested label.",
            code="label_requirements_unmet",
            fields={code: items for code, items in gaps.items() if items},
        )
    if Application.objects.filter(study=study).exclude(status=Application.Status.REFUSED).exists():
        raise Conflict("This study already has an open application.", code="application_exists")
    with transaction.atomic():
        application = Application.objects.create(
            enterprise=enterprise,
            study=study,
            applicant=user,
            body_centre=body_centre(enterprise),
        )
        application.schemes.set(schemes)
    return application


def _unit_words(pcr: ProductCategoryRule, language: str) -> str:
    """The declared unit in the label's language (Hong Kong: Traditional Chinese)."""
    if language == "en":
        return pcr.declared_unit_en
    if language == "zh-hant" and pcr.declared_unit_zh_hant:
        return pcr.declared_unit_zh_hant
    return pcr.declared_unit_zh


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _step(application: Application, action: str) -> None:
    if not can_proceed(getattr(application, action)):
        raise Conflict(
            f"An application that is {application.get_status_display()} cannot take this step.",
            code="transition_not_allowed",
            fields={"status": [application.status]},
        )


def application_assign(*, application: Application, actor: User, verifier: User) -> Application:
    """The certification body assigns an accredited verifier recognised by every requested scheme."""
    with transaction.atomic():
        application = _locked(application)
        _step(application, "assign")
        if not verifier.has_role(Role.VERIFIER):
            raise ValidationFailed(
                "This person is not a verifier.",
                code="not_verifier",
                fields={"verifier": ["Not a verifier."]},
            )
        today = timezone.localdate()
        recognised = set(
            Accreditation.objects.filter(verifier=verifier, valid_until__gte=today).values_list(
                "scheme__code", flat=True
            )
        )
        missing = sorted({s.code for s in application.schemes.all()} - recognised)
        if missing:
            raise Unprocessable(
                "The verifier is not recognised by every requested label.",
                code="verifier_not_recognised",
                fields={"verifier": [f"Not recognised by: {', '.join(missing)}."]},
            )
        application.verifier = verifier
        application.assign(by=actor, description=f"verifier {verifier.pk}")
        application.save(update_fields=["status", "verifier"])
        audit_record(actor=actor, action="label_application.assign", target=application)
    return application


def application_verify(
    *,
    application: Application,
    actor: User,
    conclusion: str,
    verified_kg: Decimal,
    findings: list[dict[str, Any]],
) -> Application:
    """The assigned verifier's statement: conclusion, the footprint they confirm and their findings."""
    with transaction.atomic():
        application = _locked(application)
        if application.verifier_id != actor.pk:
            raise NotFound("Not found.")
        _step(application, "verify")
        if conclusion not in Application.Conclusion.values:
            raise ValidationFailed("Unknown conclusion.", fields={"conclusion": [conclusion]})
        if verified_kg <= 0:
            raise ValidationFailed(
                "Must be more than zero.", fields={"verified_kg": ["Must be more than zero."]}
            )
        for row in findings:
            if row.get("severity") not in Finding.Severity.values or not str(row.get("text", "")).strip():
                raise ValidationFailed(
                    "Each finding needs a severity and a text.", fields={"findings": [str(row)]}
                )
        Finding.objects.bulk_create(
            Finding(
                application=application,
                severity=row["severity"],
                text=row["text"],
                closed=bool(row.get("closed")),
            )
            for row in findings
        )
        application.conclusion = conclusion
        application.verified_kg = verified_kg
        application.verify(by=actor, description=conclusion)
        application.save(update_fields=["status", "conclusion", "verified_kg"])
    return application


def application_decide(
    *, application: Application, actor: User, certify: bool, note: str = ""
) -> Application:
    """The certification body's decision: refuse (with a reason) at any open step, or — only after a
    confirming verification with no open major finding — issue one certificate per requested scheme,
    cross-referenced, with the same validity and surveillance dates."""
    with transaction.atomic():
        application = _locked(application)
        if not certify:
            if not note.strip():
                raise ValidationFailed("Say why.", code="reason_required", fields={"note": ["Required."]})
            _step(application, "refuse")
            application.decision_note = note
            application.decided_at = timezone.now()
            application.refuse(by=actor, description=note)
            application.save(update_fields=["status", "decision_note", "decided_at"])
            return application
        if application.status in (Application.Status.SUBMITTED, Application.Status.ASSIGNED):
            raise Conflict(
                "The application has not been verified yet.",
                code="not_verified",
                fields={"status": [application.status]},
            )
        _step(application, "certify")
        if application.conclusion != Application.Conclusion.CONFIRMED:
            raise Unprocessable(
                "The verifier did not confirm the footprint.",
                code="not_confirmed",
                fields={"conclusion": [application.conclusion]},
            )
        if application.findings.filter(severity=Finding.Severity.MAJOR, closed=False).exists():
            raise Unprocessable(
                "A major finding is still open.", code="open_major_finding", fields={"findings": ["Open."]}
            )
        verified_kg = application.verified_kg
        if verified_kg is None:  # pragma: no cover - verify() always sets it
            raise Unprocessable(
                "No verified footprint.", code="not_verified", fields={"verified_kg": ["Missing."]}
            )
        schemes = list(application.schemes.order_by("code"))
        issued = timezone.localdate()
        valid_until = _years_later(issued, min(s.validity_years for s in schemes))
        every = min(s.surveillance_months for s in schemes)
        surveillance = []
        day = _months_later(issued, every)
        while day < valid_until:
            surveillance.append(day.isoformat())
            day = _months_later(day, every)
        study, pcr = application.study, application.study.pcr
        for scheme in (
            Scheme.objects.select_for_update().filter(pk__in=[s.pk for s in schemes]).order_by("pk")
        ):
            Certificate.objects.create(
                number=_next_number(scheme.number_prefix, issued.year),
                kind=Certificate.Kind.CARBON_LABEL,
                scheme=scheme,
                application=application,
                enterprise=application.enterprise,
                body_centre=application.body_centre,
                product_name=study.product_name,
                category=pcr.code,
                kg_co2e=verified_kg,
                declared_unit=pcr.declared_unit,
                declared_unit_words=_unit_words(pcr, scheme.label_language),
                boundary=pcr.boundary,
                rule=f"{pcr.code} {pcr.version}",
                issued_on=issued,
                valid_until=valid_until,
                surveillance=surveillance,
                details={
                    "pcr_follows": pcr.follows,
                    "stages": study.result.get("stages", {}),
                    "fossil_kg": study.result.get("fossil_kg"),
                    "biogenic_kg": study.result.get("biogenic_kg"),
                    "range": study.result.get("uncertainty"),
                },
            )
        application.decision_note = note
        application.decided_at = timezone.now()
        application.certify(by=actor, description=note)
        application.save(update_fields=["status", "decision_note", "decided_at"])
        audit_record(actor=actor, action="label_application.certify", target=application)
    return application


def certificate_set_status(*, certificate: Certificate, actor: User, status: str, note: str) -> Certificate:
    """Suspend, reinstate or withdraw a certificate (an expired or withdrawn one stays so)."""
    allowed = {
        Certificate.Status.VALID: {Certificate.Status.SUSPENDED, Certificate.Status.WITHDRAWN},
        Certificate.Status.SUSPENDED: {Certificate.Status.VALID, Certificate.Status.WITHDRAWN},
    }
    if status not in Certificate.Status.values:
        raise ValidationFailed("Unknown status.", fields={"status": [status]})
    if not note.strip():
        raise ValidationFailed("Say why.", code="reason_required", fields={"note": ["Required."]})
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if status not in allowed.get(Certificate.Status(certificate.current_status), set()):
            raise Conflict(
                f"A certificate that is {certificate.current_status_display} cannot become {status}.",
                code="transition_not_allowed",
                fields={"status": [certificate.current_status]},
            )
        certificate.status, certificate.status_note = status, note
        certificate.save(update_fields=["status", "status_note"])
        audit_record(actor=actor, action=f"certificate.{status}", target=certificate)
    return certificate


def certificates_expire(*, today: date | None = None) -> int:
    """Nightly: valid certificates past their date become expired (the pages already read the dates)."""
    today = today or timezone.localdate()
    return Certificate.objects.filter(status=Certificate.Status.VALID, valid_until__lt=today).update(
        status=Certificate.Status.EXPIRED, status_note="expired"
    )


# --- low-carbon product certification -----------------------------------------------------------------


def lowcarbon_assess(
    *, spec: LowCarbonSpec, variant: str, grade: str, kg_per_unit: Decimal
) -> dict[str, Any]:
    """Pass or fail against the spec's configured limit (and grade prerequisite), with the reasons."""
    if variant not in spec.limits:
        raise ValidationFailed(
            "Unknown variant for this product.",
            code="unknown_variant",
            fields={"variant": [f"One of: {', '.join(spec.limits)}."]},
        )
    if kg_per_unit <= 0:
        raise ValidationFailed("Must be more than zero.", fields={"kg_per_unit": ["Must be more than zero."]})
    limit = Decimal(spec.limits[variant])
    reasons = []
    if spec.grades_allowed and grade not in spec.grades_allowed:
        reasons.append(
            f"Energy-efficiency grade {grade or '—'} of {spec.grade_standard} does not qualify "
            f"(needs {' or '.join(spec.grades_allowed)})."
        )
    if kg_per_unit > limit:
        reasons.append(f"{kg_per_unit} kg CO2e per {spec.declared_unit_en} exceeds the limit of {limit}.")
    return {"passed": not reasons, "limit": str(limit), "kg_per_unit": str(kg_per_unit), "reasons": reasons}


def lowcarbon_certify(
    *,
    actor: User,
    enterprise: Enterprise,
    spec: LowCarbonSpec,
    product_name: str,
    model: str,
    variant: str,
    grade: str,
    kg_per_unit: Decimal,
    inventory: dict[str, str],
    type_test_on: date,
    inspected_on: date,
) -> Certificate:
    """Certify a product that passes its spec (else 422 with the reasons); the certificate carries the
    items the 2013 interim measures list, including the product's carbon-emission inventory."""
    if actor.centre_id != body_centre(enterprise).pk and not actor.is_superuser:
        raise NotFound("Not found.")
    outcome = lowcarbon_assess(spec=spec, variant=variant, grade=grade, kg_per_unit=kg_per_unit)
    if not outcome["passed"]:
        raise Unprocessable(
            "The product does not meet the specification.",
            code="above_limit",
            fields={"kg_per_unit": outcome["reasons"]},
        )
    issued = timezone.localdate()
    if (issued - inspected_on).days > 30:
        raise Unprocessable(
            "The decision is due within 30 days of the factory inspection.",
            code="decision_overdue",
            fields={"inspected_on": [inspected_on.isoformat()]},
        )
    valid_until = _years_later(issued, 3)
    # First surveillance no earlier than 6 months after issue, then at most 12 months apart.
    surveillance = [_months_later(issued, 6).isoformat()]
    while (day := _months_later(date.fromisoformat(surveillance[-1]), 12)) < valid_until:
        surveillance.append(day.isoformat())
    with transaction.atomic():
        prefix = f"LCP-{spec.product[:3].upper()}"
        return Certificate.objects.create(
            number=_next_number(prefix, issued.year),
            kind=Certificate.Kind.LOW_CARBON,
            enterprise=enterprise,
            body_centre=body_centre(enterprise),
            product_name=f"{product_name} {model}".strip(),
            category=spec.product,
            kg_co2e=kg_per_unit,
            declared_unit=spec.declared_unit,
            declared_unit_words=spec.declared_unit_zh,
            boundary=ProductCategoryRule.Boundary.CRADLE_TO_GATE,
            rule=f"{spec.product} {spec.version}",
            issued_on=issued,
            valid_until=valid_until,
            surveillance=surveillance,
            details={
                "client": enterprise.name,
                "manufacturer": enterprise.name,
                "factory": enterprise.name,
                "product_and_model": f"{product_name} {model}".strip(),
                "basis": spec.follows,
                "mode": "type test + initial factory inspection + surveillance",
                "variant": variant,
                "grade": grade,
                "limit": outcome["limit"],
                "type_test_on": type_test_on.isoformat(),
                "inspected_on": inspected_on.isoformat(),
                "inventory": inventory,
                "issuer": str(actor),
            },
        )


# --- surveillance and renewal ------------------------------------------------------------------------

FIRST_SURVEILLANCE_MONTHS = 6  # low-carbon products: the first visit no earlier than 6 months after issue
RENEWAL_WINDOW_MONTHS = 6  # renewal may be asked up to 6 months before expiry


def _interval_months(certificate: Certificate) -> int:
    return certificate.scheme.surveillance_months if certificate.scheme else 12


def surveillance_record(
    *, certificate: Certificate, actor: User, on: date, passed: bool, note: str = ""
) -> SurveillanceVisit:
    """A visit inside its window: after the first allowed day (low-carbon: 6 months after issue) and no
    later than one interval after the previous visit (or the issue). A failed visit suspends."""
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.current_status not in (Certificate.Status.VALID, Certificate.Status.SUSPENDED):
            raise Conflict(
                f"A certificate that is {certificate.current_status_display} is not under surveillance.",
                code="transition_not_allowed",
                fields={"status": [certificate.current_status]},
            )
        last = certificate.visits.order_by("-on").first()
        previous = last.on if last else certificate.issued_on
        earliest = previous + timedelta(days=1)
        if last is None and certificate.kind == Certificate.Kind.LOW_CARBON:
            earliest = _months_later(certificate.issued_on, FIRST_SURVEILLANCE_MONTHS)
        latest = min(_months_later(previous, _interval_months(certificate)), timezone.localdate())
        if not earliest <= on <= latest:
            raise Unprocessable(
                "The visit is outside its surveillance window.",
                code="surveillance_out_of_window",
                fields={"on": [f"Between {earliest.isoformat()} and {latest.isoformat()}."]},
            )
        visit = SurveillanceVisit.objects.create(certificate=certificate, on=on, passed=passed, note=note)
        if not passed and certificate.status == Certificate.Status.VALID:
            certificate.status, certificate.status_note = (
                Certificate.Status.SUSPENDED,
                note or "surveillance failed",
            )
            certificate.save(update_fields=["status", "status_note"])
        audit_record(actor=actor, action="certificate.surveillance", target=certificate)
    return visit


def certificate_renew(*, certificate: Certificate, actor: User) -> list[Certificate]:
    """Renew a valid certificate within 6 months of its expiry: a new validity from the old end date.
    A label renews with its cross-recognised siblings, so their dates stay synchronised."""
    today = timezone.localdate()
    if certificate.current_status != Certificate.Status.VALID:
        raise Conflict(
            f"A certificate that is {certificate.current_status_display} cannot be renewed.",
            code="transition_not_allowed",
            fields={"status": [certificate.current_status]},
        )
    opens = _months_later(certificate.valid_until, -RENEWAL_WINDOW_MONTHS)
    if today < opens:
        raise Unprocessable(
            "Renewal opens 6 months before expiry.",
            code="renewal_too_early",
            fields={"date": [opens.isoformat()]},
        )
    renewed = []
    with transaction.atomic():
        family = Certificate.objects.select_for_update().filter(
            pk__in=[certificate.pk, *certificate.siblings.values_list("pk", flat=True)]
        )
        for row in family.order_by("pk"):
            years = row.scheme.validity_years if row.scheme else 3
            row.details = {
                **row.details,
                "renewals": [*row.details.get("renewals", []), row.valid_until.isoformat()],
            }
            row.valid_until = _years_later(row.valid_until, years)
            row.save(update_fields=["valid_until", "details"])
            renewed.append(row)
        audit_record(actor=actor, action="certificate.renew", target=certificate)
    return renewed
