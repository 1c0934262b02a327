from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from tanpuhui.accounts.models import Role, User
from tanpuhui.labels.models import (
    Application,
    Certificate,
    LowCarbonSpec,
    ProductCategoryRule,
    Scheme,
    Study,
)


def pcr_list() -> QuerySet[ProductCategoryRule]:
    return ProductCategoryRule.objects.all()


def study_list() -> QuerySet[Study]:
    return Study.objects.select_related("pcr", "enterprise")


def study_detail() -> QuerySet[Study]:
    return Study.objects.select_related("pcr", "enterprise").prefetch_related("lines")


def scheme_list() -> QuerySet[Scheme]:
    return Scheme.objects.prefetch_related("recognises")


def spec_list() -> QuerySet[LowCarbonSpec]:
    return LowCarbonSpec.objects.all()


def application_gaps(*, study: Study, schemes: list[Scheme]) -> dict[str, list[str]]:
    """What is missing for each requested label, shown on the form before anything is sent."""
    result: dict[str, Any] = study.result or {}
    gaps: dict[str, list[str]] = {}
    for scheme in schemes:
        items = []
        if study.status != Study.Status.COMPUTED:
            items.append("The footprint has not been computed.")
        if study.pcr.version not in scheme.accepted_pcrs.get(study.pcr.code, []):
            items.append(f"This label does not accept the rule {study.pcr.code} {study.pcr.version}.")
        score = result.get("data_quality")
        if study.status == Study.Status.COMPUTED and (
            score is None or Decimal(str(score)) > scheme.max_dq_score
        ):
            items.append(f"Data quality {score} is worse than this label accepts ({scheme.max_dq_score}).")
        if study.status == Study.Status.COMPUTED and not result.get("primary_share_ok", False):
            items.append("Too little of the result comes from primary data.")
        gaps[scheme.code] = items
    return gaps


OPEN_APPLICATION = [
    Application.Status.SUBMITTED,
    Application.Status.ASSIGNED,
    Application.Status.VERIFIED,
    Application.Status.CERTIFIED,
]


def application_list() -> QuerySet[Application]:
    return Application.objects.select_related("study__pcr", "enterprise", "verifier").prefetch_related(
        "schemes", "certificates__scheme"
    )


def application_detail() -> QuerySet[Application]:
    return application_list().prefetch_related("findings")


def applications_waiting(*, queryset: QuerySet[Application]) -> QuerySet[Application]:
    return queryset.filter(status__in=[Application.Status.SUBMITTED, Application.Status.VERIFIED])


def certificate_public() -> QuerySet[Certificate]:
    return Certificate.objects.select_related("scheme", "enterprise", "application")


def catalogue() -> QuerySet[Certificate]:
    """The public catalogue's rows (``filters.CatalogueFilter`` narrows them; valid ones by default)."""
    return certificate_public().order_by("-issued_on", "number")


def verifiers_recognised(*, scheme_codes: list[str]) -> QuerySet[User]:
    """Verifiers with a current accreditation by every scheme named (all verifiers when none)."""
    rows = User.objects.filter(role_assignments__role=Role.VERIFIER).distinct()
    today = timezone.localdate()
    for code in scheme_codes:
        rows = rows.filter(
            label_accreditations__scheme__code=code, label_accreditations__valid_until__gte=today
        )
    return rows.distinct()
