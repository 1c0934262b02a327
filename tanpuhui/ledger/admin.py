"""Back office: ledger rows are read-only (coins move only through services); rules are added as new
versions, never edited; campaigns may be added."""

from django.contrib import admin

from tanpuhui.common.admin import CentreScopedAdmin
from tanpuhui.ledger.models import (
    Account,
    CampaignMultiplier,
    CoinAward,
    ConversionCap,
    ConversionRule,
    LedgerCheck,
    Transfer,
)


class ReadOnlyAdmin(CentreScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "centre",
        "kind",
        "user",
        "owner_type",
        "owner_id",
        "code",
        "balance",
        "fraction_milli",
    ]
    list_filter = ["kind", "centre"]
    search_fields = ["=id", "code", "owner_id"]
    raw_id_fields = ["user"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    centre_lookup = "debit__centre"
    list_display = ["id", "created_at", "kind", "debit", "credit", "amount", "cause_type", "cause_id", "memo"]
    list_filter = ["kind"]
    search_fields = ["=id", "idempotency_key", "cause_id"]
    raw_id_fields = ["debit", "credit", "reverses", "actor"]


@admin.register(CoinAward)
class CoinAwardAdmin(ReadOnlyAdmin):
    list_display = [
        "reduction",
        "resident",
        "behaviour",
        "period_end",
        "kg_co2e",
        "factor",
        "milli_awarded",
        "capped_by",
    ]
    list_filter = ["behaviour", "centre"]
    raw_id_fields = ["reduction", "root", "resident", "run"]


class ConversionCapInline(admin.TabularInline):
    model = ConversionCap
    extra = 1


@admin.register(ConversionRule)
class ConversionRuleAdmin(CentreScopedAdmin):
    list_display = ["centre", "version", "effective_from", "coins_per_kg", "expiry_months", "notes"]
    list_filter = ["centre"]
    inlines = [ConversionCapInline]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(CampaignMultiplier)
class CampaignMultiplierAdmin(CentreScopedAdmin):
    """Read-only: multipliers are created by ``ledger.rules`` (funding's campaigns), which keeps the
    one bound and the one overlap policy."""

    list_display = ["centre", "name", "behaviour", "starts_on", "ends_on", "factor"]
    list_filter = ["centre"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(LedgerCheck)
class LedgerCheckAdmin(admin.ModelAdmin):
    list_display = ["ran_at", "ok", "accounts_checked", "total_balance"]

    def has_module_permission(self, request):
        return bool(request.user.is_active and request.user.is_superuser)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
