from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tanpuhui.enterprises.models import (
    Carrier,
    Donation,
    Enterprise,
    ProjectDocument,
    ReductionYear,
    RetrofitProject,
    ReviewEvent,
)


class EnterpriseRegisterInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    credit_code = serializers.CharField(max_length=30)
    sector = serializers.ChoiceField(choices=Enterprise.Sector.choices)
    centre = serializers.CharField(max_length=10)


class EnterpriseOutput(serializers.ModelSerializer):
    centre = serializers.CharField(source="centre.code")

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "credit_code",
            "sector",
            "centre",
            "status",
            "status_note",
            "verified_at",
            "public_thanks",
            "created_at",
        ]


class EnterpriseVerifyInput(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ProjectCreateInput(serializers.Serializer):
    enterprise = serializers.UUIDField()
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=RetrofitProject.Kind.choices)
    site = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    operating_hours_per_year = serializers.IntegerField(min_value=1, max_value=8784)
    reported_kg_co2e = serializers.DecimalField(
        max_digits=17, decimal_places=4, required=False, allow_null=True, min_value=Decimal(0)
    )


class ReadingInput(serializers.Serializer):
    month = serializers.DateField()
    carrier = serializers.ChoiceField(choices=Carrier.choices)
    baseline_qty = serializers.DecimalField(max_digits=16, decimal_places=3)
    project_qty = serializers.DecimalField(max_digits=16, decimal_places=3)


class ReadingsInput(serializers.Serializer):
    readings = ReadingInput(many=True, allow_empty=False)


class DocumentInput(serializers.Serializer):
    file = serializers.FileField()
    doc_type = serializers.ChoiceField(choices=ProjectDocument.DocType.choices)


class DocumentOutput(serializers.ModelSerializer):
    class Meta:
        model = ProjectDocument
        fields = ["id", "doc_type", "filename", "content_type", "size", "sha256", "created_at"]


class ReviewEventOutput(serializers.ModelSerializer):
    class Meta:
        model = ReviewEvent
        fields = ["at", "role", "from_status", "to_status", "comment"]


class ReductionYearOutput(serializers.ModelSerializer):
    available_kg = serializers.DecimalField(max_digits=17, decimal_places=4, read_only=True)

    class Meta:
        model = ReductionYear
        fields = ["id", "year", "kg_co2e", "donated_kg", "credited_kg", "available_kg"]


class ReadingOutput(serializers.Serializer):
    month = serializers.DateField()
    carrier = serializers.CharField()
    baseline_qty = serializers.DecimalField(max_digits=16, decimal_places=3)
    project_qty = serializers.DecimalField(max_digits=16, decimal_places=3)


class ProjectOutput(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.name")
    enterprise_id = serializers.UUIDField()
    centre = serializers.CharField(source="centre.code")
    readings = ReadingOutput(many=True)
    documents = DocumentOutput(many=True)
    history = ReviewEventOutput(many=True, source="review_events")
    years = ReductionYearOutput(many=True)

    class Meta:
        model = RetrofitProject
        fields = [
            "id",
            "enterprise",
            "enterprise_id",
            "centre",
            "title",
            "kind",
            "site",
            "description",
            "period_start",
            "period_end",
            "operating_hours_per_year",
            "status",
            "methodology_version",
            "kg_co2e",
            "quantification",
            "submitted_at",
            "decided_at",
            "readings",
            "documents",
            "history",
            "years",
        ]


class ProjectListOutput(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.name")
    centre = serializers.CharField(source="centre.code")

    class Meta:
        model = RetrofitProject
        fields = [
            "id",
            "enterprise",
            "centre",
            "title",
            "kind",
            "site",
            "period_start",
            "period_end",
            "status",
            "kg_co2e",
            "submitted_at",
        ]


class SubmitInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RetrofitReviewInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["start_review", "approve", "return", "reject"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class DonationInput(serializers.Serializer):
    reduction_year = serializers.IntegerField()
    kg_co2e = serializers.DecimalField(max_digits=17, decimal_places=4)
    public_thanks = serializers.BooleanField(default=False)


class DonationOutput(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.name")
    project = serializers.CharField(source="reduction_year.project.title")
    year = serializers.IntegerField(source="reduction_year.year")
    centre = serializers.CharField(source="centre.code")
    pool = serializers.CharField(source="pool.name_zh")
    certificate_url = serializers.SerializerMethodField()

    class Meta:
        model = Donation
        fields = [
            "id",
            "enterprise",
            "project",
            "year",
            "centre",
            "pool",
            "kg_co2e",
            "coins",
            "coins_per_kg",
            "rule",
            "verification_code",
            "public_thanks",
            "created_at",
            "certificate_url",
        ]

    @extend_schema_field(serializers.CharField())
    def get_certificate_url(self, obj) -> str:
        return f"/certificates/{obj.verification_code}/"


class CertificateOutput(serializers.Serializer):
    verification_code = serializers.CharField()
    enterprise = serializers.CharField(source="enterprise.name")
    credit_code = serializers.CharField(source="enterprise.credit_code")
    project = serializers.CharField(source="reduction_year.project.title")
    year = serializers.IntegerField(source="reduction_year.year")
    kg_co2e = serializers.DecimalField(max_digits=17, decimal_places=4)
    coins = serializers.IntegerField()
    centre = serializers.CharField(source="centre.name_zh")
    created_at = serializers.DateTimeField()


class ThankYouOutput(serializers.Serializer):
    enterprise = serializers.CharField(source="enterprise.name")
    centre = serializers.CharField(source="centre.code")
    kg_co2e = serializers.DecimalField(max_digits=17, decimal_places=4)
    coins = serializers.IntegerField()
    created_at = serializers.DateTimeField()
