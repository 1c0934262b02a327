from rest_framework import serializers

from tanpuhui.labels.models import InventoryLine, ProductCategoryRule, Stage, Study


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
