"""Enterprise operations: registration, verification, retrofit projects and their review, donations."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tanpuhui.accounts.models import Role, User
from tanpuhui.accounts.selectors import visible_centre_ids
from tanpuhui.accounts.services import phone_checked, role_grant
from tanpuhui.common.errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from tanpuhui.common.services import audit_record
from tanpuhui.enterprises.models import (
    Carrier,
    Donation,
    EnergyReading,
    Enterprise,
    EnterpriseMember,
    ProjectDocument,
    ReductionYear,
    RetrofitProject,
    ReviewEvent,
)
from tanpuhui.enterprises.quantification import METHODOLOGY_VERSION, quantify
from tanpuhui.enterprises.validators import credit_code_problem, normalise_credit_code
from tanpuhui.funding import services as funding
from tanpuhui.methodology.formulas import round_kg
from tanpuhui.tenancy.models import Centre

Status = RetrofitProject.Status

MAX_DOCUMENT_BYTES = getattr(settings, "ENTERPRISE_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# Accepted document types, recognised by their first bytes (the declared name/type is not trusted).
DOCUMENT_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"PK\x03\x04": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ALLOWED_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".xlsx"}


# --- enterprises ---------------------------------------------------------------------------------


@transaction.atomic
def enterprise_register(
    *, user: User, name: str, credit_code: str, sector: str, centre_code: str
) -> Enterprise:
    centre = Centre.objects.filter(code=centre_code, kind=Centre.Kind.CITY).first()
    if centre is None:
        raise ValidationFailed(
            _("Unknown operation centre."), fields={"centre": [_("Unknown operation centre.")]}
        )
    code = normalise_credit_code(credit_code)
    problem = credit_code_problem(code)
    if problem is not None:
        message = {
            "length": _("A unified social credit code has 18 characters."),
            "characters": _("The code contains characters a unified social credit code cannot have."),
            "check_character": _("The check character does not match (GB 32100-2015): check for a typo."),
        }[problem]
        raise ValidationFailed(message, code="invalid_credit_code", fields={"credit_code": [message]})
    if sector not in Enterprise.Sector.values:
        raise ValidationFailed(_("Unknown sector."), fields={"sector": [_("Unknown sector.")]})
    if Enterprise.objects.filter(credit_code=code).exists():
        raise Conflict(
            _("An enterprise with this credit code is already registered."),
            code="credit_code_taken",
            fields={"credit_code": [_("An enterprise with this credit code is already registered.")]},
        )
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(
                centre=centre, name=name.strip(), credit_code=code, sector=sector
            )
    except IntegrityError as exc:
        raise Conflict(
            _("An enterprise with this credit code is already registered."), code="credit_code_taken"
        ) from exc
    EnterpriseMember.objects.create(enterprise=enterprise, user=user)
    role_grant(user=user, role=Role.ENTERPRISE_STAFF, centre=centre)
    audit_record(actor=user, action="enterprise.register", target=enterprise)
    return enterprise


@transaction.atomic
def enterprise_member_add(*, enterprise: Enterprise, user: User, actor: User) -> EnterpriseMember:
    member, _created = EnterpriseMember.objects.get_or_create(enterprise=enterprise, user=user)
    role_grant(user=user, role=Role.ENTERPRISE_STAFF, centre=enterprise.centre)
    audit_record(actor=actor, action="enterprise.member_add", target=enterprise, data={"user": str(user.pk)})
    return member


def enterprise_member_invite(*, enterprise: Enterprise, actor: User, phone: str) -> EnterpriseMember:
    """A member adds a colleague by the phone number of the colleague's existing account."""
    if not EnterpriseMember.objects.filter(enterprise=enterprise, user=actor).exists():
        raise NotFound(_("Not found."))
    try:
        normal = phone_checked(phone)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, code="invalid_phone", fields={"phone": [exc.message]}) from exc
    user = User.objects.filter(phone=normal, is_active=True).first()
    if user is None:
        message = _("No account has this phone number. Ask your colleague to register first, then add them.")
        raise ValidationFailed(message, code="unknown_user", fields={"phone": [message]})
    if user.is_centre_staff:
        message = _("Operation-centre staff cannot act for an enterprise.")
        raise ValidationFailed(message, code="staff_user", fields={"phone": [message]})
    if EnterpriseMember.objects.filter(enterprise=enterprise, user=user).exists():
        message = _("This person already acts for the enterprise.")
        raise Conflict(message, code="already_member", fields={"phone": [message]})
    return enterprise_member_add(enterprise=enterprise, user=user, actor=actor)


def _require_staff_of(user: User, centre_id: int, *roles: str) -> None:
    ids = visible_centre_ids(user)
    if ids is not None and centre_id not in ids:
        raise NotFound(_("Not found."))
    if not (user.is_superuser or user.has_role(*roles)):
        raise Forbidden(_("Your role may not take this step."), code="role_required")


@transaction.atomic
def enterprise_verify(
    *,
    enterprise_id: uuid.UUID | str,
    actor: User,
    approve: bool,
    note: str = "",
    request: HttpRequest | None = None,
) -> Enterprise:
    enterprise = Enterprise.objects.select_for_update().filter(pk=enterprise_id).first()
    if enterprise is None:
        raise NotFound(_("Not found."))
    _require_staff_of(actor, enterprise.centre_id, Role.CENTRE_OPERATOR, Role.CENTRE_REVIEWER)
    if enterprise.status != Enterprise.Status.PENDING:
        raise Conflict(_("This enterprise has already been decided."), code="already_decided")
    enterprise.status = Enterprise.Status.VERIFIED if approve else Enterprise.Status.REJECTED
    enterprise.verified_at = timezone.now()
    enterprise.verified_by = actor
    enterprise.status_note = note[:500]
    enterprise.save(update_fields=["status", "verified_at", "verified_by", "status_note", "updated_at"])
    audit_record(
        actor=actor, action="enterprise.verify", target=enterprise, data={"approve": approve}, request=request
    )
    return enterprise


def enterprise_set_public_thanks(*, enterprise: Enterprise, consent: bool) -> Enterprise:
    enterprise.public_thanks = consent
    enterprise.save(update_fields=["public_thanks", "updated_at"])
    return enterprise


# --- retrofit projects ---------------------------------------------------------------------------


def _check_overlap(
    *, enterprise: Enterprise, site: str, kind: str, start: date, end: date, exclude: Any = None
) -> None:
    clash = (
        RetrofitProject.objects.filter(
            enterprise=enterprise,
            site__iexact=site.strip(),
            kind=kind,
            period_start__lte=end,
            period_end__gte=start,
        )
        .exclude(status=Status.REJECTED)
        .exclude(pk=exclude)
        .first()
    )
    if clash is not None:
        message = _(
            "Another project of this enterprise covers the same site, kind and period: %(title)s."
        ) % {"title": clash.title}
        raise Conflict(message, code="overlapping_period", fields={"period_start": [message]})


def _check_period_and_hours(*, period_start: date, period_end: date, hours: int) -> None:
    """A project's period runs forwards and it operates 1…8,784 hours a year (a leap year's hours)."""
    if period_end < period_start:
        raise ValidationFailed(
            _("The period ends before it starts."),
            fields={"period_end": [_("The period ends before it starts.")]},
        )
    if not 0 < hours <= 8784:
        raise ValidationFailed(
            _("Operating hours must be between 1 and 8784 a year."),
            fields={"operating_hours_per_year": [_("Operating hours must be between 1 and 8784 a year.")]},
        )


@transaction.atomic
def project_create(
    *,
    enterprise: Enterprise,
    actor: User,
    title: str,
    kind: str,
    site: str,
    period_start: date,
    period_end: date,
    operating_hours_per_year: int,
    description: str = "",
    reported_kg_co2e: Decimal | None = None,
) -> RetrofitProject:
    if enterprise.status != Enterprise.Status.VERIFIED:
        raise Conflict(
            _("The enterprise must be verified by the centre first."), code="enterprise_not_verified"
        )
    _check_period_and_hours(period_start=period_start, period_end=period_end, hours=operating_hours_per_year)
    Enterprise.objects.select_for_update().get(pk=enterprise.pk)  # serialise overlap checks per enterprise
    _check_overlap(enterprise=enterprise, site=site, kind=kind, start=period_start, end=period_end)
    quant = {"reported_kg_co2e": str(reported_kg_co2e)} if reported_kg_co2e is not None else {}
    project = RetrofitProject.objects.create(
        enterprise=enterprise,
        centre=enterprise.centre,
        title=title,
        kind=kind,
        site=site.strip(),
        description=description,
        period_start=period_start,
        period_end=period_end,
        operating_hours_per_year=operating_hours_per_year,
        created_by=actor,
        quantification=quant,
    )
    audit_record(actor=actor, action="retrofit.create", target=project)
    return project


@transaction.atomic
def project_update(
    *,
    project: RetrofitProject,
    actor: User,
    title: str,
    kind: str,
    site: str,
    period_start: date,
    period_end: date,
    operating_hours_per_year: int,
    description: str = "",
    reported_kg_co2e: Decimal | None = None,
) -> RetrofitProject:
    """Change a draft or returned project's facts (the same rules as ``project_create``).

    The monthly table is kept; a month that now lies outside the new period is refused until the table
    is corrected, so the figure never silently changes.
    """
    project = RetrofitProject.objects.select_for_update().get(pk=project.pk)
    _require_editable(project)
    _check_period_and_hours(period_start=period_start, period_end=period_end, hours=operating_hours_per_year)
    outside = project.readings.exclude(month__gte=period_start.replace(day=1), month__lte=period_end)
    if outside.exists():
        message = _("Some months of the energy table lie outside this period: correct the table first.")
        raise ValidationFailed(message, code="readings_outside_period", fields={"period_start": [message]})
    Enterprise.objects.select_for_update().get(pk=project.enterprise_id)
    _check_overlap(
        enterprise=project.enterprise,
        site=site,
        kind=kind,
        start=period_start,
        end=period_end,
        exclude=project.pk,
    )
    project.title, project.kind, project.site = title, kind, site.strip()
    project.description = description
    project.period_start, project.period_end = period_start, period_end
    project.operating_hours_per_year = operating_hours_per_year
    quant = dict(project.quantification or {})
    quant.pop("reported_kg_co2e", None)
    if reported_kg_co2e is not None:
        quant["reported_kg_co2e"] = str(reported_kg_co2e)
    project.quantification = quant
    project.save()
    audit_record(actor=actor, action="retrofit.update", target=project)
    return project


def _require_editable(project: RetrofitProject) -> None:
    if not project.editable:
        raise Conflict(_("Only a draft or a returned project can be changed."), code="not_editable")


def _decimal(value: Any, field: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(_("Enter a number."), fields={field: [_("Enter a number.")]}) from exc
    if not result.is_finite():
        raise ValidationFailed(_("Enter a number."), fields={field: [_("Enter a number.")]})
    return result


@transaction.atomic
def readings_replace(
    *, project: RetrofitProject, actor: User, readings: list[dict[str, Any]]
) -> list[EnergyReading]:
    """Replace the project's monthly energy table. Every row is checked; one bad row rejects all."""
    project = RetrofitProject.objects.select_for_update().get(pk=project.pk)
    _require_editable(project)
    errors: dict[str, list[str]] = {}
    exceeds_baseline = False
    seen: set[tuple[date, str]] = set()
    rows = []
    for i, row in enumerate(readings):
        month = row["month"].replace(day=1)
        carrier = row["carrier"]
        baseline = _decimal(row["baseline_qty"], f"readings[{i}].baseline_qty")
        used = _decimal(row["project_qty"], f"readings[{i}].project_qty")
        problems = []
        if carrier not in Carrier.values:
            problems.append(_("Unknown energy carrier."))
        if not project.period_start.replace(day=1) <= month <= project.period_end:
            problems.append(_("The month lies outside the project's monitoring period."))
        if (month, carrier) in seen:
            problems.append(_("This month and carrier appear twice."))
        if baseline < 0:
            problems.append(_("The baseline cannot be negative."))
        if used < 0:
            exceeds_baseline = True
            problems.append(
                _("The metered use cannot be negative: the claimed saving would be larger than the baseline.")
            )
        if problems:
            errors[f"readings[{i}]"] = problems
        seen.add((month, carrier))
        rows.append(
            EnergyReading(
                project=project, month=month, carrier=carrier, baseline_qty=baseline, project_qty=used
            )
        )
    if not rows:
        errors["readings"] = [_("Give at least one month.")]
    if errors:
        code = "reduction_exceeds_baseline" if exceeds_baseline else "invalid_readings"
        raise ValidationFailed(_("Some rows of the energy table are wrong."), code=code, fields=errors)
    project.readings.all().delete()
    created = EnergyReading.objects.bulk_create(rows)
    project.quantification = {**quantify(created), **_reported(project)}
    project.kg_co2e = Decimal(project.quantification["kg_co2e"])
    project.methodology_version = METHODOLOGY_VERSION
    project.save(update_fields=["quantification", "kg_co2e", "methodology_version", "updated_at"])
    return created


def _reported(project: RetrofitProject) -> dict:
    value = (project.quantification or {}).get("reported_kg_co2e")
    return {"reported_kg_co2e": value} if value is not None else {}


def _sniff(head: bytes) -> str | None:
    for signature, content_type in DOCUMENT_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


@transaction.atomic
def document_upload(
    *, project: RetrofitProject, actor: User, upload: UploadedFile, doc_type: str
) -> ProjectDocument:
    """Store a supporting document, hashed with SHA-256 while streaming; type by content, size capped."""
    project = RetrofitProject.objects.select_for_update().get(pk=project.pk)
    _require_editable(project)
    if doc_type not in ProjectDocument.DocType.values:
        raise ValidationFailed(
            _("Unknown document type."), fields={"doc_type": [_("Unknown document type.")]}
        )
    name = (upload.name or "document")[-200:]
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    size = upload.size or 0
    if size > MAX_DOCUMENT_BYTES:
        message = _("The file is larger than %(mb)d MB.") % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)}
        raise ValidationFailed(message, code="file_too_large", fields={"file": [message]})
    if size == 0:
        raise ValidationFailed(
            _("The file is empty."), code="file_empty", fields={"file": [_("The file is empty.")]}
        )
    upload.seek(0)
    content_type = _sniff(upload.read(16))
    if content_type is None or suffix not in ALLOWED_SUFFIXES:
        message = _("Upload a PDF, PNG, JPEG or XLSX file.")
        raise ValidationFailed(message, code="file_type", fields={"file": [message]})
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    sha = digest.hexdigest()
    if project.documents.filter(sha256=sha).exists():
        raise Conflict(_("This file is already attached to the project."), code="duplicate_document")
    upload.seek(0)
    document = ProjectDocument(
        project=project,
        doc_type=doc_type,
        filename=name,
        content_type=content_type,
        size=size,
        sha256=sha,
        uploaded_by=actor,
    )
    document.file.save(sha, upload, save=False)
    document.save()
    return document


# --- review workflow ------------------------------------------------------------------------------

# step → (allowed from, to, roles that may take it; None = a member of the enterprise)
TRANSITIONS = {
    "submit": ((Status.DRAFT, Status.RETURNED), Status.SUBMITTED, None),
    "start_review": ((Status.SUBMITTED,), Status.UNDER_REVIEW, (Role.CENTRE_REVIEWER, Role.CENTRE_OPERATOR)),
    "approve": ((Status.UNDER_REVIEW,), Status.APPROVED, (Role.CENTRE_REVIEWER,)),
    "return": ((Status.UNDER_REVIEW,), Status.RETURNED, (Role.CENTRE_REVIEWER,)),
    "reject": ((Status.UNDER_REVIEW,), Status.REJECTED, (Role.CENTRE_REVIEWER,)),
}


@transaction.atomic
def project_transition(
    *,
    project_id: uuid.UUID | str,
    actor: User,
    step: str,
    comment: str = "",
    request: HttpRequest | None = None,
) -> RetrofitProject:
    if step not in TRANSITIONS:
        raise ValidationFailed(_("Unknown review step."), fields={"action": [_("Unknown review step.")]})
    allowed_from, to, roles = TRANSITIONS[step]
    project = RetrofitProject.objects.select_for_update().filter(pk=project_id).first()
    if project is None:
        raise NotFound(_("Not found."))
    if roles is None:
        if not EnterpriseMember.objects.filter(enterprise_id=project.enterprise_id, user=actor).exists():
            raise NotFound(_("Not found."))
        role: str = Role.ENTERPRISE_STAFF
    else:
        _require_staff_of(actor, project.centre_id, *roles)
        role = next((r for r in roles if actor.has_role(r)), "superuser")
    if project.status not in allowed_from:
        raise Conflict(
            _("A project that is %(status)s cannot be moved this way.")
            % {"status": project.get_status_display()},
            code="invalid_transition",
        )
    if step in ("return", "reject") and not comment.strip():
        raise ValidationFailed(
            _("Say why, for the enterprise."), fields={"comment": [_("Say why, for the enterprise.")]}
        )
    if step == "submit":
        if not project.readings.exists():
            raise Unprocessable(_("Add the monthly energy table first."), code="no_readings")
        if not project.documents.exists():
            raise Unprocessable(_("Attach at least one supporting document."), code="no_documents")
        project.submitted_at = timezone.now()
    if step == "approve":
        _approve(project)
    if step in ("approve", "reject"):
        project.decided_at = timezone.now()
    ReviewEvent.objects.create(
        project=project,
        actor=actor,
        role=str(role),
        from_status=project.status,
        to_status=to,
        comment=comment.strip(),
    )
    project.status = to
    project.save()
    audit_record(
        actor=actor,
        action=f"retrofit.{step}",
        target=project,
        data={"comment": comment[:200]},
        request=request,
    )
    return project


def _approve(project: RetrofitProject) -> None:
    readings = list(project.readings.all())
    result = {**quantify(readings), **_reported(project)}
    if Decimal(result["kg_co2e"]) <= 0:
        raise Unprocessable(_("The project shows no reduction to approve."), code="no_reduction")
    project.quantification = result
    project.kg_co2e = Decimal(result["kg_co2e"])
    project.methodology_version = result["methodology"]
    for year in result["years"]:
        if Decimal(year["kg_co2e"]) > 0:
            ReductionYear.objects.create(
                project=project,
                centre=project.centre,
                year=year["year"],
                kg_co2e=Decimal(year["kg_co2e"]),
                detail=year,
            )


# --- donation -----------------------------------------------------------------------------------


def reduction_year_claim(*, reduction_year_id: int, kg: Decimal, purpose: str) -> None:
    """Take ``kg`` of an approved year for a donation or a credit, once, with one conditional UPDATE.

    The CheckConstraint (donated + credited ≤ approved) backs this up: a racing claim fails either here
    (zero rows) or at the database. The registry (credits) calls this with ``purpose="credit"``.
    """
    field = {"donation": "donated_kg", "credit": "credited_kg"}[purpose]
    updated = ReductionYear.objects.filter(
        pk=reduction_year_id, kg_co2e__gte=F("donated_kg") + F("credited_kg") + kg
    ).update(**{field: F(field) + kg})
    if updated != 1:
        raise Unprocessable(
            _("That is more than remains of the approved reduction for this year."),
            code="exceeds_approved",
            fields={"kg_co2e": [_("That is more than remains of the approved reduction for this year.")]},
        )


def _verification_code() -> str:
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _i in range(12))


def donation_create(
    *,
    enterprise: Enterprise,
    actor: User,
    reduction_year_id: int,
    kg_co2e: Decimal,
    idempotency_key: str,
    public_thanks: bool = False,
    request: HttpRequest | None = None,
) -> Donation:

    kg_co2e = round_kg(Decimal(kg_co2e))
    fingerprint = {"reduction_year": int(reduction_year_id), "kg_co2e": str(kg_co2e)}
    existing = Donation.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if (
            existing.enterprise_id != enterprise.pk
            or {
                "reduction_year": existing.reduction_year_id,
                "kg_co2e": str(existing.kg_co2e),
            }
            != fingerprint
        ):
            raise Unprocessable(
                _("This idempotency key was used for a different request."), code="idempotency_mismatch"
            )
        return existing
    if kg_co2e <= 0:
        raise ValidationFailed(
            _("Donate a positive amount."), fields={"kg_co2e": [_("Donate a positive amount.")]}
        )
    if enterprise.status != Enterprise.Status.VERIFIED:
        raise Conflict(
            _("The enterprise must be verified by the centre first."), code="enterprise_not_verified"
        )
    year = (
        ReductionYear.objects.select_related("project")
        .filter(pk=reduction_year_id, project__enterprise=enterprise, project__status=Status.APPROVED)
        .first()
    )
    if year is None:
        raise NotFound(_("No approved reduction with this id."))
    try:
        return _donation_write(
            enterprise=enterprise,
            actor=actor,
            year=year,
            kg_co2e=kg_co2e,
            idempotency_key=idempotency_key,
            public_thanks=public_thanks,
            request=request,
        )
    except IntegrityError:  # the same key committed concurrently: answer as a replay
        existing = Donation.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return donation_create(
            enterprise=enterprise,
            actor=actor,
            reduction_year_id=reduction_year_id,
            kg_co2e=kg_co2e,
            idempotency_key=idempotency_key,
            public_thanks=public_thanks,
            request=request,
        )


def _donation_write(
    *,
    enterprise: Enterprise,
    actor: User,
    year: ReductionYear,
    kg_co2e: Decimal,
    idempotency_key: str,
    public_thanks: bool,
    request: HttpRequest | None,
) -> Donation:
    with transaction.atomic():
        reduction_year_claim(reduction_year_id=year.pk, kg=kg_co2e, purpose="donation")
        pool = funding.donation_pool_for(centre=year.centre)
        rate, rule = funding.coins_per_kg(centre=year.centre)
        coins = int(kg_co2e * rate)
        donation = Donation.objects.create(
            enterprise=enterprise,
            reduction_year=year,
            centre=year.centre,
            pool=pool,
            kg_co2e=kg_co2e,
            coins=coins,
            coins_per_kg=rate,
            rule=rule,
            verification_code=_verification_code(),
            idempotency_key=idempotency_key,
            public_thanks=public_thanks,
            donated_by=actor,
        )
        funding.pool_receive_donation(
            pool=pool, coins=coins, reference=f"donation:{donation.pk}", actor=actor, cause=donation
        )
        if public_thanks and not enterprise.public_thanks:
            enterprise_set_public_thanks(enterprise=enterprise, consent=True)
        audit_record(
            actor=actor,
            action="enterprise.donate",
            target=donation,
            data={"kg": str(kg_co2e), "coins": coins},
            request=request,
        )
    return donation
