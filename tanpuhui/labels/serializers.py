from rest_framework import serializers

from tanpuhui.labels.models import (
    Application,
    Certificate,
    Finding,
    InventoryLine,
    LowCarbonSpec,
    ProductCategoryRule,
    Scheme,
    Stage,
    Study,
)


class PcrOutput(serializers.ModelSerializer):
    class Meta:
        model = ProductCategoryRule
        fields = [
            "id",
            "code",
            "version",
            "category_zh",
            "category_en",
            "declared_unit",
            "declared_unit_zh",
            "declared_unit_en",
            "boundary",
            "stages",
            "cutoff_flow_pct",
            "cutoff_total_pct",
            "allocation",
            "allocation_note",
            "required_primary",
            "default_secondary",
            "max_dq_score",
            "min_primary_share_pct",
            "negative_allowed",
            "follows",
            "unverified",
            "effective_from",
        ]


class LineOutput(serializers.ModelSerializer):
    class Meta:
        model = InventoryLine
        fields = [
            "id",
            "stage",
            "name",
            "key",
            "quantity",
            "unit",
            "factor_code",
            "source",
            "carbon",
            "data_quality",
            "excluded",
        ]


class StudyOutput(serializers.ModelSerializer):
    lines = LineOutput(many=True, read_only=True)
    pcr = PcrOutput(read_only=True)

    class Meta:
        model = Study
        fields = [
            "id",
            "enterprise",
            "pcr",
            "product_name",
            "reference_date",
            "status",
            "result",
            "computed_at",
            "lines",
        ]


class StudyListOutput(serializers.ModelSerializer):
    class Meta:
        model = Study
        fields = ["id", "enterprise", "pcr", "product_name", "reference_date", "status", "computed_at"]


class StudyCreateInput(serializers.Serializer):
    enterprise = serializers.UUIDField()
    pcr = serializers.IntegerField()
    product_name = serializers.CharField(max_length=200)
    reference_date = serializers.DateField()


class LineInput(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    name = serializers.CharField(max_length=200)
    key = serializers.SlugField(max_length=40, required=False, default="")
    quantity = serializers.DecimalField(max_digits=20, decimal_places=6)
    unit = serializers.CharField(max_length=40)
    factor_code = serializers.SlugField(max_length=60)
    source = serializers.ChoiceField(choices=InventoryLine.Source.choices)  # type: ignore[assignment]
    carbon = serializers.ChoiceField(
        choices=InventoryLine.Carbon.choices, default=InventoryLine.Carbon.FOSSIL
    )
    data_quality = serializers.IntegerField(min_value=1, max_value=5)
    excluded = serializers.BooleanField(default=False)


# --- certification ------------------------------------------------------------------------------------


class SchemeOutput(serializers.ModelSerializer):
    recognises: serializers.RelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code"
    )

    class Meta:
        model = Scheme
        fields = [
            "code",
            "name_zh",
            "name_zh_hant",
            "name_en",
            "issuer_zh",
            "issuer_zh_hant",
            "issuer_en",
            "label_language",
            "validity_years",
            "surveillance_months",
            "accepted_pcrs",
            "max_dq_score",
            "recognises",
            "accepting",
            "source",
        ]


class SpecOutput(serializers.ModelSerializer):
    class Meta:
        model = LowCarbonSpec
        fields = [
            "id",
            "product",
            "version",
            "declared_unit",
            "declared_unit_zh",
            "declared_unit_en",
            "grade_standard",
            "grades_allowed",
            "limits",
            "follows",
            "unverified",
            "effective_from",
        ]


class LabelCertificateOutput(serializers.ModelSerializer):
    scheme: serializers.RelatedField = serializers.SlugRelatedField(read_only=True, slug_field="code")
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    status = serializers.CharField(source="current_status", read_only=True)
    cross_references = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "number",
            "kind",
            "scheme",
            "enterprise_name",
            "product_name",
            "category",
            "kg_co2e",
            "declared_unit",
            "declared_unit_words",
            "boundary",
            "rule",
            "issued_on",
            "valid_until",
            "surveillance",
            "status",
            "status_note",
            "cross_references",
            "details",
        ]

    def get_cross_references(self, obj: Certificate) -> list[str]:
        return [c.number for c in obj.siblings]


class FindingOutput(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["severity", "text", "closed"]


class ApplicationOutput(serializers.ModelSerializer):
    schemes: serializers.RelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code"
    )
    product_name = serializers.CharField(source="study.product_name", read_only=True)
    findings = FindingOutput(many=True, read_only=True)
    certificates: serializers.RelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="number"
    )

    class Meta:
        model = Application
        fields = [
            "ref",
            "enterprise",
            "study",
            "product_name",
            "schemes",
            "status",
            "verifier",
            "conclusion",
            "verified_kg",
            "findings",
            "decision_note",
            "decided_at",
            "certificates",
            "created_at",
        ]


class ApplicationCreateInput(serializers.Serializer):
    study = serializers.UUIDField()
    schemes = serializers.ListField(child=serializers.SlugField(max_length=20), min_length=1, max_length=5)


class AssignInput(serializers.Serializer):
    verifier = serializers.UUIDField()


class FindingInput(serializers.Serializer):
    severity = serializers.ChoiceField(choices=Finding.Severity.choices)
    text = serializers.CharField(max_length=2000)
    closed = serializers.BooleanField(default=False)


class LabelVerifyInput(serializers.Serializer):
    conclusion = serializers.ChoiceField(choices=Application.Conclusion.choices)
    verified_kg = serializers.DecimalField(max_digits=16, decimal_places=4)
    findings = FindingInput(many=True, required=False, default=list)


class DecideInput(serializers.Serializer):
    certify = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class CertificateStatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Certificate.Status.choices)
    note = serializers.CharField(max_length=300)


class LowCarbonInput(serializers.Serializer):
    enterprise = serializers.UUIDField()
    spec = serializers.IntegerField()
    product_name = serializers.CharField(max_length=150)
    model = serializers.CharField(max_length=48, required=False, default="", allow_blank=True)
    variant = serializers.CharField(max_length=20, default="default")
    grade = serializers.CharField(max_length=4, required=False, default="", allow_blank=True)
    kg_per_unit = serializers.DecimalField(max_digits=16, decimal_places=4)
    inventory = serializers.DictField(
        child=serializers.CharField(max_length=40), required=False, default=dict
    )
    type_test_on = serializers.DateField()
    inspected_on = serializers.DateField()


class JsonLdImportInput(serializers.Serializer):
    enterprise = serializers.UUIDField()
    document = serializers.DictField()


class SurveillanceInput(serializers.Serializer):
    on = serializers.DateField()
    passed = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
