"""Provider uploads and batch status, residents' reductions, staff batch views."""

from __future__ import annotations

import io

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from tanpuhui.accounts.audiences import RESIDENT, STAFF
from tanpuhui.accounts.models import PROVIDER_MANAGER_ROLES
from tanpuhui.common.api import ManagedByRolesMixin
from tanpuhui.common.errors import NotFound, ValidationFailed
from tanpuhui.common.scoping import SIGNED_IN, AudienceMixin
from tanpuhui.metering import filters, selectors, serializers, services
from tanpuhui.metering.audiences import PROVIDER
from tanpuhui.metering.models import Batch, DataProvider, Reduction
from tanpuhui.metering.schemas import SCHEMAS, openapi_description
from tanpuhui.tenancy.models import Centre


class _RawUpload(BaseParser):
    """Declares the streamed body types in the schema; the view reads ``request.stream`` itself."""

    def parse(self, stream, media_type=None, parser_context=None):  # pragma: no cover - never called
        return {}


class CsvBody(_RawUpload):
    media_type = "text/csv"


class NdjsonBody(_RawUpload):
    media_type = "application/x-ndjson"


RECORD_TYPE_PARAM = OpenApiParameter(
    "record_type", str, enum=list(SCHEMAS), description="Record type (for a raw text/csv or x-ndjson body)"
)


@extend_schema(tags=["provider"])
class ProviderBatchListApi(AudienceMixin, generics.ListAPIView):
    audience = PROVIDER
    queryset = selectors.batch_list()
    serializer_class = serializers.BatchOutput
    parser_classes = [MultiPartParser, CsvBody, NdjsonBody]

    @extend_schema(
        summary="Upload a file of records",
        description=(
            "Multipart (`file`, `record_type`) or a streamed raw body with `Content-Type: text/csv` or "
            "`application/x-ndjson` and `?record_type=`. Answers 202 with the batch (processing runs in "
            "the background; poll the batch). The same file again answers 200 with the existing batch "
            "and `duplicate: true`. Over the size limit: 413; another content type: 415.\n\n"
            + openapi_description()
        ),
        parameters=[RECORD_TYPE_PARAM],
        request={
            "multipart/form-data": serializers.BatchUploadInput,
            "text/csv": OpenApiTypes.BINARY,
            "application/x-ndjson": OpenApiTypes.BINARY,
        },
        responses={
            202: serializers.BatchOutput,
            200: serializers.BatchOutput,
            413: OpenApiResponse(description="File over the size limit"),
            415: OpenApiResponse(description="Unsupported content type"),
        },
    )
    def post(self, request):
        provider = services.provider_for_user(request.user)
        length = int(request.META.get("CONTENT_LENGTH") or 0) or None
        if length and length > services.max_upload_bytes():
            raise services.too_large()
        media = (request.content_type or "").split(";")[0].strip().lower()
        if media == "multipart/form-data":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationFailed(_("Attach the file as `file`."), fields={"file": [_("required")]})
            record_type = request.data.get("record_type") or request.query_params.get("record_type", "")
            file_format = services.format_for(upload.content_type, upload.name)
            stream, name, length = upload, upload.name, upload.size
        else:
            file_format = services.format_for(media)
            record_type = request.query_params.get("record_type", "")
            stream = request.stream or io.BytesIO(b"")
            name = request.query_params.get("filename", "")
        batch, duplicate = services.batch_receive(
            provider=provider,
            record_type=record_type,
            file_format=file_format,
            stream=stream,
            original_name=name,
            uploaded_by=request.user,
            content_length=length,
        )
        batch.refresh_from_db()
        data = serializers.BatchOutput(batch, context={"duplicate": duplicate}).data
        return Response(data, status=200 if duplicate else 202)


@extend_schema(tags=["provider"])
class ProviderBatchDetailApi(AudienceMixin, generics.RetrieveAPIView):
    audience = PROVIDER
    queryset = selectors.batch_list()
    serializer_class = serializers.BatchOutput


def _errors_response(batch: Batch) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        selectors.batch_errors_csv(batch), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}-errors.csv"'
    return response


ERRORS_SCHEMA = extend_schema(
    summary="Rejected rows as CSV (row, field, reason, raw_value; formula-injection neutralised)",
    responses={(200, "text/csv"): OpenApiTypes.STR},
)


class _BatchErrors(generics.GenericAPIView):
    """A batch's rejected rows as CSV, for whoever the audience lets see the batch."""

    queryset = selectors.batch_list()

    @ERRORS_SCHEMA
    def get(self, request, pk):
        return _errors_response(self.get_object())


@extend_schema(tags=["provider"])
class ProviderBatchErrorsApi(AudienceMixin, _BatchErrors):
    audience = PROVIDER
    serializer_class = serializers.BatchOutput


@extend_schema(tags=["provider"], responses=serializers.RecordTypeOutput(many=True))
class RecordTypeListApi(AudienceMixin, APIView):
    """The documented schema of every record type (columns, units, examples)."""

    audience = SIGNED_IN

    def get(self, request):
        return Response(
            [
                {
                    "record_type": s.record_type,
                    "description": s.description,
                    "unit": s.unit,
                    "fields": [
                        {
                            "name": f.name,
                            "required": f.required,
                            "description": f.description,
                            "example": f.example,
                        }
                        for f in s.fields
                    ],
                    "example_csv": s.example_csv(),
                    "example_jsonl": s.example_jsonl(),
                }
                for s in SCHEMAS.values()
            ]
        )


class _StaffBatches(AudienceMixin):
    """The staff's batches, each with its errors link."""

    audience = STAFF
    queryset = selectors.batch_list()
    serializer_class = serializers.StaffBatchOutput

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "errors_route": "api:staff-batch-errors"}


@extend_schema(tags=["staff"])
class StaffBatchListApi(_StaffBatches, generics.ListAPIView):
    pass


@extend_schema(tags=["staff"])
class StaffBatchDetailApi(_StaffBatches, generics.RetrieveAPIView):
    pass


@extend_schema(tags=["staff"])
class StaffBatchErrorsApi(AudienceMixin, _BatchErrors):
    audience = STAFF
    serializer_class = serializers.StaffBatchOutput


@extend_schema(tags=["staff"])
class StaffProviderListApi(AudienceMixin, ManagedByRolesMixin, generics.ListAPIView):
    """The data providers of the staff member's centres with their service users; operators and
    provincial officers create providers here, then issue the first key with POST
    /api/v1/staff/api-keys (``provider`` = the service user's id)."""

    audience = STAFF

    queryset = DataProvider.objects.select_related("centre", "service_user").order_by("centre", "code")
    serializer_class = serializers.ProviderOutput
    manage_roles = tuple(PROVIDER_MANAGER_ROLES)

    @extend_schema(request=serializers.ProviderInput, responses={201: serializers.ProviderOutput})
    def post(self, request):
        data = serializers.ProviderInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        code = values.pop("centre")
        centre = self.scoped(Centre.objects.all(), "pk").filter(code=code).first()
        if centre is None:
            raise NotFound(_("Unknown operation centre."), fields={"centre": [code]})
        provider = services.provider_create(centre=centre, actor=request.user, **values)
        return Response(serializers.ProviderOutput(provider).data, status=201)


@extend_schema(tags=["staff"])
class StaffProviderDetailApi(AudienceMixin, generics.RetrieveAPIView):
    audience = STAFF
    queryset = DataProvider.objects.select_related("centre", "service_user")
    serializer_class = serializers.ProviderOutput


@extend_schema(tags=["staff"])
class StaffUnmatchedRecordListApi(AudienceMixin, generics.ListAPIView):
    audience = STAFF
    queryset = selectors.unmatched_records()
    serializer_class = serializers.UnmatchedRecordOutput


@extend_schema(tags=["me"])
class MyReductionListApi(AudienceMixin, generics.ListAPIView):
    audience = RESIDENT
    queryset = Reduction.objects.select_related("source_record").order_by("-period_end", "-id")
    serializer_class = serializers.ReductionOutput
    filterset_class = filters.ReductionFilter


@extend_schema(tags=["me"])
class MyReductionDetailApi(AudienceMixin, generics.RetrieveAPIView):
    audience = RESIDENT
    queryset = Reduction.objects.select_related(
        "source_record__provider", "methodology_version__methodology", "snapshot"
    )
    serializer_class = serializers.ReductionDetailOutput
