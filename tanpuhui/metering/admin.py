"""Back office for metering, centre-scoped: providers, batches, records, forest plots, reductions."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from tanpuhui.accounts.models import PROVIDER_MANAGER_ROLES
from tanpuhui.accounts.services import provider_key_issue
from tanpuhui.common.admin import CentreScopedAdmin
from tanpuhui.common.errors import ServiceError
from tanpuhui.metering import services
from tanpuhui.metering.models import Batch, DataProvider, ForestPlot, RecordType, Reduction, SourceRecord
from tanpuhui.metering.schemas import PROVIDER_RECORD_TYPES


class ReadOnlyAdmin(CentreScopedAdmin):
    change_roles = frozenset()

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class DataProviderForm(forms.ModelForm):
    record_types = forms.MultipleChoiceField(
        label=_("allowed record types"),
        choices=RecordType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave empty for the record types of the provider's kind."),
    )

    class Meta:
        model = DataProvider
        fields = ["centre", "code", "name", "kind", "record_types", "is_active"]

    def clean_record_types(self):
        return list(self.cleaned_data.get("record_types") or [])


@admin.register(DataProvider)
class DataProviderAdmin(CentreScopedAdmin):
    """Adding a provider creates its service user (``services.provider_create``); the action issues
    an API key, whose plaintext is shown once to hand to the provider."""

    form = DataProviderForm
    list_display = ["name", "code", "centre", "kind", "service_user", "is_active"]
    list_select_related = ["centre", "service_user"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    manage_roles = PROVIDER_MANAGER_ROLES
    actions = ["issue_keys"]

    def get_readonly_fields(self, request, obj=None):
        # The centre and code name the provider's service user: fixed once it exists.
        return ["centre", "code", "service_user"] if obj is not None else []

    def get_fields(self, request, obj=None):
        fields = ["centre", "code", "name", "kind", "record_types", "is_active"]
        return [*fields, "service_user"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if change:
            if not obj.record_types:
                obj.record_types = PROVIDER_RECORD_TYPES.get(obj.kind, [])
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data  # the form checked the centre (scoped choices), kind and unique code
        provider = services.provider_create(
            centre=data["centre"],
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            record_types=data["record_types"] or None,
            actor=request.user,
        )
        if not data.get("is_active", True):
            DataProvider.objects.filter(pk=provider.pk).update(is_active=False)
        obj.pk, obj.service_user, obj.record_types = provider.pk, provider.service_user, provider.record_types
        obj._state.adding = False

    def has_manage_permission(self, request):
        return self._has(request, self.manage_roles)

    @admin.action(description=_("Issue an API key to the selected providers"), permissions=["manage"])
    def issue_keys(self, request, queryset):
        for provider in queryset.select_related("service_user"):
            if provider.service_user is None:
                self.message_user(
                    request, _("%(name)s has no service user.") % {"name": provider.name}, messages.ERROR
                )
                continue
            try:
                _key, plaintext = provider_key_issue(
                    provider=provider.service_user, name="upload", actor=request.user
                )
            except ServiceError as error:
                self.message_user(request, f"{provider.name}: {error.message}", messages.ERROR)
                continue
            # The only time the plaintext is ever shown: the operator hands it to the provider.
            self.message_user(
                request,
                _("API key for %(name)s (shown once, copy it now): %(key)s")
                % {"name": provider.name, "key": plaintext},
                messages.WARNING,
            )


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
