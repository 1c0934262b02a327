"""Back office for metering, centre-scoped: providers, batches, records, forest plots, reductions."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tanpuhui.common.admin import CentreScopedAdmin
from tanpuhui.metering.models import Batch, DataProvider, ForestPlot, Reduction, SourceRecord


class ReadOnlyAdmin(CentreScopedAdmin):
    change_roles = frozenset()

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(DataProvider)
class DataProviderAdmin(CentreScopedAdmin):
    list_display = ["name", "code", "centre", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    readonly_fields = ["service_user"]


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "centre",
        "provider",
        "record_type",
        "status",
        "received",
        "rejected",
        "matched",
        "quantified",
    ]
    list_filter = ["status", "record_type"]
    search_fields = ["sha256", "original_name"]
    date_hierarchy = "created_at"


class MatchedFilter(admin.SimpleListFilter):
    title = _("matched")
    parameter_name = "matched"

    def lookups(self, request, model_admin):
        return [("yes", _("Matched")), ("no", _("Waiting for a binding"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(resident__isnull=False)
        if self.value() == "no":
            return queryset.filter(resident__isnull=True)
        return queryset


@admin.register(SourceRecord)
class SourceRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "external_id",
        "revision",
        "centre",
        "provider",
        "record_type",
        "period_end",
        "quantity",
        "unit",
        "resident",
    ]
    list_filter = [MatchedFilter, "record_type"]
    search_fields = ["external_id"]
    raw_id_fields = ["resident", "batch"]


@admin.register(ForestPlot)
class ForestPlotAdmin(CentreScopedAdmin):
    list_display = ["plot_id", "owner_name", "centre", "forest_type", "area_ha", "owner"]
    search_fields = ["plot_id", "owner_name"]
    raw_id_fields = ["owner"]
    readonly_fields = ["provider", "revision"]


@admin.register(Reduction)
class ReductionAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "centre",
        "resident",
        "behaviour",
        "period_end",
        "kg_co2e",
        "kind",
        "methodology_version",
    ]
    list_filter = ["behaviour", "kind"]
    raw_id_fields = ["resident", "source_record", "adjusts", "batch"]
