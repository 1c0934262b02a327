from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tanpuhui.common.admin import CentreScopedAdmin
from tanpuhui.funding.models import Campaign, Cause, CrowdfundingProject, FundingPool
from tanpuhui.funding.selectors import pool_coins_of


@admin.register(FundingPool)
class FundingPoolAdmin(CentreScopedAdmin):
    list_display = ["name_zh", "centre", "source", "budget_yuan", "yuan_spent", "coins_available"]
    list_filter = ["source", "centre"]
    readonly_fields = ["yuan_spent", "coins_available", "budget_yuan"]

    @admin.display(description=_("coins available"))
    def coins_available(self, pool: FundingPool) -> int:
        return pool_coins_of(pool).balance  # the pool's ledger account


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
