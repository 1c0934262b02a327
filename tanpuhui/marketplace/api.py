"""Marketplace API: thin views over ``services`` and ``selectors``.

Scoping is ``common.scoping`` (``AudienceMixin`` first in the bases): ``HOME_CENTRE`` — a resident sees
their centre's offers; ``RESIDENT`` — their vouchers; ``MERCHANT`` — merchant staff see their own
merchant's rows; ``STAFF`` — centre staff; ``BOOTH`` — who may run an event's booth.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from tanpuhui.accounts.audiences import HOME_CENTRE, RESIDENT, STAFF
from tanpuhui.common.errors import NotFound, ValidationFailed
from tanpuhui.common.scoping import SIGNED_IN, AudienceMixin
from tanpuhui.funding.models import FundingPool
from tanpuhui.ledger.idempotency import idempotent
from tanpuhui.marketplace import exports, filters, selectors, serializers, services
from tanpuhui.marketplace.audiences import BOOTH, MERCHANT
from tanpuhui.marketplace.models import Event, Merchant, MerchantStaff, Offer, Voucher
from tanpuhui.tenancy.models import Centre


class MerchantStaffMixin(AudienceMixin):
    """Merchant views: ``staff`` is the caller's link to their (approved) merchant."""

    audience = MERCHANT

    @property
    def staff(self) -> MerchantStaff:
        return services.merchant_staff_of(self.request.user)


# --- residents ---------------------------------------------------------------------------------


@extend_schema(tags=["marketplace"])
class OfferListApi(AudienceMixin, generics.ListAPIView):
    audience = HOME_CENTRE
    serializer_class = serializers.OfferOutput
    queryset = Offer.objects.all()
    filterset_class = filters.OfferFilter

    def get_queryset(self):
        return selectors.offers_live(self.request.user).select_related("funding_pool")


@extend_schema(tags=["marketplace"])
class OfferDetailApi(AudienceMixin, generics.RetrieveAPIView):
    audience = HOME_CENTRE
    serializer_class = serializers.OfferOutput
    queryset = selectors.offers_approved().select_related("merchant", "funding_pool")


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
class OfferRedeemApi(AudienceMixin, generics.GenericAPIView):
    audience = HOME_CENTRE
    queryset = selectors.offers_approved()
    serializer_class = serializers.VoucherOutput

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
class MyVoucherListApi(AudienceMixin, generics.ListAPIView):
    audience = RESIDENT
    serializer_class = serializers.VoucherOutput
    queryset = Voucher.objects.select_related("offer", "merchant")


@extend_schema(tags=["marketplace"])
class MyVoucherDetailApi(AudienceMixin, generics.RetrieveAPIView):
    audience = RESIDENT
    serializer_class = serializers.VoucherOutput
    queryset = Voucher.objects.select_related("offer", "merchant")


# --- merchants ---------------------------------------------------------------------------------


@extend_schema(
    tags=["merchant"], request=serializers.MerchantApplyInput, responses={201: serializers.MerchantOutput}
)
class MerchantApplyApi(AudienceMixin, APIView):
    """Any signed-in user may apply; on approval the applicant becomes the merchant's manager."""

    audience = SIGNED_IN

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
class MerchantMeApi(MerchantStaffMixin, APIView):
    def get(self, request):
        return Response(serializers.MerchantOutput(self.staff.merchant).data)


@extend_schema(tags=["merchant"])
class MerchantStaffApi(MerchantStaffMixin, generics.ListAPIView):
    serializer_class = serializers.StaffOutput
    pagination_class = None

    queryset = MerchantStaff.objects.select_related("user", "outlet")

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
class MerchantOfferListApi(MerchantStaffMixin, generics.ListAPIView):
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
class MerchantOfferDetailApi(MerchantStaffMixin, generics.RetrieveAPIView):
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
class MerchantOfferSubmitApi(MerchantStaffMixin, generics.GenericAPIView):
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
class MerchantVerifyApi(MerchantStaffMixin, APIView):
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
class MerchantSettlementApi(MerchantStaffMixin, APIView):
    def get(self, request):
        query = serializers.SettlementQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        merchants = self.scoped(Merchant.objects.all(), "pk")
        return _settlement_response(merchants, query.validated_data)


# --- centre staff ------------------------------------------------------------------------------


@extend_schema(tags=["staff"])
class StaffMerchantListApi(AudienceMixin, generics.ListAPIView):
    audience = STAFF
    serializer_class = serializers.MerchantOutput
    queryset = Merchant.objects.select_related("centre").prefetch_related("outlets")
    filterset_class = filters.StaffMerchantFilter


@extend_schema(tags=["staff"], request=serializers.ReviewInput, responses=serializers.MerchantOutput)
class StaffMerchantReviewApi(AudienceMixin, generics.GenericAPIView):
    audience = STAFF
    queryset = Merchant.objects.all()
    serializer_class = serializers.MerchantOutput

    def post(self, request, pk):
        target = self.get_object()  # another centre's row is a 404 before the body is read
        data = serializers.ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        merchant = services.merchant_review(
            merchant=target,
            actor=request.user,
            approve=data.validated_data["decision"] == "approve",
            reason=data.validated_data["reason"],
            request=request,
        )
        return Response(serializers.MerchantOutput(merchant).data)


@extend_schema(tags=["staff"])
class StaffOfferListApi(AudienceMixin, generics.ListAPIView):
    audience = STAFF
    serializer_class = serializers.MerchantOfferOutput
    queryset = Offer.objects.select_related("merchant", "funding_pool")
    filterset_class = filters.StaffOfferFilter


@extend_schema(tags=["staff"], request=serializers.ReviewInput, responses=serializers.MerchantOfferOutput)
class StaffOfferReviewApi(AudienceMixin, generics.GenericAPIView):
    audience = STAFF
    queryset = Offer.objects.all()
    serializer_class = serializers.MerchantOfferOutput

    def post(self, request, pk):
        target = self.get_object()  # another centre's row is a 404 before the body is read
        data = serializers.ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.offer_review(
            offer=target,
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
class StaffSettlementApi(AudienceMixin, generics.GenericAPIView):
    audience = STAFF
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


class EventBoothMixin(AudienceMixin):
    """Events whose booth the user may run (the ``BOOTH`` audience)."""

    audience = BOOTH
    queryset = Event.objects.all()

    def get_event(self, pk) -> Event:
        return self.get_object()


@extend_schema(
    tags=["events"], request=serializers.BoothRedeemInput, responses={201: serializers.VerifyOutput}
)
class EventBoothRedeemApi(EventBoothMixin, generics.GenericAPIView):
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
class EventStatsApi(EventBoothMixin, generics.GenericAPIView):
    def get(self, request, pk):
        return Response(serializers.EventStatsOutput(selectors.event_stats(self.get_event(pk))).data)
