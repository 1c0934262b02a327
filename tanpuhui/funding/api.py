"""Funding API: staff pools, reports, campaigns, crowdfunding and causes; residents pledge and donate."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from tanpuhui.common.api import CentreScopedMixin, IsResident
from tanpuhui.common.errors import NotFound
from tanpuhui.funding import selectors, serializers, services
from tanpuhui.funding.models import Campaign, Cause, CrowdfundingProject, FundingPool
from tanpuhui.ledger.idempotency import idempotent
from tanpuhui.tenancy.models import Centre
from tanpuhui.tenancy.selectors import scope_to_user


class HomeCentreMixin:
    """Resident views: the rows of the resident's home centre (another centre's row is a 404)."""

    centre_lookup = "centre"
    permission_classes = [IsResident]

    def get_queryset(self):
        return super().get_queryset().filter(**{self.centre_lookup: self.request.user.centre_id})  # type: ignore[misc]


def staff_centre(request, code: str) -> Centre:
    """The centre named in a staff request body, if the user may act there (else 404)."""
    centre = scope_to_user(Centre.objects.all(), request.user, "pk").filter(code=code).first()
    if centre is None:
        raise NotFound(_("Unknown operation centre."), fields={"centre": [code]})
    return centre


# --- staff: pools ----------------------------------------------------------------------------------


@extend_schema(tags=["funding"])
class PoolListApi(CentreScopedMixin, generics.ListAPIView):
    serializer_class = serializers.PoolOutput
    queryset = FundingPool.objects.select_related("centre")
    pagination_class = None

    def list(self, request, *args, **kwargs):
        pools = selectors.pools_with_coins(self.filter_queryset(self.get_queryset()))
        return Response(self.get_serializer(pools, many=True).data)

    @extend_schema(request=serializers.PoolInput, responses={201: serializers.PoolOutput})
    def post(self, request):
        data = serializers.PoolInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        pool = services.pool_create(centre=staff_centre(request, v.pop("centre")), actor=request.user, **v)
        return Response(serializers.PoolOutput(selectors.pools_with_coins([pool])[0]).data, status=201)


@extend_schema(
    tags=["funding"], request=serializers.AppropriationInput, responses={201: serializers.PoolOutput}
)
class PoolAppropriationApi(CentreScopedMixin, generics.GenericAPIView):
    queryset = FundingPool.objects.select_related("centre")
    serializer_class = serializers.PoolOutput

    def post(self, request, pk):
        pool = self.get_object()
        data = serializers.AppropriationInput(data=request.data)
        data.is_valid(raise_exception=True)
        pool = services.pool_appropriate(
            pool_id=pool.pk, actor=request.user, request=request, **data.validated_data
        )
        return Response(serializers.PoolOutput(selectors.pools_with_coins([pool])[0]).data, status=201)


@extend_schema(tags=["funding"], responses=serializers.PoolReportOutput)
class PoolReportApi(CentreScopedMixin, generics.GenericAPIView):
    queryset = FundingPool.objects.all()

    def get(self, request):
        return Response(serializers.PoolReportOutput(selectors.pool_report(self.get_queryset())).data)


@extend_schema(tags=["funding"], responses=serializers.RollupOutput)
class PoolRollupApi(CentreScopedMixin, generics.GenericAPIView):
    """Per centre and in total, over every centre the user sees (a provincial officer: the province)."""

    queryset = FundingPool.objects.all()

    def get(self, request):
        return Response(serializers.RollupOutput(selectors.provincial_rollup(self.get_queryset())).data)


# --- staff: campaigns ------------------------------------------------------------------------------


def _campaign_args(request, data):
    v = dict(data.validated_data)
    centre = staff_centre(request, v.pop("centre"))
    return centre, v


@extend_schema(
    tags=["funding"], request=serializers.CampaignInput, responses=serializers.CampaignPreviewOutput
)
class CampaignPreviewApi(CentreScopedMixin, APIView):
    def post(self, request):
        data = serializers.CampaignInput(data=request.data)
        data.is_valid(raise_exception=True)
        centre, v = _campaign_args(request, data)
        pool = FundingPool.objects.filter(pk=v["pool"], centre=centre).first()
        if pool is None:
            raise NotFound(_("No such funding pool at this centre."))
        preview = services.campaign_preview(
            centre=centre,
            pool=pool,
            behaviours=v["behaviours"],
            multiplier=v["multiplier"],
            starts_at=v["starts_at"],
            ends_at=v["ends_at"],
        )
        return Response(serializers.CampaignPreviewOutput(preview).data)


@extend_schema(tags=["funding"])
class StaffCampaignListApi(CentreScopedMixin, generics.ListAPIView):
    serializer_class = serializers.CampaignOutput
    queryset = Campaign.objects.select_related("centre")

    @extend_schema(request=serializers.CampaignInput, responses={201: serializers.CampaignOutput})
    def post(self, request):
        data = serializers.CampaignInput(data=request.data)
        data.is_valid(raise_exception=True)
        centre, v = _campaign_args(request, data)
        campaign = services.campaign_create(centre=centre, pool_id=v.pop("pool"), actor=request.user, **v)
        return Response(serializers.CampaignOutput(campaign).data, status=201)


# --- staff: crowdfunding and causes ----------------------------------------------------------------


@extend_schema(tags=["funding"])
class StaffCrowdfundingListApi(CentreScopedMixin, generics.ListAPIView):
    serializer_class = serializers.CrowdfundingOutput
    queryset = CrowdfundingProject.objects.select_related("centre")

    @extend_schema(request=serializers.CrowdfundingInput, responses={201: serializers.CrowdfundingOutput})
    def post(self, request):
        data = serializers.CrowdfundingInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        project = services.crowdfunding_create(
            centre=staff_centre(request, v.pop("centre")), actor=request.user, **v
        )
        return Response(serializers.CrowdfundingOutput(project).data, status=201)


@extend_schema(tags=["funding"])
class StaffCauseListApi(CentreScopedMixin, generics.ListAPIView):
    serializer_class = serializers.CauseOutput
    queryset = Cause.objects.select_related("centre").prefetch_related("updates")

    @extend_schema(request=serializers.CauseInput, responses={201: serializers.CauseOutput})
    def post(self, request):
        data = serializers.CauseInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        cause = services.cause_create(centre=staff_centre(request, v.pop("centre")), actor=request.user, **v)
        return Response(serializers.CauseOutput(cause).data, status=201)


@extend_schema(
    tags=["funding"], request=serializers.CauseUpdateInput, responses={201: serializers.CauseUpdateOutput}
)
class StaffCauseUpdateApi(CentreScopedMixin, generics.GenericAPIView):
    queryset = Cause.objects.all()
    serializer_class = serializers.CauseUpdateOutput

    def post(self, request, pk):
        cause = self.get_object()
        data = serializers.CauseUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        update = services.cause_update_publish(cause=cause, actor=request.user, **data.validated_data)
        return Response(serializers.CauseUpdateOutput(update).data, status=201)


# --- residents -------------------------------------------------------------------------------------


@extend_schema(tags=["residents"])
class CampaignListApi(HomeCentreMixin, generics.ListAPIView):
    serializer_class = serializers.CampaignOutput
    queryset = Campaign.objects.select_related("centre").order_by("starts_at")

    def get_queryset(self):
        from django.utils import timezone

        return super().get_queryset().filter(ends_at__gt=timezone.now())


@extend_schema(tags=["residents"])
class CrowdfundingListApi(HomeCentreMixin, generics.ListAPIView):
    serializer_class = serializers.CrowdfundingOutput
    queryset = CrowdfundingProject.objects.select_related("centre").order_by("status", "deadline")


@extend_schema(tags=["residents"])
class CrowdfundingDetailApi(HomeCentreMixin, generics.RetrieveAPIView):
    serializer_class = serializers.CrowdfundingOutput
    queryset = CrowdfundingProject.objects.select_related("centre")


@extend_schema(tags=["residents"], request=serializers.CoinsInput, responses={201: serializers.PledgeOutput})
class PledgeApi(HomeCentreMixin, generics.GenericAPIView):
    queryset = CrowdfundingProject.objects.all()
    serializer_class = serializers.PledgeOutput

    @idempotent("crowdfunding_pledge")
    def post(self, request, pk):
        project = self.get_object()
        data = serializers.CoinsInput(data=request.data)
        data.is_valid(raise_exception=True)
        pledge = services.pledge_create(
            project_id=project.pk,
            resident=request.user,
            coins=data.validated_data["coins"],
            idempotency_key=request.idempotency_key,
        )
        return Response(serializers.PledgeOutput(pledge).data, status=201)


@extend_schema(tags=["residents"])
class CauseListApi(HomeCentreMixin, generics.ListAPIView):
    serializer_class = serializers.CauseOutput
    queryset = Cause.objects.filter(active=True).select_related("centre").prefetch_related("updates")


@extend_schema(
    tags=["residents"], request=serializers.CoinsInput, responses={201: serializers.CauseDonationOutput}
)
class CauseDonateApi(HomeCentreMixin, generics.GenericAPIView):
    queryset = Cause.objects.filter(active=True)
    serializer_class = serializers.CauseDonationOutput

    @idempotent("cause_donation")
    def post(self, request, pk):
        cause = self.get_object()
        data = serializers.CoinsInput(data=request.data)
        data.is_valid(raise_exception=True)
        donation = services.cause_donate(
            cause_id=cause.pk,
            resident=request.user,
            coins=data.validated_data["coins"],
            idempotency_key=request.idempotency_key,
        )
        return Response(serializers.CauseDonationOutput(donation).data, status=201)
