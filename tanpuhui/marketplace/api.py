"""Marketplace API: thin views over ``services`` and ``selectors``.

Scoping (one mechanism per audience, the mixin first in the bases):
``ResidentCentreMixin`` — a resident sees their centre's offers; ``ResidentOwnedMixin`` — their vouchers;
``MerchantScopedMixin`` — merchant staff see their own merchant's rows; ``CentreScopedMixin`` — staff.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from tanpuhui.common.api import CentreScopedMixin, HasRole, IsResident, ResidentOwnedMixin
from tanpuhui.common.errors import NotFound, ValidationFailed
from tanpuhui.funding.models import FundingPool
from tanpuhui.ledger.idempotency import idempotent
from tanpuhui.marketplace import exports, selectors, serializers, services
from tanpuhui.marketplace.models import Category, Event, Merchant, MerchantStaff, Offer, Voucher
from tanpuhui.tenancy.models import Centre

# --- scoping mixins ----------------------------------------------------------------------------


class ResidentCentreMixin:
    """Rows of the resident's home centre only (offers); anything else is a 404."""

    permission_classes: Sequence[Any] = [IsResident]

    def get_queryset(self):
        return selectors.offers_for_resident(self.request.user).select_related("merchant", "funding_pool")  # type: ignore[attr-defined]


class IsMerchantStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        return HasRole.of("merchant_staff")().has_permission(request, view) and (
            selectors.staff_link(request.user) is not None
        )


class MerchantScopedMixin:
    """Rows of the staff member's own (approved) merchant; another merchant's rows are 404."""

    merchant_lookup = "merchant"
    permission_classes: Sequence[Any] = [IsMerchantStaff]

    @property
    def staff(self):
        return services.merchant_staff_of(self.request.user)  # type: ignore[attr-defined]

    def get_queryset(self):
        return super().get_queryset().filter(**{self.merchant_lookup: self.staff.merchant})  # type: ignore[misc]


# --- residents ---------------------------------------------------------------------------------


@extend_schema(
    tags=["marketplace"],
    parameters=[OpenApiParameter("category", str, enum=Category.values, required=False)],
)
class OfferListApi(ResidentCentreMixin, generics.ListAPIView):
    serializer_class = serializers.OfferOutput
    queryset = Offer.objects.all()

    def get_queryset(self):
        category = self.request.query_params.get("category") or None
        if category and category not in Category.values:
            raise ValidationFailed(_("Unknown category."), fields={"category": [category]})
        return selectors.offers_live(self.request.user, category=category).select_related("funding_pool")


@extend_schema(tags=["marketplace"])
class OfferDetailApi(ResidentCentreMixin, generics.RetrieveAPIView):
    serializer_class = serializers.OfferOutput
    queryset = Offer.objects.all()


@extend_schema(
    tags=["marketplace"],
    request=serializers.RedeemInput,
    parameters=[OpenApiParameter("Idempotency-Key", str, location=OpenApiParameter.HEADER, required=True)],
    responses={
        201: serializers.VoucherOutput,
        404: OpenApiResponse(description="offer_not_found"),
        409: OpenApiResponse(description="sold_out, limit_reached, not_started, ended, insufficient_coins"),
    },
)
class OfferRedeemApi(ResidentCentreMixin, APIView):
    @idempotent("voucher_redeem")
    def post(self, request, pk):
        data = serializers.RedeemInput(data=request.data)
        data.is_valid(raise_exception=True)
        voucher = services.voucher_redeem(
            offer_id=pk, resident=request.user, idempotency_key=request.idempotency_key
        )
        voucher = Voucher.objects.select_related("offer", "merchant").get(pk=voucher.pk)
        return Response(serializers.VoucherOutput(voucher).data, status=201)


@extend_schema(tags=["marketplace"])
class MyVoucherListApi(ResidentOwnedMixin, generics.ListAPIView):
    serializer_class = serializers.VoucherOutput
    queryset = Voucher.objects.select_related("offer", "merchant")


@extend_schema(tags=["marketplace"])
class MyVoucherDetailApi(ResidentOwnedMixin, generics.RetrieveAPIView):
    serializer_class = serializers.VoucherOutput
    queryset = Voucher.objects.select_related("offer", "merchant")


# --- merchants ---------------------------------------------------------------------------------


@extend_schema(
    tags=["merchant"], request=serializers.MerchantApplyInput, responses={201: serializers.MerchantOutput}
)
class MerchantApplyApi(APIView):
    """Any signed-in user may apply; on approval the applicant becomes the merchant's manager."""

    permission_classes = [permissions.IsAuthenticated]

    def post(self, request):
        data = serializers.MerchantApplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        centre = Centre.objects.filter(code=values.pop("centre")).first()
        if centre is None:
            raise ValidationFailed(
                _("Unknown operation centre."), fields={"centre": [_("Unknown operation centre.")]}
            )
        merchant = services.merchant_apply(applicant=request.user, centre=centre, **values)
        return Response(serializers.MerchantOutput(merchant).data, status=201)


@extend_schema(tags=["merchant"], responses=serializers.MerchantOutput)
class MerchantMeApi(MerchantScopedMixin, APIView):
    def get(self, request):
        return Response(serializers.MerchantOutput(self.staff.merchant).data)


@extend_schema(tags=["merchant"])
class MerchantStaffApi(MerchantScopedMixin, generics.ListAPIView):
    serializer_class = serializers.StaffOutput
    pagination_class = None

    queryset = MerchantStaff.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return self.staff.merchant.staff.select_related("user", "outlet")

    @extend_schema(request=serializers.StaffCreateInput, responses={201: serializers.StaffOutput})
    def post(self, request):
        data = serializers.StaffCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        link = services.merchant_staff_create(
            manager=self.staff, outlet_id=values.pop("outlet"), request=request, **values
        )
        return Response(serializers.StaffOutput(link).data, status=201)


def _offer_values(validated: dict, centre) -> dict:
    values = dict(validated)
    pool_id = values.pop("funding_pool", None)
    values["funding_pool"] = None
    if pool_id is not None:
        pool = FundingPool.objects.filter(pk=pool_id, centre=centre).first()
        if pool is None:
            raise ValidationFailed(
                _("Unknown funding pool."), fields={"funding_pool": [_("Unknown funding pool.")]}
            )
        values["funding_pool"] = pool
    return values


@extend_schema(tags=["merchant"])
class MerchantOfferListApi(MerchantScopedMixin, generics.ListAPIView):
    serializer_class = serializers.MerchantOfferOutput
    queryset = Offer.objects.select_related("merchant", "funding_pool")

    @extend_schema(request=serializers.OfferInput, responses={201: serializers.MerchantOfferOutput})
    def post(self, request):
        data = serializers.OfferInput(data=request.data)
        data.is_valid(raise_exception=True)
        staff = self.staff
        offer = services.offer_create(
            staff=staff, **_offer_values(data.validated_data, staff.merchant.centre)
        )
        return Response(serializers.MerchantOfferOutput(offer).data, status=201)


@extend_schema(tags=["merchant"])
class MerchantOfferDetailApi(MerchantScopedMixin, generics.RetrieveAPIView):
    serializer_class = serializers.MerchantOfferOutput
    queryset = Offer.objects.select_related("merchant", "funding_pool")

    @extend_schema(request=serializers.OfferInput, responses=serializers.MerchantOfferOutput)
    def put(self, request, pk):
        offer = self.get_object()
        data = serializers.OfferInput(data=request.data)
        data.is_valid(raise_exception=True)
        staff = self.staff
        offer = services.offer_update(
            staff=staff, offer=offer, **_offer_values(data.validated_data, staff.merchant.centre)
        )
        return Response(serializers.MerchantOfferOutput(offer).data)


@extend_schema(tags=["merchant"], request=None, responses=serializers.MerchantOfferOutput)
class MerchantOfferSubmitApi(MerchantScopedMixin, generics.GenericAPIView):
    queryset = Offer.objects.all()
    serializer_class = serializers.MerchantOfferOutput

    def post(self, request, pk):
        offer = services.offer_submit(staff=self.staff, offer=self.get_object())
        return Response(serializers.MerchantOfferOutput(offer).data)


@extend_schema(
    tags=["merchant"],
    request=serializers.VerifyInput,
    responses={
        200: serializers.VerifyOutput,
        400: OpenApiResponse(description="malformed_code"),
        404: OpenApiResponse(description="unknown_code (also another merchant's code)"),
        409: OpenApiResponse(description="already_used, expired"),
        429: OpenApiResponse(description="too_many_failures"),
    },
)
class MerchantVerifyApi(MerchantScopedMixin, APIView):
    def post(self, request):
        data = serializers.VerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        voucher = services.voucher_verify(
            user=request.user, code=data.validated_data["code"], request=request
        )
        voucher = Voucher.objects.select_related("offer", "verified_outlet").get(pk=voucher.pk)
        return Response(serializers.VerifyOutput(voucher).data)


def _settlement_response(merchants, query: dict):
    start, end = query["start"], query["end"]
    if query["export"] == "csv":
        response = HttpResponse(
            exports.statement_csv(merchants, start, end), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="settlement-{start}-{end}.csv"'
        return response
    if query["export"] == "xlsx":
        response = HttpResponse(
            exports.statement_xlsx(merchants, start, end),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="settlement-{start}-{end}.xlsx"'
        return response
    lo, hi = exports.period_bounds(start, end)
    lines = selectors.settlement_lines(merchants, start=lo, end=hi)
    body = {
        "start": start,
        "end": end,
        "lines": [line.__dict__ for line in lines],
        "total_vouchers": sum(line.vouchers for line in lines),
        "total_yuan": sum((line.yuan for line in lines), Decimal("0")),
    }
    return Response(serializers.SettlementOutput(body).data)


SETTLEMENT_PARAMS = [
    OpenApiParameter("start", str, required=True, description="YYYY-MM-DD"),
    OpenApiParameter("end", str, required=True, description="YYYY-MM-DD, inclusive"),
    OpenApiParameter("export", str, enum=["json", "csv", "xlsx"], required=False),
]


@extend_schema(tags=["merchant"], parameters=SETTLEMENT_PARAMS, responses=serializers.SettlementOutput)
class MerchantSettlementApi(MerchantScopedMixin, APIView):
    def get(self, request):
        query = serializers.SettlementQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        merchants = Merchant.objects.filter(pk=self.staff.merchant.pk)
        return _settlement_response(merchants, query.validated_data)


# --- centre staff ------------------------------------------------------------------------------


@extend_schema(
    tags=["staff"],
    parameters=[OpenApiParameter("status", str, enum=Merchant.Status.values, required=False)],
)
class StaffMerchantListApi(CentreScopedMixin, generics.ListAPIView):
    serializer_class = serializers.MerchantOutput
    queryset = Merchant.objects.select_related("centre").prefetch_related("outlets")

    def get_queryset(self):
        queryset = super().get_queryset()
        status = self.request.query_params.get("status")
        return queryset.filter(status=status) if status else queryset


@extend_schema(tags=["staff"], request=serializers.ReviewInput, responses=serializers.MerchantOutput)
class StaffMerchantReviewApi(CentreScopedMixin, generics.GenericAPIView):
    queryset = Merchant.objects.all()
    serializer_class = serializers.MerchantOutput

    def post(self, request, pk):
        data = serializers.ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        merchant = services.merchant_review(
            merchant=self.get_object(),
            actor=request.user,
            approve=data.validated_data["decision"] == "approve",
            reason=data.validated_data["reason"],
            request=request,
        )
        return Response(serializers.MerchantOutput(merchant).data)


@extend_schema(
    tags=["staff"],
    parameters=[OpenApiParameter("status", str, enum=Offer.Status.values, required=False)],
)
class StaffOfferListApi(CentreScopedMixin, generics.ListAPIView):
    serializer_class = serializers.MerchantOfferOutput
    queryset = Offer.objects.select_related("merchant", "funding_pool")

    def get_queryset(self):
        queryset = super().get_queryset()
        status = self.request.query_params.get("status")
        return queryset.filter(status=status) if status else queryset


@extend_schema(tags=["staff"], request=serializers.ReviewInput, responses=serializers.MerchantOfferOutput)
class StaffOfferReviewApi(CentreScopedMixin, generics.GenericAPIView):
    queryset = Offer.objects.all()
    serializer_class = serializers.MerchantOfferOutput

    def post(self, request, pk):
        data = serializers.ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.offer_review(
            offer=self.get_object(),
            actor=request.user,
            approve=data.validated_data["decision"] == "approve",
            reason=data.validated_data["reason"],
            request=request,
        )
        return Response(serializers.MerchantOfferOutput(offer).data)


@extend_schema(
    tags=["staff"],
    parameters=[*SETTLEMENT_PARAMS, OpenApiParameter("merchant", str, required=False)],
    responses=serializers.SettlementOutput,
)
class StaffSettlementApi(CentreScopedMixin, generics.GenericAPIView):
    queryset = Merchant.objects.all()

    def get(self, request):
        query = serializers.SettlementQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        merchants = self.get_queryset()
        if query.validated_data.get("merchant"):
            merchants = merchants.filter(pk=query.validated_data["merchant"])
            if not merchants.exists():
                raise NotFound(_("No such merchant."))
        return _settlement_response(merchants, query.validated_data)


# --- event booth -------------------------------------------------------------------------------


class CanRunBooth(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_centre_staff or selectors.staff_link(user)))


class EventBoothMixin:
    """Events whose booth the user may run (``selectors.events_for_booth``)."""

    permission_classes: Sequence[Any] = [CanRunBooth]

    def get_event(self, pk) -> Event:
        return get_object_or_404(selectors.events_for_booth(self.request.user), pk=pk)  # type: ignore[attr-defined]


@extend_schema(
    tags=["events"], request=serializers.BoothRedeemInput, responses={201: serializers.VerifyOutput}
)
class EventBoothRedeemApi(EventBoothMixin, APIView):
    @idempotent("event_booth_redeem")
    def post(self, request, pk):
        event = self.get_event(pk)
        data = serializers.BoothRedeemInput(data=request.data)
        data.is_valid(raise_exception=True)
        voucher = services.event_booth_redeem(
            event=event,
            user=request.user,
            resident_token=data.validated_data["resident_token"],
            offer_id=data.validated_data["offer"],
            idempotency_key=request.idempotency_key,
            request=request,
        )
        voucher = Voucher.objects.select_related("offer", "verified_outlet").get(pk=voucher.pk)
        return Response(serializers.VerifyOutput(voucher).data, status=201)


@extend_schema(tags=["events"], responses=serializers.EventStatsOutput)
class EventStatsApi(EventBoothMixin, APIView):
    def get(self, request, pk):
        return Response(serializers.EventStatsOutput(selectors.event_stats(self.get_event(pk))).data)
