"""One input and one output serializer per use case."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from tanpuhui.registry.models import (
    CarbonProject,
    CreditBlock,
    Issuance,
    MonitoringReport,
    Movement,
    ReportLine,
    ReportStep,
    Retirement,
    Sale,
)


class RegistryProjectOutput(serializers.ModelSerializer):
    methodology = serializers.CharField(source="methodology.code")
    centre = serializers.CharField(source="centre.code")
    owner = serializers.CharField(source="owner.name")
    owner_kind = serializers.CharField(source="owner.kind")
    issued = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = CarbonProject
        fields = [
            "id",
            "number",
            "title",
            "kind",
            "centre",
            "owner",
            "owner_kind",
            "methodology",
            "boundary",
            "crediting_start",
            "crediting_end",
            "issued",
        ]


class RegistryProjectInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=CarbonProject.Kind.choices)
    owner = serializers.UUIDField(help_text="The owner's registry account id.")
    methodology = serializers.CharField(max_length=40)
    boundary = serializers.CharField(required=False, allow_blank=True, default="")
    crediting_start = serializers.DateField()
    crediting_end = serializers.DateField()


class RegistryLineOutput(serializers.ModelSerializer):
    class Meta:
        model = ReportLine
        fields = [
            "methodology_code",
            "vintage",
            "kg_co2e",
            "reductions",
            "carried_in_kg",
            "tonnes",
            "carried_out_kg",
        ]


class RegistryStepOutput(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name")

    class Meta:
        model = ReportStep
        fields = ["step", "from_state", "to_state", "at", "actor", "comment"]


class RegistryReportOutput(serializers.ModelSerializer):
    project = serializers.UUIDField(source="project_id")
    lines = RegistryLineOutput(many=True, read_only=True)
    steps = RegistryStepOutput(many=True, read_only=True)

    class Meta:
        model = MonitoringReport
        fields = [
            "id",
            "project",
            "period_start",
            "period_end",
            "state",
            "kg_total",
            "carried_in_kg",
            "verified_adjustment_kg",
            "tonnes",
            "carried_out_kg",
            "notice_start",
            "notice_end",
            "verification_statement",
            "lines",
            "steps",
        ]


class RegistryProjectDetailOutput(RegistryProjectOutput):
    reports = RegistryReportOutput(many=True, read_only=True)

    class Meta(RegistryProjectOutput.Meta):
        fields = [*RegistryProjectOutput.Meta.fields, "reports"]


class RegistryReportInput(serializers.Serializer):
    project = serializers.UUIDField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class RegistryReportStepInput(serializers.Serializer):
    report = serializers.UUIDField()
    step = serializers.ChoiceField(choices=["public_notice", "city_review", "reject"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    start = serializers.DateField(required=False, help_text="First day of the public notice (default today).")


class RegistryVerificationInput(serializers.Serializer):
    report = serializers.UUIDField()
    statement = serializers.CharField()
    adjustment_kg = serializers.DecimalField(max_digits=18, decimal_places=4, default=Decimal(0))


class RegistryReportDecisionInput(serializers.Serializer):
    report = serializers.UUIDField()
    decision = serializers.ChoiceField(choices=["approve", "issue", "reject"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RegistryBlockOutput(serializers.ModelSerializer):
    serial = serializers.CharField(read_only=True)
    account_kind = serializers.CharField(source="account.kind")
    project = serializers.IntegerField(source="project.number")

    class Meta:
        model = CreditBlock
        fields = [
            "id",
            "serial",
            "prefix",
            "serial_start",
            "serial_end",
            "quantity",
            "status",
            "vintage",
            "account_kind",
            "project",
            "parent",
        ]


class RegistryHeldBlockOutput(RegistryBlockOutput):
    account = serializers.CharField(source="account.name")

    class Meta(RegistryBlockOutput.Meta):
        fields = [*RegistryBlockOutput.Meta.fields, "account"]


class RegistrySerialOutput(serializers.Serializer):
    serial = serializers.CharField()
    block = RegistryBlockOutput()
    lineage = RegistryBlockOutput(
        many=True, help_text="From the issued block down to the holding block's parent."
    )
    retirement = serializers.DictField(allow_null=True)


class RegistryIssuanceOutput(serializers.ModelSerializer):
    serial = serializers.SerializerMethodField()
    project = serializers.IntegerField(source="project.number")

    class Meta:
        model = Issuance
        fields = [
            "id",
            "serial",
            "prefix",
            "vintage",
            "serial_start",
            "serial_end",
            "quantity",
            "project",
            "created_at",
        ]

    def get_serial(self, obj: Issuance) -> str:
        return f"{obj.prefix}-{obj.serial_start}-{obj.serial_end}"


class RegistryRetirementOutput(serializers.ModelSerializer):
    serial = serializers.CharField(source="block.serial")

    class Meta:
        model = Retirement
        fields = [
            "id",
            "serial",
            "quantity",
            "beneficiary",
            "purpose",
            "compliance_year",
            "event",
            "certificate_code",
            "created_at",
        ]


class RegistryHoldingsOutput(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    credits = serializers.IntegerField()
    accounts = serializers.IntegerField()


class RegistryYearOutput(serializers.Serializer):
    year = serializers.IntegerField()
    issued = serializers.IntegerField()
    retired = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class RegistryTransferInput(serializers.Serializer):
    block = serializers.IntegerField()
    quantity = serializers.CharField(help_text="A whole number of credits (1 credit = 1 t CO2e).")
    to_account = serializers.UUIDField()
    price_fen = serializers.IntegerField(required=False, min_value=1, help_text="Price per credit, in fen.")


class RegistryRetireInput(serializers.Serializer):
    block = serializers.IntegerField()
    quantity = serializers.CharField()
    beneficiary = serializers.CharField(max_length=200)
    purpose = serializers.ChoiceField(choices=Retirement.Purpose.choices)
    compliance_year = serializers.IntegerField(required=False, min_value=2013, max_value=2100)
    event = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class RegistryCancelInput(serializers.Serializer):
    block = serializers.IntegerField()
    quantity = serializers.CharField()
    reason = serializers.CharField(max_length=300)


class RegistryFreezeInput(serializers.Serializer):
    block = serializers.IntegerField()
    freeze = serializers.BooleanField()
    reason = serializers.CharField(max_length=300)


class RegistryMovementOutput(serializers.ModelSerializer):
    block = RegistryBlockOutput()

    class Meta:
        model = Movement
        fields = ["id", "kind", "at", "quantity", "reason", "block"]


class RegistrySaleBookInput(serializers.Serializer):
    sale = serializers.UUIDField()


class RegistrySaleOutput(serializers.ModelSerializer):
    class Meta:
        model = Sale
        fields = ["id", "quantity", "price_fen", "proceeds_fen", "booked_pool", "booked_at"]
