from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from tanpuhui.common.scoping import PUBLIC, AudienceMixin
from tanpuhui.tenancy.models import Centre
from tanpuhui.tenancy.selectors import centre_list_public


class CentreOutput(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")

    class Meta:
        model = Centre
        fields = ["code", "name_zh", "name_en", "city_zh", "city_en", "kind", "status", "region"]


@extend_schema(tags=["centres"], summary="Operation centres residents can register to")
class CentreListApi(AudienceMixin, generics.ListAPIView):
    audience = PUBLIC
    authentication_classes: list = []
    serializer_class = CentreOutput
    pagination_class = None

    def get_queryset(self):
        return centre_list_public()
