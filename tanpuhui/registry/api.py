"""The registry API: public reads, centre staff's projects and reports, the verifier's statement, the
provincial authority's decisions, and account holders' transfers and retirements. Thin: validate, look
the object up inside the caller's audience (another tenant's row is a 404), call a service, serialise."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from tanpuhui.accounts.audiences import PROVINCIAL, STAFF
from tanpuhui.common.errors import NotFound
from tanpuhui.common.scoping import PUBLIC, AudienceMixin
from tanpuhui.ledger.idempotency import idempotent
from tanpuhui.registry import selectors, serializers, services
from tanpuhui.registry.audiences import HOLDER, VERIFIER
from tanpuhui.registry.models import (
    CarbonProject,
    CreditBlock,
    MonitoringReport,
    RegistryAccount,
    ReportStep,
    Sale,
)


def _key(request: Any) -> str:
    return hashlib.sha256(request.idempotency_key.encode()).hexdigest()


def _valid(serializer_class: Any, request: Any) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _one(queryset: Any, pk: Any) -> Any:
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound("Not found.")
    return obj


# Public ------------------------------------------------------------------------------------------


@extend_schema(tags=["registry"])
class ProjectListApi(AudienceMixin, generics.ListAPIView):
    """Every carbon-inclusion project with the credits issued to it."""

    audience = PUBLIC
    serializer_class = serializers.RegistryProjectOutput
    queryset = selectors.projects()


@extend_schema(tags=["registry"])
class ProjectDetailApi(AudienceMixin, generics.RetrieveAPIView):
    """One project with its monitoring reports, their lines and workflow steps."""

    audience = PUBLIC
    serializer_class = serializers.RegistryProjectDetailOutput
    queryset = selectors.projects().prefetch_related(
        Prefetch(
            "reports",
            queryset=MonitoringReport.objects.prefetch_related(
                "lines",
                Prefetch("steps", queryset=ReportStep.objects.select_related("actor").order_by("at", "id")),
            ),
        )
    )


@extend_schema(tags=["registry"])
class IssuanceListApi(AudienceMixin, generics.ListAPIView):
    audience = PUBLIC
    serializer_class = serializers.RegistryIssuanceOutput
    queryset = selectors.issuances()


@extend_schema(tags=["registry"])
class RetirementListApi(AudienceMixin, generics.ListAPIView):
    """Retirements with their beneficiaries and purposes (ETS compliance year, event)."""

    audience = PUBLIC
    serializer_class = serializers.RegistryRetirementOutput
    queryset = selectors.retirements()


@extend_schema(tags=["registry"], responses=serializers.RegistryHoldingsOutput(many=True))
class HoldingsApi(AudienceMixin, APIView):
    """Credits held (active or frozen) per kind of account."""

    audience = PUBLIC

    def get(self, request):
        return Response(serializers.RegistryHoldingsOutput(selectors.holdings_by_kind(), many=True).data)


@extend_schema(tags=["registry"], responses=serializers.RegistryYearOutput(many=True))
class StatisticsApi(AudienceMixin, APIView):
    """Credits issued, retired and cancelled per calendar year."""

    audience = PUBLIC

    def get(self, request):
        return Response(serializers.RegistryYearOutput(selectors.annual_statistics(), many=True).data)


@extend_schema(tags=["registry"], responses=serializers.RegistrySerialOutput)
class SerialApi(AudienceMixin, APIView):
    """Which live block holds a serial (any serial inside a block, or a range), its status and lineage.
    400 ``bad_serial`` / ``reversed_range`` for a malformed serial, 404 ``unknown_serial`` when none."""

    audience = PUBLIC

    def get(self, request, serial):
        block = services.block_holding(serial)
        retirement = (
            getattr(block, "retirement", None) if block.status == CreditBlock.Status.RETIRED else None
        )
        return Response(
            serializers.RegistrySerialOutput(
                {
                    "serial": serial.upper(),
                    "block": block,
                    "lineage": selectors.lineage(block),
                    "retirement": None
                    if retirement is None
                    else {
                        "beneficiary": retirement.beneficiary,
                        "purpose": retirement.purpose,
                        "compliance_year": retirement.compliance_year,
                        "certificate_code": retirement.certificate_code,
                    },
                }
            ).data
        )


# Centre staff ------------------------------------------------------------------------------------


@extend_schema(tags=["registry staff"])
class StaffProjectApi(AudienceMixin, generics.ListAPIView):
    """The projects of the caller's centres; POST registers one (owner: a registry account)."""

    audience = STAFF
    serializer_class = serializers.RegistryProjectOutput
    queryset = selectors.projects()

    @extend_schema(
        request=serializers.RegistryProjectInput, responses={201: serializers.RegistryProjectOutput}
    )
    def post(self, request):
        v = _valid(serializers.RegistryProjectInput, request)
        owner = _one(self.scoped(RegistryAccount.objects.all()), v["owner"])
        project = services.project_create(
            actor=request.user,
            centre=owner.centre,
            owner=owner,
            methodology_code=v["methodology"],
            title=v["title"],
            kind=v["kind"],
            boundary=v["boundary"],
            crediting_start=v["crediting_start"],
            crediting_end=v["crediting_end"],
        )
        return Response(
            serializers.RegistryProjectOutput(selectors.projects().get(pk=project.pk)).data, status=201
        )


@extend_schema(tags=["registry staff"])
class StaffReportApi(AudienceMixin, generics.ListAPIView):
    """The monitoring reports of the caller's centres; POST aggregates a new one for a project."""

    audience = STAFF
    scope_lookup = "project__centre"
    serializer_class = serializers.RegistryReportOutput
    queryset = selectors.reports()

    @extend_schema(request=serializers.RegistryReportInput, responses={201: serializers.RegistryReportOutput})
    def post(self, request):
        v = _valid(serializers.RegistryReportInput, request)
        project = _one(
            self.scoped(CarbonProject.objects.select_related("methodology", "owner")), v["project"]
        )
        report = services.report_create(
            actor=request.user, project=project, period_start=v["period_start"], period_end=v["period_end"]
        )
        return Response(
            serializers.RegistryReportOutput(selectors.reports().get(pk=report.pk)).data, status=201
        )


@extend_schema(
    tags=["registry staff"],
    request=serializers.RegistryReportStepInput,
    responses=serializers.RegistryReportOutput,
)
class StaffReportStepApi(AudienceMixin, APIView):
    """The centre's steps: open the public notice, the city's preliminary review, or reject."""

    audience = STAFF

    def post(self, request):
        v = _valid(serializers.RegistryReportStepInput, request)
        report = _one(self.scoped(MonitoringReport.objects.all(), "project__centre"), v["report"])
        if v["step"] == "public_notice":
            services.report_open_notice(report_id=report.pk, actor=request.user, start=v.get("start"))
        elif v["step"] == "city_review":
            services.report_city_review(report_id=report.pk, actor=request.user, comment=v["comment"])
        else:
            services.report_reject(report_id=report.pk, actor=request.user, comment=v["comment"])
        return Response(serializers.RegistryReportOutput(selectors.reports().get(pk=report.pk)).data)


@extend_schema(
    tags=["registry staff"],
    request=serializers.RegistrySaleBookInput,
    responses=serializers.RegistrySaleOutput,
)
class StaffSaleBookApi(AudienceMixin, APIView):
    """Book a sale's proceeds into the selling centre's funding pool."""

    audience = STAFF

    def post(self, request):
        v = _valid(serializers.RegistrySaleBookInput, request)
        sale = _one(self.scoped(Sale.objects.all(), "seller__centre"), v["sale"])
        return Response(
            serializers.RegistrySaleOutput(
                services.sale_book_proceeds(sale_id=sale.pk, actor=request.user)
            ).data
        )


@extend_schema(
    tags=["registry staff"],
    request=serializers.RegistryVerificationInput,
    responses=serializers.RegistryReportOutput,
)
class VerificationApi(AudienceMixin, APIView):
    """A third-party verifier's statement (and downward adjustment) on a report after its notice."""

    audience = VERIFIER

    def post(self, request):
        v = _valid(serializers.RegistryVerificationInput, request)
        report = _one(self.scoped(MonitoringReport.objects.all()), v["report"])
        services.report_verify(
            report_id=report.pk,
            actor=request.user,
            statement=v["statement"],
            adjustment_kg=v["adjustment_kg"],
        )
        return Response(serializers.RegistryReportOutput(selectors.reports().get(pk=report.pk)).data)


# Provincial authority ----------------------------------------------------------------------------


@extend_schema(
    tags=["registry authority"],
    request=serializers.RegistryReportDecisionInput,
    responses=serializers.RegistryReportOutput,
)
class AuthorityDecisionApi(AudienceMixin, APIView):
    """Provincial approval, issuance (one block per report line) or rejection of a report."""

    audience = PROVINCIAL

    def post(self, request):
        v = _valid(serializers.RegistryReportDecisionInput, request)
        report = _one(self.scoped(MonitoringReport.objects.all(), "project__centre"), v["report"])
        if v["decision"] == "approve":
            services.report_approve(report_id=report.pk, actor=request.user, comment=v["comment"])
        elif v["decision"] == "issue":
            services.report_issue(report_id=report.pk, actor=request.user)
        else:
            services.report_reject(report_id=report.pk, actor=request.user, comment=v["comment"])
        return Response(serializers.RegistryReportOutput(selectors.reports().get(pk=report.pk)).data)


@extend_schema(
    tags=["registry authority"],
    request=serializers.RegistryCancelInput,
    responses={201: serializers.RegistryMovementOutput},
)
class CancellationApi(AudienceMixin, APIView):
    audience = PROVINCIAL

    @idempotent("registry_cancel")
    def post(self, request):
        v = _valid(serializers.RegistryCancelInput, request)
        block = _one(self.scoped(CreditBlock.objects.all(), "project__centre"), v["block"])
        movement = services.credits_cancel(
            block_id=block.pk,
            quantity=v["quantity"],
            actor=request.user,
            idempotency_key=_key(request),
            reason=v["reason"],
        )
        return Response(serializers.RegistryMovementOutput(movement).data, status=201)


@extend_schema(
    tags=["registry authority"],
    request=serializers.RegistryFreezeInput,
    responses={201: serializers.RegistryMovementOutput},
)
class FreezeApi(AudienceMixin, APIView):
    audience = PROVINCIAL

    @idempotent("registry_freeze")
    def post(self, request):
        v = _valid(serializers.RegistryFreezeInput, request)
        block = _one(self.scoped(CreditBlock.objects.all(), "project__centre"), v["block"])
        movement = services.credits_freeze(
            block_id=block.pk,
            actor=request.user,
            idempotency_key=_key(request),
            reason=v["reason"],
            freeze=v["freeze"],
        )
        return Response(serializers.RegistryMovementOutput(movement).data, status=201)


# Account holders ---------------------------------------------------------------------------------


@extend_schema(tags=["registry holders"])
class HeldBlockListApi(AudienceMixin, generics.ListAPIView):
    """The live blocks of the caller's registry accounts."""

    audience = HOLDER
    serializer_class = serializers.RegistryHeldBlockOutput
    queryset = CreditBlock.objects.exclude(status=CreditBlock.Status.SUPERSEDED).select_related(
        "account", "project"
    )


@extend_schema(
    tags=["registry holders"],
    request=serializers.RegistryTransferInput,
    responses={201: serializers.RegistryMovementOutput},
)
class TransferApi(AudienceMixin, APIView):
    """Transfer (with ``price_fen``: sell) part or all of an own block; needs an ``Idempotency-Key``."""

    audience = HOLDER

    @idempotent("registry_transfer")
    def post(self, request):
        v = _valid(serializers.RegistryTransferInput, request)
        block = _one(self.scoped(CreditBlock.objects.all()), v["block"])
        to_account = _one(RegistryAccount.objects.all(), v["to_account"])
        movement = services.credits_transfer(
            block_id=block.pk,
            quantity=v["quantity"],
            to_account=to_account,
            actor=request.user,
            idempotency_key=_key(request),
            price_fen=v.get("price_fen"),
        )
        return Response(serializers.RegistryMovementOutput(movement).data, status=201)


@extend_schema(
    tags=["registry holders"],
    request=serializers.RegistryRetireInput,
    responses={201: serializers.RegistryRetirementOutput},
)
class RetireApi(AudienceMixin, APIView):
    """Retire part or all of an own block for a beneficiary and purpose (final)."""

    audience = HOLDER

    @idempotent("registry_retire")
    def post(self, request):
        v = _valid(serializers.RegistryRetireInput, request)
        block = _one(self.scoped(CreditBlock.objects.all()), v["block"])
        retirement = services.credits_retire(
            block_id=block.pk,
            quantity=v["quantity"],
            actor=request.user,
            idempotency_key=_key(request),
            beneficiary=v["beneficiary"],
            purpose=v["purpose"],
            compliance_year=v.get("compliance_year"),
            event=v["event"],
        )
        return Response(serializers.RegistryRetirementOutput(retirement).data, status=201)
