from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tanpuhui.metering.models import (
    Batch,
    DataProvider,
    RecordType,
    Reduction,
    SourceRecord,
    UnmatchedReason,
)
from tanpuhui.metering.selectors import reduction_explanation, unmatched_reason


class BatchUploadInput(serializers.Serializer):
    """multipart/form-data: ``file`` and ``record_type``. (For a raw text/csv or
    application/x-ndjson body, pass ``?record_type=``.)"""

    file = serializers.FileField()
    record_type = serializers.ChoiceField(choices=RecordType.choices)


class BatchOutput(serializers.ModelSerializer):
    provider = serializers.CharField(source="provider.name")
    duplicate = serializers.SerializerMethodField()
    errors_url = serializers.SerializerMethodField()

    class Meta:
        model = Batch
        fields = [
            "id",
            "provider",
            "record_type",
            "file_format",
            "original_name",
            "size_bytes",
            "sha256",
            "status",
            "stage",
            "failure_reason",
            "received",
            "accepted",
            "rejected",
            "duplicates",
            "revised",
            "matched",
            "unmatched",
            "too_old",
            "quantified",
            "created_at",
            "started_at",
            "finished_at",
            "duplicate",
            "errors_url",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_duplicate(self, obj) -> bool:
        return bool(self.context.get("duplicate", False))

    @extend_schema_field(OpenApiTypes.STR)
    def get_errors_url(self, obj) -> str:
        return reverse(self.context.get("errors_route", "api:provider-batch-errors"), args=[obj.pk])


class StaffBatchOutput(BatchOutput):
    centre = serializers.CharField(source="centre.code")

    class Meta(BatchOutput.Meta):
        fields = [*BatchOutput.Meta.fields, "centre"]


class UnmatchedRecordOutput(serializers.ModelSerializer):
    provider = serializers.CharField(source="provider.name")
    account = serializers.SerializerMethodField()
    unmatched_reason = serializers.SerializerMethodField()
    unmatched_reason_label = serializers.SerializerMethodField()

    class Meta:
        model = SourceRecord
        fields = [
            "id",
            "provider",
            "record_type",
            "external_id",
            "revision",
            "account",
            "period_start",
            "period_end",
            "quantity",
            "unit",
            "created_at",
            "unmatched_reason",
            "unmatched_reason_label",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_account(self, obj) -> str:
        return "•••• " + obj.account[-4:]

    @extend_schema_field(serializers.ChoiceField(choices=UnmatchedReason.choices))
    def get_unmatched_reason(self, obj) -> str:
        return str(unmatched_reason(obj))

    @extend_schema_field(OpenApiTypes.STR)
    def get_unmatched_reason_label(self, obj) -> str:
        return str(UnmatchedReason(self.get_unmatched_reason(obj)).label)


class ReductionOutput(serializers.ModelSerializer):
    behaviour_label = serializers.CharField(source="get_behaviour_display")
    methodology_version = serializers.IntegerField(source="methodology_version_id", allow_null=True)
    record_type = serializers.CharField(source="source_record.record_type", allow_null=True, default=None)

    class Meta:
        model = Reduction
        fields = [
            "id",
            "behaviour",
            "behaviour_label",
            "kind",
            "adjusts",
            "period_start",
            "period_end",
            "quantity",
            "unit",
            "kg_co2e",
            "methodology_version",
            "record_type",
            "created_at",
        ]


class ExplanationRecord(serializers.Serializer):
    record_type = serializers.CharField()
    record_id = serializers.CharField()
    revision = serializers.IntegerField(allow_null=True)
    provider = serializers.CharField()
    account = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class ExplanationInputs(serializers.Serializer):
    quantity = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    unit = serializers.CharField()
    baseline = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    baseline_source = serializers.CharField()
    distance_km = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True)


class ExplanationMethod(serializers.Serializer):
    version_id = serializers.IntegerField(allow_null=True)
    code = serializers.CharField()
    name = serializers.CharField()
    version = serializers.CharField()
    formula = serializers.CharField()
    formula_name = serializers.CharField()
    formula_words = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # API field name
    rounding = serializers.CharField()


class ExplanationParameter(serializers.Serializer):
    slot = serializers.CharField()
    value = serializers.CharField()
    unit = serializers.CharField()
    parameter_id = serializers.IntegerField(allow_null=True)
    source = serializers.CharField()  # type: ignore[assignment]  # API field name
    url = serializers.CharField()
    region = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)


class ExplanationAdjustment(serializers.Serializer):
    id = serializers.IntegerField()
    kg_co2e = serializers.DecimalField(max_digits=14, decimal_places=4)
    created_at = serializers.DateTimeField()
    revision = serializers.IntegerField(allow_null=True)


class ReductionExplanation(serializers.Serializer):
    record = ExplanationRecord(allow_null=True)
    inputs = ExplanationInputs()
    methodology = ExplanationMethod()
    parameters = ExplanationParameter(many=True)
    kg_co2e = serializers.DecimalField(max_digits=14, decimal_places=4)
    adjustments = ExplanationAdjustment(many=True)


class ReductionDetailOutput(ReductionOutput):
    explanation = serializers.SerializerMethodField()

    class Meta(ReductionOutput.Meta):
        fields = [*ReductionOutput.Meta.fields, "explanation"]

    @extend_schema_field(ReductionExplanation)
    def get_explanation(self, obj) -> dict:
        return ReductionExplanation(reduction_explanation(obj)).data


class RecordTypeField(serializers.Serializer):
    name = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # API field name
    description = serializers.CharField()
    example = serializers.CharField()


class RecordTypeOutput(serializers.Serializer):
    record_type = serializers.CharField()
    description = serializers.CharField()
    unit = serializers.CharField()
    fields = RecordTypeField(many=True)  # type: ignore[assignment]  # API field name
    example_csv = serializers.CharField()
    example_jsonl = serializers.CharField()


class ProviderInput(serializers.Serializer):
    centre = serializers.CharField(max_length=10, help_text="Centre code, e.g. GZ")
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=DataProvider.Kind.choices)
    record_types = serializers.ListField(
        child=serializers.ChoiceField(choices=RecordType.choices),
        required=False,
        help_text="Record types it may deliver; default: those of its kind.",
    )


class ProviderServiceUser(serializers.Serializer):
    id = serializers.UUIDField(help_text="Pass as `provider` to POST /api/v1/staff/api-keys to issue a key.")
    display_name = serializers.CharField()
    email = serializers.CharField()


class ProviderOutput(serializers.ModelSerializer):
    centre = serializers.CharField(source="centre.code")
    service_user = ProviderServiceUser(allow_null=True)

    class Meta:
        model = DataProvider
        fields = [
            "id",
            "centre",
            "code",
            "name",
            "kind",
            "record_types",
            "is_active",
            "service_user",
            "created_at",
        ]
