"""Input and output shapes of the pilots API (one input and one output serializer per use case)."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from tanpuhui.pilots.models import (
    Appropriation,
    Disbursement,
    EmissionReport,
    Indicator,
    IndicatorSet,
    IndicatorValue,
    Measure,
    Pilot,
    PilotDocument,
    PilotEvent,
    Place,
    Screen,
)


class PilotPlaceOutput(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None)  # type: ignore[assignment]  # the API's field name

    class Meta:
        model = Place
        fields = ["code", "kind", "name_zh", "name_en", "parent", "adcode", "households"]


class PilotOutput(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name_zh")
    centre = serializers.CharField(source="centre.code")
    manager = serializers.UUIDField(source="manager_id", allow_null=True)
    enterprise = serializers.UUIDField(source="enterprise_id", allow_null=True)

    class Meta:
        model = Pilot
        fields = [
            "id",
            "level",
            "community_type",
            "name_zh",
            "name_en",
            "designation",
            "batch",
            "year",
            "place",
            "place_name",
            "centre",
            "managing_organisation",
            "manager",
            "enterprise",
            "status",
            "period_start",
            "period_end",
            "summary",
        ]


class PilotEventOutput(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name")

    class Meta:
        model = PilotEvent
        fields = ["from_status", "to_status", "actor", "reason", "at"]


class PilotDocumentOutput(serializers.ModelSerializer):
    class Meta:
        model = PilotDocument
        fields = ["id", "kind", "title", "sha256", "size", "created_at"]


class PilotDisbursementOutput(serializers.ModelSerializer):
    class Meta:
        model = Disbursement
        fields = ["id", "milestone", "amount_fen", "paid_on", "at"]


class PilotAppropriationOutput(serializers.ModelSerializer):
    remaining_fen = serializers.IntegerField()
    disbursements = PilotDisbursementOutput(many=True, read_only=True)

    class Meta:
        model = Appropriation
        fields = [
            "id",
            "source",
            "year",
            "amount_fen",
            "disbursed_fen",
            "remaining_fen",
            "reference",
            "disbursements",
        ]


class PilotMeasureOutput(serializers.ModelSerializer):
    methodology_version = serializers.IntegerField(source="methodology_version_id", allow_null=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "kind",
            "description",
            "behaviour",
            "annual_quantity",
            "annual_baseline",
            "quantity_unit",
            "on",
            "methodology_version",
            "annual_kg_co2e",
            "published_t_co2e",
            "published_source",
            "published_basis",
            "inputs",
        ]


class PilotScreenOutput(serializers.ModelSerializer):
    class Meta:
        model = Screen
        fields = ["token", "label", "active", "created_at"]


class PilotDetailOutput(PilotOutput):
    events = PilotEventOutput(many=True, read_only=True)
    documents = PilotDocumentOutput(many=True, read_only=True)
    appropriations = PilotAppropriationOutput(many=True, read_only=True)
    measures = PilotMeasureOutput(many=True, read_only=True)

    class Meta(PilotOutput.Meta):
        fields = [*PilotOutput.Meta.fields, "events", "documents", "appropriations", "measures"]


class PilotApplyInput(serializers.Serializer):
    level = serializers.ChoiceField(choices=Pilot.Level.choices)
    community_type = serializers.ChoiceField(choices=Pilot.CommunityType.choices, required=False, default="")
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, default="")
    designation = serializers.ChoiceField(choices=Pilot.Designation.choices)
    batch = serializers.IntegerField(min_value=1, max_value=99, required=False, allow_null=True, default=None)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    place = serializers.CharField(max_length=40)
    managing_organisation = serializers.CharField(max_length=200)
    enterprise = serializers.UUIDField(required=False, allow_null=True, default=None)
    summary = serializers.CharField(required=False, default="", allow_blank=True)
    period_start = serializers.DateField(required=False, allow_null=True, default=None)
    period_end = serializers.DateField(required=False, allow_null=True, default=None)
    households = serializers.IntegerField(
        min_value=1, max_value=1_000_000, required=False, allow_null=True, default=None
    )


class PilotTransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "start_construction", "accept", "revoke"])
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)


class PilotDocumentInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PilotDocument.Kind.choices)
    title = serializers.CharField(max_length=200, required=False, default="")
    file = serializers.FileField()


class PilotAppropriationInput(serializers.Serializer):
    source = serializers.ChoiceField(choices=Appropriation.Source.choices)  # type: ignore[assignment]  # the API's field name
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    amount_fen = serializers.IntegerField(min_value=1)
    reference = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class PilotDisbursementInput(serializers.Serializer):
    milestone = serializers.CharField(max_length=200)
    amount_fen = serializers.IntegerField(min_value=1)
    paid_on = serializers.DateField()


class PilotMeasureInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Measure.Kind.choices)
    description = serializers.CharField(max_length=300)
    behaviour = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
    annual_quantity = serializers.DecimalField(
        max_digits=16, decimal_places=4, required=False, allow_null=True, default=None
    )
    annual_baseline = serializers.DecimalField(
        max_digits=16, decimal_places=4, required=False, allow_null=True, default=None
    )
    on = serializers.DateField(required=False, allow_null=True, default=None)
    published_t_co2e = serializers.DecimalField(
        max_digits=12, decimal_places=3, required=False, allow_null=True, default=None
    )
    published_source = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    published_basis = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class PilotIndicatorOutput(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "category_zh",
            "category_en",
            "name_zh",
            "name_en",
            "kind",
            "unit",
            "comparator",
            "target",
            "weight",
            "source",
            "verified",
        ]


class PilotIndicatorSetOutput(serializers.ModelSerializer):
    indicators = PilotIndicatorOutput(many=True, read_only=True)

    class Meta:
        model = IndicatorSet
        fields = [
            "id",
            "pilot_type",
            "version",
            "title",
            "source",
            "weight_total",
            "effective_from",
            "indicators",
        ]


class PilotIndicatorItemInput(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    category_zh = serializers.CharField(max_length=100)
    category_en = serializers.CharField(max_length=100, required=False, default="")
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, default="")
    kind = serializers.CharField(max_length=16)
    unit = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    comparator = serializers.CharField(max_length=4)
    target = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True, default=None
    )
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    source = serializers.CharField(max_length=300)  # type: ignore[assignment]  # the API's field name
    verified = serializers.BooleanField(required=False, default=False)


class PilotIndicatorSetInput(serializers.Serializer):
    pilot_type = serializers.ChoiceField(choices=IndicatorSet.PilotType.choices)
    version = serializers.CharField(max_length=20)
    title = serializers.CharField(max_length=200)
    source = serializers.CharField(max_length=300)  # type: ignore[assignment]  # the API's field name
    effective_from = serializers.DateField()
    weight_total = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, default=Decimal(100)
    )
    indicators = PilotIndicatorItemInput(many=True, allow_empty=False)


class PilotIndicatorValueInput(serializers.Serializer):
    indicator = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    value = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True, default=None
    )
    achieved = serializers.BooleanField(required=False, allow_null=True, default=None)
    unit = serializers.CharField(
        max_length=20, required=False, allow_null=True, default=None, allow_blank=True
    )
    evidence = serializers.CharField(max_length=2000)


class PilotIndicatorValueOutput(serializers.ModelSerializer):
    class Meta:
        model = IndicatorValue
        fields = ["id", "indicator", "year", "value", "achieved", "evidence"]


class PilotOverrideInput(serializers.Serializer):
    indicator = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    score = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=0, max_value=1)
    reason = serializers.CharField(max_length=2000)


class PilotEvaluationLineOutput(serializers.Serializer):
    indicator = serializers.IntegerField(source="indicator.pk")
    code = serializers.CharField(source="indicator.code")
    name = serializers.CharField(source="indicator.name")
    category = serializers.CharField(source="indicator.category")
    weight = serializers.DecimalField(source="indicator.weight", max_digits=6, decimal_places=2)
    verified = serializers.BooleanField(source="indicator.verified")
    value = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    achieved = serializers.BooleanField(allow_null=True)
    score = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    computed = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    points = serializers.DecimalField(max_digits=7, decimal_places=2)
    gap = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    override_reason = serializers.CharField()
    previous_points = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)


class PilotEvaluationOutput(serializers.Serializer):
    year = serializers.IntegerField()
    indicator_set = serializers.CharField(source="indicator_set.__str__", allow_null=True, default=None)
    total = serializers.DecimalField(max_digits=7, decimal_places=2)
    grade = serializers.CharField()
    grade_label = serializers.CharField()
    missing = serializers.IntegerField()
    previous_total = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    lines = PilotEvaluationLineOutput(many=True)


class PilotEvaluationQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class PilotEmissionInput(serializers.Serializer):
    month = serializers.DateField()
    source = serializers.ChoiceField(choices=EmissionReport.Source.choices)  # type: ignore[assignment]  # the API's field name
    quantity = serializers.DecimalField(max_digits=16, decimal_places=4, min_value=0)


class PilotEmissionOutput(serializers.ModelSerializer):
    class Meta:
        model = EmissionReport
        fields = [
            "month",
            "source",
            "quantity",
            "unit",
            "kg_co2e",
            "factor_code",
            "factor_value",
            "factor_unit",
            "factor_source",
        ]


class PilotScreenInput(serializers.Serializer):
    label = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)  # type: ignore[assignment]  # the API's field name


class ScreenDocumentOutput(serializers.Serializer):
    """The screen's data; also for a vendor's LED display controller."""

    community = serializers.DictField()
    pilot = serializers.DictField()
    period = serializers.DictField()
    emissions = serializers.DictField()
    solar = serializers.DictField()
    participation = serializers.DictField()
    tips = serializers.ListField(child=serializers.CharField())
    factors = serializers.ListField(child=serializers.DictField())
    refresh_seconds = serializers.IntegerField()


class PilotDashboardOutput(serializers.Serializer):
    levels = serializers.DictField(child=serializers.IntegerField())
    statuses = serializers.DictField(child=serializers.IntegerField())
    cities = serializers.ListField(child=serializers.DictField())
    funding = serializers.ListField(child=serializers.DictField())
    funding_totals = serializers.DictField(child=serializers.IntegerField())
    measures = serializers.ListField(child=serializers.DictField())
    centres = serializers.ListField(child=serializers.DictField())
