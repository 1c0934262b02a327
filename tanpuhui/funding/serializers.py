from decimal import Decimal

from rest_framework import serializers

from tanpuhui.common.fields import CoinsField, YuanField
from tanpuhui.funding.models import Campaign, Cause, CauseUpdate, CrowdfundingProject, FundingPool


class PoolInput(serializers.Serializer):
    centre = serializers.CharField(max_length=10)
    # "source" is the API's field name; DRF's Field.source attribute is what mypy sees shadowed.
    source = serializers.ChoiceField(choices=FundingPool.Source.choices)  # type: ignore[assignment]
    name_zh = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100)
    sponsor = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PoolOutput(serializers.ModelSerializer):
    """The coin figures are the pool's ledger accounts' (``selectors.pools_with_coins`` sets them)."""

    centre = serializers.CharField(source="centre.code")
    yuan_remaining = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    coins_balance = serializers.IntegerField(read_only=True, help_text="Spendable coins (ledger)")
    coins_reserved = serializers.IntegerField(read_only=True, help_text="Coins held for issued vouchers")
    coins_in = serializers.IntegerField(read_only=True)
    coins_out = serializers.IntegerField(read_only=True)

    class Meta:
        model = FundingPool
        fields = [
            "id",
            "centre",
            "name_zh",
            "name_en",
            "source",
            "sponsor",
            "budget_yuan",
            "yuan_spent",
            "yuan_remaining",
            "coins_balance",
            "coins_reserved",
            "coins_in",
            "coins_out",
        ]


class AppropriationInput(serializers.Serializer):
    yuan = YuanField()
    reference = serializers.CharField(max_length=100)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReportRow(serializers.Serializer):
    id = serializers.IntegerField(required=False)
    centre = serializers.CharField()
    name_zh = serializers.CharField(required=False)
    source = serializers.CharField(required=False)  # type: ignore[assignment]  # the API's field name
    yuan_in = serializers.DecimalField(max_digits=14, decimal_places=2)
    yuan_out = serializers.DecimalField(max_digits=14, decimal_places=2)
    yuan_remaining = serializers.DecimalField(max_digits=14, decimal_places=2)
    coins_in = serializers.IntegerField()
    coins_out = serializers.IntegerField()
    coins_reserved = serializers.IntegerField()
    coins_remaining = serializers.IntegerField()
    remaining_as_coins = serializers.IntegerField()


class TotalsOutput(serializers.Serializer):
    yuan_in = serializers.DecimalField(max_digits=14, decimal_places=2)
    yuan_out = serializers.DecimalField(max_digits=14, decimal_places=2)
    yuan_remaining = serializers.DecimalField(max_digits=14, decimal_places=2)
    coins_in = serializers.IntegerField()
    coins_out = serializers.IntegerField()
    coins_reserved = serializers.IntegerField()
    coins_remaining = serializers.IntegerField()
    remaining_as_coins = serializers.IntegerField()


class PoolReportOutput(serializers.Serializer):
    pools = ReportRow(many=True)
    totals = TotalsOutput()


class RollupOutput(serializers.Serializer):
    centres = ReportRow(many=True)
    totals = TotalsOutput()


class CampaignInput(serializers.Serializer):
    centre = serializers.CharField(max_length=10)
    pool = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Campaign.Kind.choices)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    behaviours = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, default=list
    )
    multiplier = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default=Decimal(1))


class CampaignPreviewOutput(serializers.Serializer):
    kg_last_30_days = serializers.CharField()
    days = serializers.CharField()
    coins_per_kg = serializers.CharField()
    rule = serializers.CharField()
    expected_extra_coins = serializers.IntegerField()
    pool_available_coins = serializers.IntegerField()
    affordable = serializers.BooleanField()


class CampaignOutput(serializers.ModelSerializer):
    centre = serializers.CharField(source="centre.code")

    class Meta:
        model = Campaign
        fields = [
            "id",
            "centre",
            "pool",
            "kind",
            "name",
            "description",
            "starts_at",
            "ends_at",
            "behaviours",
            "multiplier",
            "preview_coins",
        ]


class CrowdfundingInput(serializers.Serializer):
    centre = serializers.CharField(max_length=10)
    kind = serializers.ChoiceField(choices=CrowdfundingProject.Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    target_coins = CoinsField()
    deadline = serializers.DateTimeField()


class CrowdfundingOutput(serializers.ModelSerializer):
    centre = serializers.CharField(source="centre.code")
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = CrowdfundingProject
        fields = [
            "id",
            "centre",
            "kind",
            "title",
            "description",
            "target_coins",
            "pledged_coins",
            "percent",
            "deadline",
            "status",
            "settled_at",
        ]


class CoinsInput(serializers.Serializer):
    coins = CoinsField(max_value=10_000_000)


class PledgeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.UUIDField(source="project_id")
    coins = serializers.IntegerField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class CauseInput(serializers.Serializer):
    centre = serializers.CharField(max_length=10)
    kind = serializers.ChoiceField(choices=Cause.Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class CauseUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    coins_spent = CoinsField(min_value=0, default=0)


class CauseUpdateOutput(serializers.ModelSerializer):
    class Meta:
        model = CauseUpdate
        fields = ["id", "title", "body", "coins_spent", "created_at"]


class CauseOutput(serializers.ModelSerializer):
    centre = serializers.CharField(source="centre.code")
    updates = CauseUpdateOutput(many=True)

    class Meta:
        model = Cause
        fields = ["id", "centre", "kind", "title", "description", "donated_coins", "active", "updates"]


class CauseDonationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    cause = serializers.UUIDField(source="cause_id")
    coins = serializers.IntegerField()
    created_at = serializers.DateTimeField()
