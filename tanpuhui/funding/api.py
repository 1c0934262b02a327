"""Funding API: staff pools, reports, campaigns, crowdfunding and causes; residents pledge and donate."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from tanpuhui.accounts.audiences import HOME_CENTRE, STAFF
from tanpuhui.common.errors import NotFound
from tanpuhui.common.scoping import AudienceMixin
from tanpuhui.funding import selectors, serializers, services
from tanpuhui.funding.models import Campaign, Cause, CrowdfundingProject, FundingPool
from tanpuhui.ledger.idempotency import idempotent
from tanpuhui.tenancy.models import Centre


class StaffMixin(AudienceMixin):
    """Staff views; ``staff_centre(code)`` is the centre named in the body, if the user may act there."""

    audience = STAFF

    def staff_centre(self, code: str) -> Centre:
        centre = self.scoped(Centre.objects.all(), "pk").filter(code=code).first()
        if centre is None:
            raise NotFound(_("Unknown operation centre."), fields={"centre": [code]})
        return centre


class HomeCentreMixin(AudienceMixin):
    """Resident views: the rows of the resident's home centre (another centre's row is a 404)."""

    audience = HOME_CENTRE


# --- staff: pools ----------------------------------------------------------------------------------


@extend_schema(tags=["funding"])
class PoolListApi(StaffMixin, generics.ListAPIView):
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
        pool = services.pool_create(centre=self.staff_centre(v.pop("centre")), actor=request.user, **v)
        return Response(serializers.PoolOutput(selectors.pools_with_coins([pool])[0]).data, status=201)


@extend_schema(
    tags=["funding"], request=serializers.AppropriationInput, responses={201: serializers.PoolOutput}
)
class PoolAppropriationApi(StaffMixin, generics.GenericAPIView):
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
class PoolReportApi(StaffMixin, generics.GenericAPIView):
    queryset = FundingPool.objects.all()

    def get(self, request):
        return Response(serializers.PoolReportOutput(selectors.pool_report(self.get_queryset())).data)


@extend_schema(tags=["funding"], responses=serializers.RollupOutput)
class PoolRollupApi(StaffMixin, generics.GenericAPIView):
    """Per centre and in total, over every centre the user sees (a provincial officer: the province)."""

    queryset = FundingPool.objects.all()

    def get(self, request):
        return Response(serializers.RollupOutput(selectors.provincial_rollup(self.get_queryset())).data)


# --- staff: campaigns ------------------------------------------------------------------------------


def _campaign_args(view: StaffMixin, data) -> tuple[Centre, dict]:
    v = dict(data.validated_data)
    return view.staff_centre(v.pop("centre")), v


@extend_schema(
    tags=["funding"], request=serializers.CampaignInput, responses=serializers.CampaignPreviewOutput
)
class CampaignPreviewApi(StaffMixin, APIView):
    def post(self, request):
        data = serializers.CampaignInput(data=request.data)
        data.is_valid(raise_exception=True)
        centre, v = _campaign_args(self, data)
        pool = self.scoped(FundingPool.objects.all()).filter(pk=v["pool"], centre=centre).first()
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
class StaffCampaignListApi(StaffMixin, generics.ListAPIView):
    serializer_class = serializers.CampaignOutput
    queryset = Campaign.objects.select_related("centre")

    @extend_schema(request=serializers.CampaignInput, responses={201: serializers.CampaignOutput})
    def post(self, request):
        data = serializers.CampaignInput(data=request.data)
        data.is_valid(raise_exception=True)
        centre, v = _campaign_args(self, data)
        campaign = services.campaign_create(centre=centre, pool_id=v.pop("pool"), actor=request.user, **v)
        return Response(serializers.CampaignOutput(campaign).data, status=201)


# --- staff: crowdfunding and causes ----------------------------------------------------------------


@extend_schema(tags=["funding"])
class StaffCrowdfundingListApi(StaffMixin, generics.ListAPIView):
    serializer_class = serializers.CrowdfundingOutput
    queryset = CrowdfundingProject.objects.select_related("centre")

    @extend_schema(request=serializers.CrowdfundingInput, responses={201: serializers.CrowdfundingOutput})
    def post(self, request):
        data = serializers.CrowdfundingInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        project = services.crowdfunding_create(
            centre=self.staff_centre(v.pop("centre")), actor=request.user, **v
        )
        return Response(serializers.CrowdfundingOutput(project).data, status=201)


@extend_schema(tags=["funding"])
class StaffCauseListApi(StaffMixin, generics.ListAPIView):
    serializer_class = serializers.CauseOutput
    queryset = Cause.objects.select_related("centre").prefetch_related("updates")

    @extend_schema(request=serializers.CauseInput, responses={201: serializers.CauseOutput})
    def post(self, request):
        data = serializers.CauseInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        cause = services.cause_create(centre=self.staff_centre(v.pop("centre")), actor=request.user, **v)
        return Response(serializers.CauseOutput(cause).data, status=201)


@extend_schema(
    tags=["funding"], request=serializers.CauseUpdateInput, responses={201: serializers.CauseUpdateOutput}
)
class StaffCauseUpdateApi(StaffMixin, generics.GenericAPIView):
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
