"""Inventories API: a town's statisticians compile and submit; the city centre reviews and
publishes; anyone reads what is published, the factor sets and the GWP sets."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from tanpuhui.accounts.audiences import PROVINCIAL
from tanpuhui.common.errors import ValidationFailed
from tanpuhui.common.scoping import PUBLIC, AudienceMixin
from tanpuhui.inventories import selectors, serializers, services, spreadsheets
from tanpuhui.inventories.audiences import INVENTORY_REVIEWER, TOWN_STATISTICIAN
from tanpuhui.inventories.models import FactorSet, GwpSet, Inventory, TownDesk
from tanpuhui.pilots.models import Place


def _detail(inventory: Inventory) -> dict:
    return serializers.InventoryOutput(selectors.inventories().get(pk=inventory.pk)).data


@extend_schema(tags=["inventories"])
class TownInventoryListApi(AudienceMixin, generics.ListAPIView):
    audience = TOWN_STATISTICIAN
    serializer_class = serializers.InventoryListOutput
    queryset = selectors.inventories()

    @extend_schema(request=serializers.InventoryCreateInput, responses={201: serializers.InventoryOutput})
    def post(self, request):
        data = serializers.InventoryCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        town = Place.objects.filter(code=v["town"], kind=Place.Kind.TOWN).first()
        if town is None or not TownDesk.objects.filter(user=request.user, town=town).exists():
            raise ValidationFailed("Not one of your towns.", fields={"town": ["Not one of your towns."]})
        factor_set = FactorSet.objects.filter(code=v["factor_set"]).order_by("-version").first()
        if factor_set is None:
            raise ValidationFailed("Unknown factor set.", fields={"factor_set": ["Unknown factor set."]})
        inventory = services.inventory_create(
            actor=request.user, town=town, year=v["year"], factor_set=factor_set, gwp_code=v["gwp"]
        )
        return Response(_detail(inventory), status=201)


@extend_schema(tags=["inventories"])
class TownInventoryDetailApi(AudienceMixin, generics.RetrieveAPIView):
    audience = TOWN_STATISTICIAN
    serializer_class = serializers.InventoryOutput
    queryset = selectors.inventories().prefetch_related("rows__entered_by", "comments__author")


@extend_schema(tags=["inventories"], request=serializers.RowInput, responses={201: serializers.RowOutput})
class TownInventoryRowsApi(AudienceMixin, generics.GenericAPIView):
    audience = TOWN_STATISTICIAN
    serializer_class = serializers.RowOutput
    queryset = selectors.inventories()

    def post(self, request, pk):
        inventory = self.get_object()
        data = serializers.RowInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.row_put(
            inventory=inventory, actor=request.user, data=services.RowInput(**data.validated_data)
        )
        return Response(serializers.RowOutput(row).data, status=201)


@extend_schema(
    tags=["inventories"],
    request={"multipart/form-data": serializers.ImportInput},
    responses=serializers.ImportOutput,
)
class TownInventoryImportApi(AudienceMixin, generics.GenericAPIView):
    """A CSV or XLSX file in the template's layout: all of it, or nothing (per-cell errors)."""

    audience = TOWN_STATISTICIAN
    serializer_class = serializers.ImportOutput
    queryset = selectors.inventories()
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, pk):
        inventory = self.get_object()
        data = serializers.ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        count = spreadsheets.import_file(
            inventory=inventory,
            actor=request.user,
            name=upload.name,
            content=upload.read(spreadsheets.MAX_BYTES + 1),
        )
        return Response({"rows": count})


@extend_schema(
    tags=["inventories"], request=serializers.NotationKeyInput, responses={201: serializers.NotationKeyOutput}
)
class TownInventoryNotationKeyApi(AudienceMixin, generics.GenericAPIView):
    """Why a sector has no figure: not occurring, included elsewhere, not estimated, confidential."""

    audience = TOWN_STATISTICIAN
    serializer_class = serializers.NotationKeyOutput
    queryset = selectors.inventories()

    def post(self, request, pk):
        inventory = self.get_object()
        data = serializers.NotationKeyInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.notation_key_set(inventory=inventory, actor=request.user, **data.validated_data)
        return Response(serializers.NotationKeyOutput(note).data, status=201)


@extend_schema(tags=["inventories"], request=None, responses=serializers.InventoryOutput)
class TownInventorySubmitApi(AudienceMixin, generics.GenericAPIView):
    audience = TOWN_STATISTICIAN
    serializer_class = serializers.InventoryOutput
    queryset = selectors.inventories()

    def post(self, request, pk):
        inventory = services.inventory_submit(inventory=self.get_object(), actor=request.user)
        return Response(_detail(inventory))


@extend_schema(
    tags=["inventories"], request=serializers.ReviseInput, responses={201: serializers.InventoryOutput}
)
class TownInventoryReviseApi(AudienceMixin, generics.GenericAPIView):
    audience = TOWN_STATISTICIAN
    serializer_class = serializers.InventoryOutput
    queryset = selectors.inventories()

    def post(self, request, pk):
        inventory = self.get_object()
        data = serializers.ReviseInput(data=request.data)
        data.is_valid(raise_exception=True)
        draft = services.inventory_revise(
            inventory=inventory, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(_detail(draft), status=201)


@extend_schema(tags=["inventories"])
class ReviewListApi(AudienceMixin, generics.ListAPIView):
    audience = INVENTORY_REVIEWER
    serializer_class = serializers.InventoryListOutput
    queryset = selectors.inventories()


@extend_schema(tags=["inventories"])
class ReviewDetailApi(AudienceMixin, generics.RetrieveAPIView):
    audience = INVENTORY_REVIEWER
    serializer_class = serializers.InventoryOutput
    queryset = selectors.inventories().prefetch_related("rows__entered_by", "comments__author")


@extend_schema(
    tags=["inventories"], request=serializers.CommentInput, responses={201: serializers.CommentOutput}
)
class ReviewCommentApi(AudienceMixin, generics.GenericAPIView):
    audience = INVENTORY_REVIEWER
    serializer_class = serializers.CommentOutput
    queryset = selectors.inventories()

    def post(self, request, pk):
        inventory = self.get_object()
        data = serializers.CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_add(
            inventory=inventory,
            actor=request.user,
            text=data.validated_data["text"],
            row_id=data.validated_data.get("row"),
        )
        return Response(serializers.CommentOutput(comment).data, status=201)


class _ReviewStep(AudienceMixin, generics.GenericAPIView):
    audience = INVENTORY_REVIEWER
    serializer_class = serializers.InventoryOutput
    queryset = selectors.inventories()
    step = staticmethod(services.inventory_review)

    def post(self, request, pk):
        inventory = type(self).step(inventory=self.get_object(), actor=request.user)
        return Response(_detail(inventory))


@extend_schema(tags=["inventories"], request=None, responses=serializers.InventoryOutput)
class ReviewSendBackApi(_ReviewStep):
    step = staticmethod(services.inventory_send_back)


@extend_schema(tags=["inventories"], request=None, responses=serializers.InventoryOutput)
class ReviewApproveApi(_ReviewStep):
    step = staticmethod(services.inventory_review)


@extend_schema(tags=["inventories"], request=None, responses=serializers.InventoryOutput)
class ReviewPublishApi(_ReviewStep):
    step = staticmethod(services.inventory_publish)


@extend_schema(tags=["inventories"])
class CityRollUpApi(AudienceMixin, generics.GenericAPIView):
    """The city's towns added up per year (current published inventories)."""

    audience = INVENTORY_REVIEWER
    serializer_class = serializers.RollUpOutput
    queryset = selectors.current_published()
    pagination_class = None

    @extend_schema(responses=serializers.RollUpOutput(many=True))
    def get(self, request):
        return Response(serializers.RollUpOutput(selectors.roll_up(self.get_queryset()), many=True).data)


@extend_schema(tags=["inventories"])
class ProvinceRollUpApi(CityRollUpApi):
    audience = PROVINCIAL


@extend_schema(tags=["inventories"])
class PublishedListApi(AudienceMixin, generics.ListAPIView):
    audience = PUBLIC
    serializer_class = serializers.InventoryListOutput
    queryset = selectors.current_published()


@extend_schema(tags=["inventories"])
class PublishedDetailApi(AudienceMixin, generics.RetrieveAPIView):
    """A published inventory with its result and, for a revision, what it changed."""

    audience = PUBLIC
    serializer_class = serializers.PublicInventoryOutput
    queryset = selectors.inventories().filter(status=Inventory.Status.PUBLISHED)


@extend_schema(tags=["inventories"])
class FactorSetListApi(AudienceMixin, generics.ListAPIView):
    audience = PUBLIC
    serializer_class = serializers.FactorSetOutput
    queryset = FactorSet.objects.select_related("base").prefetch_related("factors")
    pagination_class = None


@extend_schema(tags=["inventories"])
class GwpSetListApi(AudienceMixin, generics.ListAPIView):
    audience = PUBLIC
    serializer_class = serializers.GwpSetOutput
    queryset = GwpSet.objects.all()
    pagination_class = None
