"""Back office: read-only history for staff; new values and versions only through the services.

- Every staff role sees the whole registry (global rows and every centre's, as the public does).
- "Add parameter" publishes through ``services.parameter_publish`` (a new row that supersedes the
  open one); an existing parameter is never editable. Centre operators publish for their centre,
  provincial officers and superusers also globally — the service decides and says no otherwise.
- Versions are published with ``services.version_publish`` (API/shell); in the admin they are
  read-only, except for superusers correcting a version nobody has used yet (the model refuses
  edits of a version in use).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from tanpuhui.accounts.audiences import STAFF
from tanpuhui.accounts.models import STAFF_ROLES, Role
from tanpuhui.common.errors import ServiceError
from tanpuhui.methodology import formulas, services
from tanpuhui.methodology.models import Methodology, MethodologyVersion, Parameter, VersionParameter
from tanpuhui.tenancy.models import Centre


class RegistryAdmin(admin.ModelAdmin):
    """Staff may read everything; only what a subclass allows can be written."""

    def _staff(self, request) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or user.has_role(*STAFF_ROLES)))

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionParameterInline(admin.TabularInline):
    model = VersionParameter
    extra = 0
    fields = ["slot", "code", "regions", "qualifier"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Methodology)
class MethodologyAdmin(RegistryAdmin):
    list_display = ["code", "behaviour", "name_zh", "name_en"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(MethodologyVersion)
class MethodologyVersionAdmin(RegistryAdmin):
    list_display = ["methodology", "label", "formula", "centre", "effective_from", "effective_to"]
    list_filter = ["methodology", "formula", "centre"]
    inlines = [VersionParameterInline]
    readonly_fields = ["methodology", "formula", "centre", "effective_to", "published_by"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and (obj is None or not obj.in_use())


class ParameterPublishForm(forms.ModelForm):
    source_url = forms.URLField(required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Parameter
        fields = [
            "code",
            "qualifier",
            "name_zh",
            "name_en",
            "value",
            "unit",
            "region",
            "centre",
            "year",
            "source_publication",
            "source_issuer",
            "source_year",
            "source_url",
            "derivation",
            "valid_from",
        ]

    def clean_unit(self):
        unit = self.cleaned_data["unit"]
        try:
            formulas.parse_unit(unit)
        except formulas.UnitMismatch as exc:
            raise forms.ValidationError(str(exc)) from exc
        return unit

    def clean(self):
        """Publish through the service (inside the admin's transaction); its refusal is a form error."""
        data = super().clean()
        if self.errors or self.instance.pk:
            return data
        try:
            self.published = services.parameter_publish(actor=self.request.user, request=self.request, **data)
        except ServiceError as error:
            for field, problems in error.fields.items():
                if field in self.fields:
                    self.add_error(field, [str(p) for p in problems])
            raise forms.ValidationError(error.message, code=error.code) from error
        return data


@admin.register(Parameter)
class ParameterAdmin(RegistryAdmin):
    list_display = [
        "code",
        "qualifier",
        "value",
        "unit",
        "region",
        "centre",
        "year",
        "valid_from",
        "valid_to",
        "source_issuer",
        "source_year",
    ]
    list_filter = ["code", "region", "centre"]
    search_fields = ["code", "name_zh", "name_en", "source_publication", "source_issuer"]
    readonly_fields = ["superseded_by", "valid_to", "published_by", "created_at"]
    form = ParameterPublishForm

    def has_add_permission(self, request):
        user = request.user
        return bool(
            user.is_active
            and (user.is_superuser or user.has_role(Role.CENTRE_OPERATOR, Role.PROVINCIAL_OFFICER))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request
        if "centre" in form.base_fields:
            form.base_fields["centre"].queryset = STAFF.scope(Centre.objects.all(), request.user, "pk")
        return form

    def save_model(self, request, obj, form, change):
        if change or getattr(form, "published", None) is None:
            raise PermissionDenied
        obj.pk = form.published.pk
        obj._state.adding = False
        self.message_user(
            request, _("Published; the earlier value of this series is superseded from that date.")
        )

    def save_related(self, request, form, formsets, change):
        pass
