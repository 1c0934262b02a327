"""Labels API: product-category rules (public, read) and enterprises' footprint studies."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from tanpuhui.common.scoping import PUBLIC, AudienceMixin
from tanpuhui.enterprises.api import EnterpriseMemberMixin
from tanpuhui.labels import selectors, serializers, services
from tanpuhui.labels.models import Study


@extend_schema(tags=["labels"])
class PcrListApi(AudienceMixin, generics.ListAPIView):
    audience = PUBLIC
    serializer_class = serializers.PcrOutput
    queryset = selectors.pcr_list()
    pagination_class = None


@extend_schema(tags=["labels"])
class PcrDetailApi(AudienceMixin, generics.RetrieveAPIView):
    audience = PUBLIC
    serializer_class = serializers.PcrOutput
    queryset = selectors.pcr_list()


@extend_schema(tags=["labels"])
class StudyListApi(EnterpriseMemberMixin, generics.ListAPIView):
    serializer_class = serializers.StudyListOutput
    queryset = selectors.study_list()

    @extend_schema(request=serializers.StudyCreateInput, responses={201: serializers.StudyOutput})
    def post(self, request):
        data = serializers.StudyCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        study = services.study_create(
            user=request.user,
            enterprise=self.enterprise(v["enterprise"]),
            pcr_id=v["pcr"],
            product_name=v["product_name"],
            reference_date=v["reference_date"],
        )
        return Response(serializers.StudyOutput(selectors.study_detail().get(pk=study.pk)).data, status=201)


@extend_schema(tags=["labels"])
class StudyDetailApi(EnterpriseMemberMixin, generics.RetrieveAPIView):
    serializer_class = serializers.StudyOutput
    queryset = selectors.study_detail()


@extend_schema(tags=["labels"], request=serializers.LineInput, responses={201: serializers.LineOutput})
class StudyLinesApi(EnterpriseMemberMixin, generics.GenericAPIView):
    queryset = Study.objects.select_related("pcr")
    serializer_class = serializers.LineOutput

    def post(self, request, pk):
        study = self.get_object()
        data = serializers.LineInput(data=request.data)
        data.is_valid(raise_exception=True)
        line = services.line_add(study=study, **data.validated_data)
        return Response(serializers.LineOutput(line).data, status=201)


@extend_schema(tags=["labels"], request=None, responses=serializers.StudyOutput)
class StudyComputeApi(EnterpriseMemberMixin, generics.GenericAPIView):
    queryset = Study.objects.select_related("pcr")
    serializer_class = serializers.StudyOutput

    def post(self, request, pk):
        study = services.study_compute(study=self.get_object())
        return Response(serializers.StudyOutput(selectors.study_detail().get(pk=study.pk)).data)
