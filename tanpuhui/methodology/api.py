"""Public, read-only transparency API: every methodology, version, formula and sourced parameter."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from tanpuhui.common.errors import NotFound
from tanpuhui.methodology import selectors
from tanpuhui.methodology.serializers import MethodologyOutput


class _Public(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []


@extend_schema(
    tags=["methodologies"],
    summary="Every methodology with its versions, formulas and parameter history",
    responses=MethodologyOutput(many=True),
)
class MethodologyListApi(_Public):
    def get(self, request):
        methodologies = list(selectors.methodology_list())
        context = {"parameters": selectors.parameters_by_code(methodologies)}
        return Response(MethodologyOutput(methodologies, many=True, context=context).data)


@extend_schema(tags=["methodologies"], summary="One methodology by code", responses=MethodologyOutput)
class MethodologyDetailApi(_Public):
    def get(self, request, code: str):
        methodology = selectors.methodology_get(code)
        if methodology is None:
            raise NotFound("No such methodology.")
        context = {"parameters": selectors.parameters_by_code([methodology])}
        return Response(MethodologyOutput(methodology, context=context).data)
