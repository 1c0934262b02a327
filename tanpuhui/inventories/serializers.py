"""Input and output shapes of the inventories API."""

from __future__ import annotations

from rest_framework import serializers

from tanpuhui.inventories import catalogue as cat
from tanpuhui.inventories import selectors
from tanpuhui.inventories.models import ActivityRow, Factor, FactorSet, GwpSet, Inventory, ReviewComment


class RowOutput(serializers.ModelSerializer):
    entered_by = serializers.CharField(source="entered_by.display_name")

    class Meta:
        model = ActivityRow
        fields = [
            "id",
            "category",
            "subject",
            "quantity",
            "unit",
            "amount",
            "uncertainty_pct",
            "own_ncv",
            "own_ef_co2",
            "own_source",
            "source",
            "quality_note",
            "entered_by",
            "import_ref",
        ]


class CommentOutput(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name")

    class Meta:
        model = ReviewComment
        fields = ["id", "row", "line", "author", "text", "created_at"]


class InventoryListOutput(serializers.ModelSerializer):
    town = serializers.CharField(source="town.code")
    town_name = serializers.CharField(source="town.name_zh")
    centre = serializers.CharField(source="centre.code")
    factor_set = serializers.CharField(source="factor_set.__str__")
    gwp_set = serializers.CharField(source="gwp_set.code")
    sha256 = serializers.CharField(source="calculation.sha256", default=None)

    class Meta:
        model = Inventory
        fields = [
            "id",
            "town",
            "town_name",
            "centre",
            "year",
            "revision",
            "status",
            "reason",
            "factor_set",
            "gwp_set",
            "population",
            "gdp_e4yuan",
            "sha256",
            "submitted_at",
            "published_at",
        ]


class InventoryOutput(InventoryListOutput):
    rows = RowOutput(many=True)
    comments = CommentOutput(many=True)
    result = serializers.SerializerMethodField()
    supersedes = serializers.UUIDField(source="supersedes_id", allow_null=True)

    class Meta(InventoryListOutput.Meta):
        fields = [*InventoryListOutput.Meta.fields, "supersedes", "rows", "comments", "result"]

    def get_result(self, obj: Inventory) -> dict:
        return selectors.result_of(obj)


class PublicInventoryOutput(InventoryListOutput):
    result = serializers.SerializerMethodField()
    difference = serializers.SerializerMethodField()

    class Meta(InventoryListOutput.Meta):
        fields = [*InventoryListOutput.Meta.fields, "result", "difference"]

    def get_result(self, obj: Inventory) -> dict:
        return selectors.result_of(obj)

    def get_difference(self, obj: Inventory) -> list[dict]:
        return selectors.difference(obj)


class InventoryCreateInput(serializers.Serializer):
    town = serializers.SlugField(max_length=40)
    year = serializers.IntegerField(min_value=1900, max_value=2200)
    gwp = serializers.ChoiceField(choices=["SAR", "AR5", "AR6"], default="SAR")
    factor_set = serializers.SlugField(max_length=20, default=cat.CHINA_2011)


class RowInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=cat.CATEGORY_CHOICES)
    subject = serializers.CharField(max_length=30)
    quantity = serializers.DecimalField(max_digits=20, decimal_places=6)
    unit = serializers.CharField(max_length=30)
    source = serializers.CharField(max_length=300)  # type: ignore[assignment]  # the API's field name
    quality_note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    uncertainty_pct = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )
    own_ncv = serializers.DecimalField(max_digits=14, decimal_places=6, required=False, allow_null=True)
    own_ef_co2 = serializers.DecimalField(max_digits=14, decimal_places=4, required=False, allow_null=True)
    own_source = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ImportInput(serializers.Serializer):
    file = serializers.FileField()


class ImportOutput(serializers.Serializer):
    rows = serializers.IntegerField()


class ReviseInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class CommentInput(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    row = serializers.IntegerField(required=False, allow_null=True)


class FactorOutput(serializers.ModelSerializer):
    class Meta:
        model = Factor
        fields = ["subject", "parameter", "sector", "value", "unit", "uncertainty_pct"]


class FactorSetOutput(serializers.ModelSerializer):
    factors = FactorOutput(many=True)
    base = serializers.CharField(source="base.code", default=None)

    class Meta:
        model = FactorSet
        fields = [
            "id",
            "code",
            "version",
            "name_zh",
            "name_en",
            "source_publication",
            "source_issuer",
            "source_year",
            "source_url",
            "base",
            "factors",
        ]


class GwpSetOutput(serializers.ModelSerializer):
    class Meta:
        model = GwpSet
        fields = ["code", "ch4", "ch4_fossil", "n2o", "source"]


class RollUpOutput(serializers.Serializer):
    city = serializers.CharField()
    year = serializers.IntegerField()
    towns = serializers.IntegerField()
    population = serializers.IntegerField()
    basic_plus = serializers.CharField()


class NotationKeyInput(serializers.Serializer):
    tree = serializers.ChoiceField(choices=["provincial", "gpc"])
    code = serializers.CharField(max_length=12)
    key = serializers.ChoiceField(choices=["NO", "IE", "NE", "C"])
    explanation = serializers.CharField(max_length=300)


class NotationKeyOutput(serializers.Serializer):
    tree = serializers.CharField()
    code = serializers.CharField()
    key = serializers.CharField()
    explanation = serializers.CharField()
