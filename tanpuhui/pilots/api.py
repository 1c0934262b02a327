"""Pilots API (thin: look the object up first, validate, call one service, serialise)."""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from tanpuhui.common.errors import NotFound
from tanpuhui.common.scoping import PUBLIC, AudienceMixin
from tanpuhui.ledger.idempotency import idempotent
from tanpuhui.pilots import evaluation, filters, selectors, serializers, services
from tanpuhui.pilots.audiences import PILOT, PILOT_REVIEWER
from tanpuhui.pilots.models import Appropriation, IndicatorSet, Pilot, Place
from tanpuhui.tenancy.models import Centre

TAGS = ["pilots"]


def _detail(pilot: Pilot):
    return serializers.PilotDetailOutput(selectors.pilot_detail().get(pk=pilot.pk)).data


@extend_schema(tags=TAGS)
class PlaceListApi(AudienceMixin, generics.ListAPIView):
    """The administrative places pilots sit in (city → district/county → town → community)."""

    audience = PUBLIC
    serializer_class = serializers.PilotPlaceOutput
    queryset = Place.objects.select_related("parent").order_by("code")
    pagination_class = None


@extend_schema(tags=TAGS)
class IndicatorSetListApi(AudienceMixin, generics.ListAPIView):
    """Every version of every indicator set, with its items (public: the evaluation rules are open)."""

    audience = PUBLIC
    serializer_class = serializers.PilotIndicatorSetOutput
    queryset = IndicatorSet.objects.prefetch_related("indicators")
    pagination_class = None


# --- pilot managers ------------------------------------------------------------------------------


@extend_schema(tags=TAGS)
class MyPilotListApi(AudienceMixin, generics.ListAPIView):
    """The pilots the caller manages; POST applies for a new one."""

    audience = PILOT
    serializer_class = serializers.PilotOutput
    queryset = selectors.pilot_list()
    filterset_class = filters.PilotFilter

    @extend_schema(request=serializers.PilotApplyInput, responses={201: serializers.PilotDetailOutput})
    def post(self, request):
        data = serializers.PilotApplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        pilot = services.pilot_apply(
            actor=request.user, place_code=v.pop("place"), enterprise_id=v.pop("enterprise"), **v
        )
        return Response(_detail(pilot), status=201)


class _Mine(AudienceMixin, generics.GenericAPIView):
    audience = PILOT
    queryset = Pilot.objects.all()
    serializer_class = serializers.PilotDetailOutput


@extend_schema(tags=TAGS)
class MyPilotDetailApi(_Mine, generics.RetrieveAPIView):
    queryset = selectors.pilot_detail()


@extend_schema(
    tags=TAGS,
    request={"multipart/form-data": serializers.PilotDocumentInput},
    responses={201: serializers.PilotDocumentOutput},
)
class MyPilotDocumentApi(_Mine):
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, pk):
        pilot = self.get_object()
        data = serializers.PilotDocumentInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        document = services.document_add(
            pilot=pilot, actor=request.user, kind=v["kind"], title=v["title"], upload=v["file"]
        )
        return Response(serializers.PilotDocumentOutput(document).data, status=201)


@extend_schema(
    tags=TAGS, request=serializers.PilotMeasureInput, responses={201: serializers.PilotMeasureOutput}
)
class MyPilotMeasureApi(_Mine):
    def post(self, request, pk):
        pilot = self.get_object()
        data = serializers.PilotMeasureInput(data=request.data)
        data.is_valid(raise_exception=True)
        measure = services.measure_add(pilot=pilot, actor=request.user, **data.validated_data)
        return Response(serializers.PilotMeasureOutput(measure).data, status=201)


@extend_schema(
    tags=TAGS,
    request=serializers.PilotIndicatorValueInput,
    responses={201: serializers.PilotIndicatorValueOutput},
)
class MyPilotIndicatorValueApi(_Mine):
    def post(self, request, pk):
        pilot = self.get_object()
        data = serializers.PilotIndicatorValueInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        row = services.indicator_value_report(
            pilot=pilot, actor=request.user, indicator_id=v.pop("indicator"), **v
        )
        return Response(serializers.PilotIndicatorValueOutput(row).data, status=201)


@extend_schema(
    tags=TAGS, request=serializers.PilotEmissionInput, responses={201: serializers.PilotEmissionOutput}
)
class MyPilotEmissionApi(_Mine):
    def post(self, request, pk):
        pilot = self.get_object()
        data = serializers.PilotEmissionInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.emission_report(pilot=pilot, actor=request.user, **data.validated_data)
        return Response(serializers.PilotEmissionOutput(row).data, status=201)


def _evaluation(view, pk):
    pilot = view.get_object()
    query = serializers.PilotEvaluationQuery(data=view.request.query_params)
    query.is_valid(raise_exception=True)
    return Response(
        serializers.PilotEvaluationOutput(evaluation.evaluate(pilot, query.validated_data["year"])).data
    )


@extend_schema(
    tags=TAGS, parameters=[serializers.PilotEvaluationQuery], responses=serializers.PilotEvaluationOutput
)
class MyPilotEvaluationApi(_Mine):
    def get(self, request, pk):
        return _evaluation(self, pk)


# --- commission staff ----------------------------------------------------------------------------


@extend_schema(tags=TAGS)
class ReviewListApi(AudienceMixin, generics.ListAPIView):
    """Pilots of the centres the caller works for (a city its own; the province all)."""

    audience = PILOT_REVIEWER
    serializer_class = serializers.PilotOutput
    queryset = selectors.pilot_list()
    filterset_class = filters.PilotFilter


class _Review(AudienceMixin, generics.GenericAPIView):
    audience = PILOT_REVIEWER
    queryset = Pilot.objects.all()
    serializer_class = serializers.PilotDetailOutput


@extend_schema(tags=TAGS)
class ReviewDetailApi(_Review, generics.RetrieveAPIView):
    queryset = selectors.pilot_detail()


@extend_schema(tags=TAGS, request=serializers.PilotTransitionInput, responses=serializers.PilotDetailOutput)
class ReviewTransitionApi(_Review):
    def post(self, request, pk):
        pilot = self.get_object()
        data = serializers.PilotTransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.pilot_transition(pilot_id=pilot.pk, actor=request.user, **data.validated_data)
        return Response(_detail(pilot))


@extend_schema(
    tags=TAGS,
    request=serializers.PilotAppropriationInput,
    responses={201: serializers.PilotAppropriationOutput},
)
class ReviewAppropriationApi(_Review):
    def post(self, request, pk):
        pilot = self.get_object()
        data = serializers.PilotAppropriationInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.appropriation_create(pilot=pilot, actor=request.user, **data.validated_data)
        return Response(serializers.PilotAppropriationOutput(row).data, status=201)


@extend_schema(
    tags=TAGS,
    request=serializers.PilotDisbursementInput,
    responses={201: serializers.PilotDisbursementOutput},
)
class ReviewDisbursementApi(AudienceMixin, generics.GenericAPIView):
    """Pay against a milestone; refused beyond the appropriation (``Idempotency-Key`` header required)."""

    audience = PILOT_REVIEWER
    scope_lookup = "pilot__centre"
    queryset = Appropriation.objects.select_related("pilot")
    serializer_class = serializers.PilotDisbursementOutput

    @idempotent("pilot_disbursement")
    def post(self, request, pk):
        appropriation = self.get_object()
        data = serializers.PilotDisbursementInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.disbursement_create(
            appropriation_id=appropriation.pk,
            actor=request.user,
            idempotency_key=request.idempotency_key,
            **data.validated_data,
        )
        return Response(serializers.PilotDisbursementOutput(row).data, status=201)


@extend_schema(tags=TAGS, request=serializers.PilotOverrideInput, responses=serializers.PilotEvaluationOutput)
class ReviewEvaluationApi(_Review):
    @extend_schema(parameters=[serializers.PilotEvaluationQuery], request=None)
    def get(self, request, pk):
        return _evaluation(self, pk)

    def post(self, request, pk):
        pilot = self.get_object()
        data = serializers.PilotOverrideInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        services.score_override(pilot=pilot, actor=request.user, indicator_id=v.pop("indicator"), **v)
        return Response(serializers.PilotEvaluationOutput(evaluation.evaluate(pilot, v["year"])).data)


@extend_schema(
    tags=TAGS, request=serializers.PilotScreenInput, responses={201: serializers.PilotScreenOutput}
)
class ReviewScreenApi(_Review):
    def post(self, request, pk):
        pilot = self.get_object()
        data = serializers.PilotScreenInput(data=request.data)
        data.is_valid(raise_exception=True)
        screen = services.screen_create(pilot=pilot, actor=request.user, **data.validated_data)
        return Response(serializers.PilotScreenOutput(screen).data, status=201)


@extend_schema(
    tags=TAGS,
    request=serializers.PilotIndicatorSetInput,
    responses={201: serializers.PilotIndicatorSetOutput},
)
class ReviewIndicatorSetApi(AudienceMixin, generics.GenericAPIView):
    """Publish a new version of an indicator set (weights must add up as the set requires)."""

    audience = PILOT_REVIEWER
    serializer_class = serializers.PilotIndicatorSetOutput

    def post(self, request):
        data = serializers.PilotIndicatorSetInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v["indicators"] = [dict(i) for i in v["indicators"]]
        row = services.indicator_set_create(actor=request.user, **v)
        return Response(serializers.PilotIndicatorSetOutput(row).data, status=201)


@extend_schema(tags=TAGS, responses=serializers.PilotDashboardOutput)
class DashboardApi(AudienceMixin, generics.GenericAPIView):
    audience = PILOT_REVIEWER
    serializer_class = serializers.PilotDashboardOutput

    def get(self, request):
        data = selectors.dashboard(self.scoped(Pilot.objects.all()), self.scoped(Centre.objects.all(), "pk"))
        return Response(serializers.PilotDashboardOutput(data).data)


# --- public screen -------------------------------------------------------------------------------


@extend_schema(tags=TAGS, responses=serializers.ScreenDocumentOutput)
class ScreenApi(AudienceMixin, generics.GenericAPIView):
    """One community screen's figures as one JSON document (no login; the token is the key)."""

    audience = PUBLIC
    serializer_class = serializers.ScreenDocumentOutput
    authentication_classes: list = []

    def get(self, request, token):
        if len(token) > 40:
            raise NotFound("No such screen.", code="unknown_screen")
        language = "en" if request.query_params.get("lang") == "en" else "zh-hans"
        with translation.override(language):
            return Response(selectors.screen_document(token))
