"""Back office: merchants, offers, vouchers and verification attempts of the staff member's centres.

Approvals go through the marketplace pages (audited services); the admin is for looking things up, so
vouchers and attempts are read-only here.
"""

from django.contrib import admin

from tanpuhui.common.admin import CentreScopedAdmin
from tanpuhui.marketplace.models import Event, Merchant, Offer, Outlet, VerificationAttempt, Voucher


class OutletInline(admin.TabularInline):
    model = Outlet
    extra = 0


@admin.register(Merchant)
class MerchantAdmin(CentreScopedAdmin):
    list_display = ["name", "centre", "licence_number", "status", "reviewed_at"]
    list_filter = ["status", "centre"]
    search_fields = ["name", "licence_number"]
    readonly_fields = ["status", "reviewed_by", "reviewed_at", "review_reason", "applicant"]
    inlines = [OutletInline]


@admin.register(Offer)
class OfferAdmin(CentreScopedAdmin):
    list_display = [
        "title",
        "merchant",
        "category",
        "price_coins",
        "stock",
        "redeemed",
        "status",
        "valid_until",
    ]
    list_filter = ["status", "category", "centre"]
    search_fields = ["title", "merchant__name"]
    readonly_fields = ["redeemed", "status", "reviewed_by", "reviewed_at", "review_reason"]


@admin.register(Event)
class EventAdmin(CentreScopedAdmin):
    list_display = ["name", "centre", "starts_at", "ends_at"]


class ReadOnlyAdmin(CentreScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    list_display = ["display_code", "offer", "resident", "status", "expires_at", "verified_at"]
    list_filter = ["status", "centre"]
    search_fields = ["code"]


@admin.register(VerificationAttempt)
class VerificationAttemptAdmin(ReadOnlyAdmin):
    centre_lookup = "merchant__centre"
    list_display = ["at", "merchant", "staff", "code_entered", "outcome"]
    list_filter = ["outcome"]
