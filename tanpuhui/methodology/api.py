"""Public, read-only transparency API (every methodology, version, formula and sourced parameter),
and the staff endpoints that publish new values and versions through the services."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from tanpuhui.accounts.audiences import STAFF
from tanpuhui.common.errors import NotFound, ValidationFailed
from tanpuhui.common.scoping import PUBLIC, AudienceMixin
from tanpuhui.methodology import selectors, services
from tanpuhui.methodology.models import MethodologyVersion
from tanpuhui.methodology.serializers import (
    MethodologyOutput,
    ParameterOutput,
    ParameterPublishInput,
    VersionOutput,
    VersionPublishInput,
)
from tanpuhui.tenancy.models import Centre


class _Public(AudienceMixin, APIView):
    audience = PUBLIC
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


def _centre(code: str | None) -> Centre | None:
    if not code:
        return None
    centre = Centre.objects.filter(code=code).first()
    if centre is None:
        raise ValidationFailed("Unknown centre.", fields={"centre": [code]})
    return centre


@extend_schema(
    tags=["staff"],
    summary="Publish a parameter value (supersedes the open value of its series from valid_from)",
    request=ParameterPublishInput,
    responses={201: ParameterOutput},
)
class ParameterPublishApi(AudienceMixin, APIView):
    audience = STAFF

    def post(self, request):
        data = ParameterPublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["centre"] = _centre(fields.pop("centre"))
        parameter = services.parameter_publish(actor=request.user, request=request, **fields)
        return Response(ParameterOutput(parameter).data, status=201)


@extend_schema(
    tags=["staff"],
    summary="Publish a methodology version (closes its predecessor in the same scope at effective_from)",
    request=VersionPublishInput,
    responses={201: VersionOutput},
)
class VersionPublishApi(AudienceMixin, APIView):
    audience = STAFF

    def post(self, request):
        data = VersionPublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = services.version_publish(
            actor=request.user,
            request=request,
            methodology_code=fields.pop("methodology"),
            centre=_centre(fields.pop("centre")),
            slots={name: dict(slot) for name, slot in fields.pop("slots").items()},
            **fields,
        )
        version = (
            MethodologyVersion.objects.select_related("centre").prefetch_related("slots").get(pk=version.pk)
        )
        return Response(VersionOutput(version).data, status=201)
