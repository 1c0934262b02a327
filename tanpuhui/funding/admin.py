from django.contrib import admin

from tanpuhui.common.admin import CentreScopedAdmin
from tanpuhui.funding.models import Campaign, Cause, CrowdfundingProject, FundingPool


@admin.register(FundingPool)
class FundingPoolAdmin(CentreScopedAdmin):
    list_display = ["name_zh", "centre", "source", "budget_yuan", "yuan_spent", "coins_balance"]
    list_filter = ["source", "centre"]
    readonly_fields = ["yuan_spent", "coins_balance", "coins_in", "coins_out", "budget_yuan"]


@admin.register(Campaign)
class CampaignAdmin(CentreScopedAdmin):
    list_display = ["name", "centre", "kind", "starts_at", "ends_at", "multiplier", "preview_coins"]
    list_filter = ["kind", "centre"]


@admin.register(CrowdfundingProject)
class CrowdfundingProjectAdmin(CentreScopedAdmin):
    list_display = ["title", "centre", "target_coins", "pledged_coins", "deadline", "status"]
    readonly_fields = ["pledged_coins", "status", "settled_at"]


@admin.register(Cause)
class CauseAdmin(CentreScopedAdmin):
    list_display = ["title", "centre", "kind", "donated_coins", "active"]
    readonly_fields = ["donated_coins"]
