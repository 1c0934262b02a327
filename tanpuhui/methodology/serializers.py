from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tanpuhui.methodology import formulas
from tanpuhui.methodology.models import Methodology, MethodologyVersion, Parameter


class ParameterOutput(serializers.ModelSerializer):
    value = serializers.SerializerMethodField(method_name="value_text")
    centre: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Parameter
        fields = [
            "id",
            "code",
            "qualifier",
            "name_zh",
            "name_en",
            "value",
            "unit",
            "region",
            "centre",
            "year",
            "source_publication",
            "source_issuer",
            "source_year",
            "source_url",
            "derivation",
            "valid_from",
            "valid_to",
            "superseded_by",
        ]

    def value_text(self, obj: Parameter) -> str:  # not get_value: that name is DRF Field's input hook
        return format(formulas.canonical_decimal(obj.value), "f")


class SlotOutput(serializers.Serializer):
    slot = serializers.CharField()
    unit = serializers.CharField(help_text="The formula's canonical unit for this slot.")
    role = serializers.CharField(help_text="factor, default or limit.")
    parameter_code = serializers.CharField(source="code")
    regions = serializers.CharField(help_text="Regions searched, in order of preference.")
    qualifier = serializers.CharField()


class VersionOutput(serializers.ModelSerializer):
    centre: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    formula_name = serializers.SerializerMethodField()
    formula_words = serializers.SerializerMethodField()
    quantity_unit = serializers.SerializerMethodField()
    slots = serializers.SerializerMethodField()

    class Meta:
        model = MethodologyVersion
        fields = [
            "id",
            "label",
            "formula",
            "formula_name",
            "formula_words",
            "quantity_unit",
            "config",
            "centre",
            "effective_from",
            "effective_to",
            "source_text",
            "source_url",
            "notes_zh",
            "notes_en",
            "slots",
        ]

    def get_formula_name(self, obj) -> str:
        return str(obj.formula_spec.name)

    def get_formula_words(self, obj) -> str:
        return str(obj.formula_spec.words)

    def get_quantity_unit(self, obj) -> str:
        return obj.formula_spec.quantity_unit

    @extend_schema_field(SlotOutput(many=True))
    def get_slots(self, obj):
        spec = obj.formula_spec
        rows = []
        for link in obj.slots.all():
            slot = spec.slot(link.slot)
            rows.append(
                {
                    "slot": link.slot,
                    "unit": slot.unit,
                    "role": slot.role,
                    "code": link.code,
                    "regions": link.regions,
                    "qualifier": link.qualifier,
                }
            )
        return SlotOutput(rows, many=True).data


class MethodologyOutput(serializers.ModelSerializer):
    versions = VersionOutput(many=True, read_only=True)
    parameters = serializers.SerializerMethodField()

    class Meta:
        model = Methodology
        fields = [
            "code",
            "behaviour",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "versions",
            "parameters",
        ]

    @extend_schema_field(ParameterOutput(many=True))
    def get_parameters(self, obj):
        history = self.context["parameters"]
        codes = sorted({link.code for version in obj.versions.all() for link in version.slots.all()})
        return ParameterOutput([p for code in codes for p in history.get(code, [])], many=True).data


class ParameterPublishInput(serializers.Serializer):
    code = serializers.SlugField(max_length=60)
    qualifier = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    value = serializers.DecimalField(max_digits=24, decimal_places=12, min_value=0)
    unit = serializers.CharField(max_length=40)
    region = serializers.ChoiceField(choices=Parameter.Region.choices)
    centre = serializers.CharField(
        max_length=10,
        required=False,
        allow_null=True,
        default=None,
        help_text="Centre code, required exactly when region is 'centre'.",
    )
    name_zh = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    name_en = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    year = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1900, max_value=2200
    )
    source_publication = serializers.CharField(max_length=300)
    source_issuer = serializers.CharField(max_length=200)
    source_year = serializers.IntegerField(min_value=1900, max_value=2200)
    source_url = serializers.URLField(max_length=500, required=False, default="", allow_blank=True)
    derivation = serializers.CharField(required=False, default="", allow_blank=True)
    valid_from = serializers.DateField()


class SlotInput(serializers.Serializer):
    code = serializers.SlugField(max_length=60)
    regions = serializers.CharField(max_length=100, help_text="Comma-separated, in order of preference.")
    qualifier = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)


class VersionPublishInput(serializers.Serializer):
    methodology = serializers.SlugField(max_length=40)
    label = serializers.CharField(max_length=20)  # type: ignore[assignment]  # the API field "label" shadows Field.label
    formula = serializers.ChoiceField(choices=formulas.FORMULA_CHOICES)
    slots = serializers.DictField(child=SlotInput())
    effective_from = serializers.DateField()
    centre = serializers.CharField(max_length=10, required=False, allow_null=True, default=None)
    config = serializers.DictField(required=False, default=dict)
    source_text = serializers.CharField()
    source_url = serializers.URLField(max_length=500, required=False, default="", allow_blank=True)
    notes_zh = serializers.CharField(required=False, default="", allow_blank=True)
    notes_en = serializers.CharField(required=False, default="", allow_blank=True)
