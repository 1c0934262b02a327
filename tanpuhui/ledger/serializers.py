from django.urls import NoReverseMatch, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tanpuhui.common.fields import CoinsField
from tanpuhui.ledger import selectors
from tanpuhui.ledger.models import TransferKind


class ExpiringOutput(serializers.Serializer):
    amount = serializers.IntegerField()
    before = serializers.DateTimeField(allow_null=True)


class WalletOutput(serializers.Serializer):
    account = serializers.IntegerField(allow_null=True)
    balance = serializers.IntegerField()
    fraction_milli = serializers.IntegerField(help_text="Fraction of a coin (milli-coins) carried forward")
    debt = serializers.IntegerField(help_text="Coins owed after a reversal, recovered from future earnings")
    expiring_soon = ExpiringOutput()
    lifetime_earned = serializers.IntegerField()
    lifetime_spent = serializers.IntegerField()


class AwardLineOutput(serializers.Serializer):
    reduction = serializers.IntegerField(source="reduction_id")
    behaviour = serializers.CharField()
    period_end = serializers.DateField()
    kg_co2e = serializers.DecimalField(max_digits=14, decimal_places=4)
    coins = serializers.SerializerMethodField()
    rule_version = serializers.SerializerMethodField()
    coins_per_kg = serializers.SerializerMethodField()
    multiplier = serializers.DecimalField(source="factor", max_digits=6, decimal_places=3)
    campaign = serializers.SerializerMethodField()
    capped_by = serializers.CharField()
    explanation = serializers.SerializerMethodField()
    reduction_detail = serializers.SerializerMethodField(
        help_text="Metering's explanation of the reduction: record → methodology → factor"
    )

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_coins(self, obj) -> str:
        return f"{obj.milli_awarded / 1000:.3f}"

    @extend_schema_field(OpenApiTypes.INT)
    def get_rule_version(self, obj) -> int | None:
        return obj.rule.version if obj.rule_id else None

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_coins_per_kg(self, obj) -> str | None:
        return str(obj.rule.coins_per_kg) if obj.rule_id else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_campaign(self, obj) -> str | None:
        return obj.multiplier.name if obj.multiplier_id else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_explanation(self, obj) -> str:
        return reverse("api:me-coin-award", kwargs={"reduction_id": obj.reduction_id})

    @extend_schema_field(OpenApiTypes.URI)
    def get_reduction_detail(self, obj) -> str | None:
        try:
            return reverse("api:me-reduction-detail", kwargs={"pk": obj.reduction_id})
        except NoReverseMatch:  # metering's endpoint not merged yet
            return None


class TransferOutput(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=TransferKind.choices)
    direction = serializers.SerializerMethodField()
    amount = serializers.SerializerMethodField(
        help_text="Signed: positive into the wallet, negative out of it"
    )
    counterparty = serializers.SerializerMethodField()
    memo = serializers.CharField()
    cause = serializers.SerializerMethodField()
    reverses = serializers.IntegerField(source="reverses_id", allow_null=True)
    awards = AwardLineOutput(many=True, source="award_lines")

    def _incoming(self, obj) -> bool:
        return obj.credit_id == self.context["wallet_id"]

    @extend_schema_field(serializers.ChoiceField(choices=["in", "out"]))
    def get_direction(self, obj) -> str:
        return "in" if self._incoming(obj) else "out"

    @extend_schema_field(OpenApiTypes.INT)
    def get_amount(self, obj) -> int:
        return obj.amount if self._incoming(obj) else -obj.amount

    @extend_schema_field(OpenApiTypes.STR)
    def get_counterparty(self, obj) -> str:
        other = obj.debit if self._incoming(obj) else obj.credit
        return other.kind

    @extend_schema_field(
        {"type": "object", "properties": {"type": {"type": "string"}, "id": {"type": "string"}}}
    )
    def get_cause(self, obj) -> dict:
        return {"type": obj.cause_type, "id": obj.cause_id}


class AwardExplanationOutput(AwardLineOutput):
    transfer = serializers.SerializerMethodField()
    reduction_kind = serializers.CharField(source="reduction.kind")
    adjusts = serializers.IntegerField(source="reduction.adjusts_id", allow_null=True)
    period_start = serializers.DateField(source="reduction.period_start")
    coins_before_caps = serializers.SerializerMethodField()
    arithmetic = serializers.SerializerMethodField()

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_transfer(self, obj) -> int | None:
        return selectors.award_transfer_id(obj)

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_coins_before_caps(self, obj) -> str:
        return f"{obj.milli_computed / 1000:.3f}"

    @extend_schema_field(OpenApiTypes.STR)
    def get_arithmetic(self, obj) -> str:
        if obj.milli_awarded < 0:
            return f"clawback of {-obj.milli_awarded / 1000:.3f} coins for a correction of {obj.kg_co2e} kg"
        if not obj.rule_id:
            return "no conversion rule in force: 0 coins"
        text = f"{obj.kg_co2e} kg × {obj.rule.coins_per_kg} coins/kg × {obj.factor} = {obj.milli_computed / 1000:.3f}"
        if obj.capped_by:
            text += f", capped ({obj.capped_by}) to {obj.milli_awarded / 1000:.3f}"
        return text


class CentreLedgerOutput(serializers.Serializer):
    centre = serializers.CharField()
    name = serializers.CharField()
    issued = serializers.IntegerField()
    in_wallets = serializers.IntegerField()
    wallets = serializers.IntegerField()
    in_pools = serializers.IntegerField()
    at_merchants = serializers.IntegerField()
    in_escrow = serializers.IntegerField()
    donated = serializers.IntegerField()
    expired = serializers.IntegerField()
    owed = serializers.IntegerField()
    pools = serializers.ListField(child=serializers.DictField())


class CheckOutput(serializers.Serializer):
    ran_at = serializers.DateTimeField()
    ok = serializers.BooleanField()
    accounts_checked = serializers.IntegerField()
    total_balance = serializers.IntegerField()
    problems = serializers.ListField(child=serializers.DictField())


class LedgerSummaryOutput(serializers.Serializer):
    centres = CentreLedgerOutput(many=True)
    province = serializers.DictField(child=serializers.IntegerField(), allow_null=True)
    last_check = CheckOutput(allow_null=True)


class RewardInput(serializers.Serializer):
    pool = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Funding-pool account id")
    resident = serializers.UUIDField()
    amount = CoinsField()
    memo = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    def to_internal_value(self, data):
        amount = data.get("amount") if hasattr(data, "get") else None
        if isinstance(amount, bool) or (
            amount is not None and not isinstance(amount, int) and not str(amount).isdigit()
        ):
            raise serializers.ValidationError({"amount": ["A whole number of coins is required."]})
        return super().to_internal_value(data)


class RewardOutput(serializers.Serializer):
    transfer = serializers.IntegerField(source="pk")
    amount = serializers.IntegerField()
    pool_balance = serializers.IntegerField()
    wallet = serializers.IntegerField(source="credit_id")
