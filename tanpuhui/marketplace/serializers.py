from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tanpuhui.accounts.models import phone_validator
from tanpuhui.common.fields import CoinsField, PeriodQuery
from tanpuhui.marketplace.models import (
    MAX_PRICE_COINS,
    MAX_STOCK,
    Category,
    Merchant,
    MerchantStaff,
    Offer,
    Outlet,
    Voucher,
)

MAX_IMAGE_BYTES = 2 * 1024 * 1024

# --- merchants ----------------------------------------------------------------------------------


class OutletInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    address = serializers.CharField(max_length=200)


class MerchantApplyInput(serializers.Serializer):
    centre = serializers.CharField(max_length=10, help_text="Centre code, e.g. GZ")
    name = serializers.CharField(max_length=100)
    licence_number = serializers.CharField(
        max_length=18, min_length=18, help_text="Unified social credit code"
    )
    contact_name = serializers.CharField(max_length=50)
    contact_phone = serializers.RegexField(r"^[0-9+\- ]{7,20}$", max_length=20)
    outlets = serializers.ListField(child=OutletInput(), allow_empty=False, max_length=50)


class OutletOutput(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["id", "name", "address"]


class MerchantOutput(serializers.ModelSerializer):
    centre = serializers.CharField(source="centre.code")
    outlets = OutletOutput(many=True)

    class Meta:
        model = Merchant
        fields = [
            "id",
            "centre",
            "name",
            "licence_number",
            "contact_name",
            "contact_phone",
            "status",
            "review_reason",
            "reviewed_at",
            "outlets",
            "created_at",
        ]


class ReviewInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class StaffCreateInput(serializers.Serializer):
    phone = serializers.CharField(max_length=11, validators=[phone_validator])
    display_name = serializers.CharField(max_length=50)
    password = serializers.CharField(max_length=128, write_only=True)
    role = serializers.ChoiceField(choices=MerchantStaff.Role.choices)
    outlet = serializers.IntegerField(required=False, allow_null=True, default=None)


class StaffOutput(serializers.ModelSerializer):
    phone = serializers.CharField(source="user.masked_phone")
    display_name = serializers.CharField(source="user.display_name")
    outlet = serializers.CharField(source="outlet.name", default=None)

    class Meta:
        model = MerchantStaff
        fields = ["id", "phone", "display_name", "role", "outlet", "active"]


# --- offers -------------------------------------------------------------------------------------


class OfferInput(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, default="", allow_blank=True, max_length=4000)
    category = serializers.ChoiceField(choices=Category.choices)
    price_coins = CoinsField(max_value=MAX_PRICE_COINS)
    stock = serializers.IntegerField(min_value=1, max_value=MAX_STOCK)
    per_resident_limit = serializers.IntegerField(min_value=1, max_value=100, default=1)
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    flash_starts_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    voucher_valid_days = serializers.IntegerField(min_value=1, max_value=366, default=30)
    terms = serializers.CharField(required=False, default="", allow_blank=True, max_length=4000)
    funding_pool = serializers.IntegerField(required=False, allow_null=True, default=None)
    yuan_value = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, max_value=100000)
    expiry_policy = serializers.ChoiceField(choices=Offer.ExpiryPolicy.choices, default="refund")
    image = serializers.ImageField(required=False, help_text="PNG/JPEG up to 2 MB (multipart/form-data)")

    def validate_image(self, image):
        if image.size > MAX_IMAGE_BYTES:
            raise serializers.ValidationError(_("The image may be at most 2 MB."))
        return image


class OfferOutput(serializers.ModelSerializer):
    merchant = serializers.CharField(source="merchant.name")
    stock_left = serializers.IntegerField()
    sale_starts_at = serializers.DateTimeField()
    image = serializers.SerializerMethodField()
    funding_source = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = [
            "id",
            "title",
            "description",
            "image",
            "category",
            "merchant",
            "price_coins",
            "stock",
            "stock_left",
            "per_resident_limit",
            "valid_from",
            "valid_until",
            "flash_starts_at",
            "sale_starts_at",
            "voucher_valid_days",
            "terms",
            "funding_source",
            "yuan_value",
            "expiry_policy",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_image(self, offer) -> str | None:
        return offer.image.url if offer.image else None

    @extend_schema_field(serializers.CharField())
    def get_funding_source(self, offer) -> str:
        return offer.funding_pool.name_zh if offer.funding_pool_id else "merchant"


class MerchantOfferOutput(OfferOutput):
    class Meta(OfferOutput.Meta):
        fields = [*OfferOutput.Meta.fields, "status", "review_reason", "redeemed"]


class RedeemInput(serializers.Serializer):
    quantity = serializers.IntegerField(
        min_value=1, max_value=1, default=1, help_text=_("One voucher per request.")
    )


class VoucherOutput(serializers.ModelSerializer):
    code = serializers.CharField(source="display_code")
    offer = serializers.SerializerMethodField()
    terms = serializers.CharField(source="offer.terms")
    qr_svg_url = serializers.SerializerMethodField()

    class Meta:
        model = Voucher
        fields = [
            "id",
            "code",
            "status",
            "offer",
            "price_coins",
            "expires_at",
            "terms",
            "verified_at",
            "created_at",
            "qr_svg_url",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "merchant": {"type": "string"},
            },
        }
    )
    def get_offer(self, voucher) -> dict:
        return {"id": str(voucher.offer_id), "title": voucher.offer.title, "merchant": voucher.merchant.name}

    @extend_schema_field(serializers.CharField())
    def get_qr_svg_url(self, voucher) -> str:
        from django.urls import reverse

        return reverse("web:voucher-qr", args=[voucher.pk])


# --- verification -------------------------------------------------------------------------------


class VerifyInput(serializers.Serializer):
    code = serializers.CharField(max_length=200, trim_whitespace=True)


class VerifyOutput(serializers.ModelSerializer):
    code = serializers.CharField(source="display_code")
    offer = serializers.CharField(source="offer.title")
    outlet = serializers.CharField(source="verified_outlet.name", default=None)

    class Meta:
        model = Voucher
        fields = ["id", "code", "status", "offer", "price_coins", "yuan_value", "verified_at", "outlet"]


# --- settlement ---------------------------------------------------------------------------------


class SettlementQuery(PeriodQuery):
    merchant = serializers.UUIDField(required=False)
    export = serializers.ChoiceField(
        choices=[("json", "json"), ("csv", "csv"), ("xlsx", "xlsx")], default="json"
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if (attrs["end"] - attrs["start"]).days > 366:
            raise serializers.ValidationError({"end": _("A statement covers at most one year.")})
        return attrs


class SettlementLineOutput(serializers.Serializer):
    merchant_id = serializers.CharField()
    merchant_name = serializers.CharField()
    licence_number = serializers.CharField()
    funding_source = serializers.CharField()
    funding_pool_id = serializers.IntegerField(allow_null=True)
    vouchers = serializers.IntegerField()
    coins = serializers.IntegerField()
    yuan = serializers.DecimalField(max_digits=14, decimal_places=2)


class SettlementOutput(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    lines = SettlementLineOutput(many=True)
    total_vouchers = serializers.IntegerField()
    total_yuan = serializers.DecimalField(max_digits=14, decimal_places=2)


# --- events -------------------------------------------------------------------------------------


class BoothRedeemInput(serializers.Serializer):
    resident_token = serializers.CharField(max_length=300)
    offer = serializers.UUIDField()


class EventStatsOutput(serializers.Serializer):
    redemptions = serializers.IntegerField()
    coins = serializers.IntegerField()
