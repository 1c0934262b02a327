from django.contrib import admin

from tanpuhui.common.admin import CentreScopedAdmin
from tanpuhui.enterprises.models import Donation, Enterprise, RetrofitProject


@admin.register(Enterprise)
class EnterpriseAdmin(CentreScopedAdmin):
    list_display = ["name", "credit_code", "centre", "sector", "status"]
    list_filter = ["status", "sector", "centre"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["status", "verified_at", "verified_by"]


@admin.register(RetrofitProject)
class RetrofitProjectAdmin(CentreScopedAdmin):
    list_display = ["title", "enterprise", "centre", "kind", "status", "kg_co2e"]
    list_filter = ["status", "kind", "centre"]
    readonly_fields = [
        "status",
        "kg_co2e",
        "quantification",
        "methodology_version",
        "submitted_at",
        "decided_at",
    ]


@admin.register(Donation)
class DonationAdmin(CentreScopedAdmin):
    change_roles = frozenset()  # donations are made by the enterprise through the service only
    list_display = ["verification_code", "enterprise", "centre", "kg_co2e", "coins", "created_at"]
    readonly_fields = [f.name for f in Donation._meta.fields]
