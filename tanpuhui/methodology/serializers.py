from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tanpuhui.methodology import formulas
from tanpuhui.methodology.models import Methodology, MethodologyVersion, Parameter


class ParameterOutput(serializers.ModelSerializer):
    value = serializers.SerializerMethodField()
    centre = serializers.SlugRelatedField(slug_field="code", read_only=True)

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

    def get_value(self, obj: Parameter) -> str:
        return format(formulas.canonical_decimal(obj.value), "f")


class SlotOutput(serializers.Serializer):
    slot = serializers.CharField()
    unit = serializers.CharField(help_text="The formula's canonical unit for this slot.")
    role = serializers.CharField(help_text="factor, default or limit.")
    parameter_code = serializers.CharField(source="code")
    regions = serializers.CharField(help_text="Regions searched, in order of preference.")
    qualifier = serializers.CharField()


class VersionOutput(serializers.ModelSerializer):
    centre = serializers.SlugRelatedField(slug_field="code", read_only=True)
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
