from django.contrib import admin

from tanpuhui.common.admin import CentreScopedAdmin
from tanpuhui.pilots.models import IndicatorSet, Pilot, Place


@admin.register(Place)
class PlaceAdmin(CentreScopedAdmin):
    list_display = ["code", "name_zh", "kind", "parent", "centre"]
    list_filter = ["kind"]
    search_fields = ["code", "name_zh", "name_en"]
    centre_lookup = "centre"


@admin.register(Pilot)
class PilotAdmin(CentreScopedAdmin):
    list_display = ["name_zh", "level", "designation", "year", "status", "centre"]
    list_filter = ["level", "designation", "status"]
    search_fields = ["name_zh", "name_en", "managing_organisation"]
    readonly_fields = ["status"]
    centre_lookup = "centre"


@admin.register(IndicatorSet)
class IndicatorSetAdmin(admin.ModelAdmin):
    list_display = ["title", "pilot_type", "version", "effective_from"]
