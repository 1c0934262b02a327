from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tanpuhui.accounts.models import ApiKey, Binding, User, phone_validator


class RegisterInput(serializers.Serializer):
    centre = serializers.CharField(max_length=10, help_text="Centre code, e.g. GZ")
    phone = serializers.CharField(max_length=11, validators=[phone_validator])
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
    display_name = serializers.CharField(max_length=50)


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text=_("Mobile number or e-mail"))
    password = serializers.CharField(max_length=128, write_only=True)
    client = serializers.CharField(max_length=100, required=False, default="")


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
    expires_in = serializers.IntegerField()


class BindingInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Binding.Kind.choices)
    account_number = serializers.CharField(max_length=40)
    label = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)  # type: ignore[assignment]  # "label" is the API field, not Field.label


class BindingOutput(serializers.ModelSerializer):
    number = serializers.CharField(source="masked_number", help_text="Only the last four characters")

    class Meta:
        model = Binding
        fields = ["id", "kind", "number", "label", "created_at"]


class CentreBrief(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class MeOutput(serializers.ModelSerializer):
    centre = CentreBrief()
    phone = serializers.CharField(source="masked_phone")
    roles = serializers.SerializerMethodField()
    bindings = serializers.SerializerMethodField()
    real_name_verified = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "display_name",
            "phone",
            "email",
            "centre",
            "roles",
            "real_name_verified",
            "date_joined",
            "bindings",
        ]

    def get_roles(self, user) -> list[str]:
        return sorted(user.roles())

    @extend_schema_field(BindingOutput(many=True))
    def get_bindings(self, user) -> list[dict]:
        active = [b for b in user.bindings.all() if b.unbound_at is None]
        return list(BindingOutput(active, many=True).data)

    def get_real_name_verified(self, user) -> bool:
        return user.real_name_verified_at is not None


class MeUpdateInput(serializers.Serializer):
    display_name = serializers.CharField(max_length=50, required=False)
    # Checked (NFKC, case folding, ASCII only) by services.profile_update, the one place for the rule.
    email = serializers.CharField(max_length=254, required=False, allow_null=True)


class RealNameInput(serializers.Serializer):
    full_name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18, min_length=18)


class StaffResidentOutput(serializers.ModelSerializer):
    phone = serializers.CharField(source="masked_phone")
    centre = serializers.CharField(source="centre.code")
    binding_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "display_name",
            "phone",
            "centre",
            "date_joined",
            "real_name_verified_at",
            "is_active",
            "binding_count",
        ]


class StaffBindingOutput(serializers.ModelSerializer):
    number = serializers.CharField(source="masked_number", help_text="Only the last four characters")
    resident = serializers.UUIDField(source="resident_id")
    resident_name = serializers.CharField(source="resident.display_name")
    centre = serializers.CharField(source="centre.code")

    class Meta:
        model = Binding
        fields = [
            "id",
            "kind",
            "number",
            "label",
            "resident",
            "resident_name",
            "centre",
            "created_at",
            "unbound_at",
        ]


class BindingReleaseInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why the binding ends, for the audit log")


class ApiKeyProviderBrief(serializers.Serializer):
    id = serializers.UUIDField()
    display_name = serializers.CharField()
    centre = serializers.CharField(source="centre.code", allow_null=True)


class ApiKeyOutput(serializers.ModelSerializer):
    provider = ApiKeyProviderBrief(source="user")
    status = serializers.SerializerMethodField()

    class Meta:
        model = ApiKey
        fields = [
            "prefix",
            "name",
            "provider",
            "status",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]

    def get_status(self, key) -> str:
        """``active``, ``expiring`` (rotated, in its grace period), ``expired`` or ``revoked``."""
        if key.revoked_at is not None:
            return "revoked"
        if key.expires_at is None:
            return "active"
        return "expiring" if key.is_usable() else "expired"


class ApiKeyIssueInput(serializers.Serializer):
    provider = serializers.UUIDField(help_text="The data provider's service account (a user id)")
    name = serializers.CharField(max_length=100, help_text="What the key is for, e.g. 'monthly meter export'")


class ApiKeyIssuedOutput(serializers.Serializer):
    key = serializers.CharField(
        help_text="The plaintext key `<prefix>.<secret>`: shown this once, never again"
    )
    api_key = ApiKeyOutput()
    previous = ApiKeyOutput(
        required=False, allow_null=True, help_text="On rotation: the old key, now expiring"
    )
