"""The admin: the published factor and GWP sets and the trees are read here, never edited (a revised set
is a new version in the catalogue and its migration); inventories change only through the services."""

from django.contrib import admin

from tanpuhui.common.admin import CentreScopedAdmin
from tanpuhui.inventories.models import FactorSet, GwpSet, Inventory, SectorMapping, SectorNode, TownDesk


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FactorSet)
class FactorSetAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "name_zh", "source_issuer", "source_year", "base"]


@admin.register(GwpSet)
class GwpSetAdmin(ReadOnlyAdmin):
    list_display = ["code", "ch4", "ch4_fossil", "n2o", "source"]


@admin.register(SectorNode)
class SectorNodeAdmin(ReadOnlyAdmin):
    list_display = ["tree", "code", "name_zh", "name_en"]
    list_filter = ["tree"]


@admin.register(SectorMapping)
class SectorMappingAdmin(ReadOnlyAdmin):
    list_display = ["category", "provincial_code", "gpc_code", "gpc_scope"]


@admin.register(TownDesk)
class TownDeskAdmin(CentreScopedAdmin):
    list_display = ["user", "town"]
    centre_lookup = "town__centre"


@admin.register(Inventory)
class InventoryAdmin(CentreScopedAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    list_display = ["town", "year", "revision", "status", "gwp_set", "published_at"]
    list_filter = ["status", "year"]
    centre_lookup = "centre"
