from django.contrib import admin

from tanpuhui.common.admin import CentreScopedAdmin
from tanpuhui.tenancy.models import Centre, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "kind"]


@admin.register(Centre)
class CentreAdmin(CentreScopedAdmin):
    centre_lookup = "pk"
    list_display = ["code", "name_zh", "name_en", "kind", "status", "region", "parent"]
    list_filter = ["kind", "status", "region"]
    search_fields = ["code", "name_zh", "name_en"]
    change_roles = frozenset()  # centres are created by platform administrators
