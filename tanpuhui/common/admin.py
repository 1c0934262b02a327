"""Back-office scoping: every admin class of a tenant-owned model uses ``CentreScopedAdmin``.

Staff see and change only their centres' rows (the ``STAFF`` audience of ``common.scoping``, the same
mechanism as the API and the pages); foreign keys to centres offer only those centres; which staff roles
may view or change is declared on the admin class.
"""

from __future__ import annotations

from django.contrib import admin

from tanpuhui.accounts.audiences import STAFF
from tanpuhui.accounts.models import STAFF_ROLES
from tanpuhui.common.models import AuditEvent
from tanpuhui.common.scoping import Audience
from tanpuhui.common.services import audit_record
from tanpuhui.tenancy.models import Centre


class CentreScopedAdmin(admin.ModelAdmin):
    audience: Audience = STAFF
    centre_lookup = "centre"
    view_roles: frozenset[str] = STAFF_ROLES
    change_roles: frozenset[str] = frozenset({"centre_operator"})
    allow_delete = False

    def get_queryset(self, request):
        return self.audience.scope(super().get_queryset(request), request.user, self.centre_lookup)

    def _has(self, request, roles) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or user.has_role(*roles)))

    def has_module_permission(self, request):
        return self._has(request, self.view_roles)

    def has_view_permission(self, request, obj=None):
        return self._has(request, self.view_roles)

    def has_add_permission(self, request):
        return self._has(request, self.change_roles)

    def has_change_permission(self, request, obj=None):
        return self._has(request, self.change_roles)

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and self._has(request, self.change_roles)

    def centre_of(self, obj):
        """The centre an object belongs to, following ``centre_lookup`` (for the audit log)."""
        if self.centre_lookup == "pk":
            return obj
        for part in self.centre_lookup.split("__"):
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="admin.change" if change else "admin.add",
            target=obj,
            centre=self.centre_of(obj),
            data={"fields": sorted(form.changed_data)},
            request=request,
        )

    def delete_model(self, request, obj):
        audit_record(
            actor=request.user, action="admin.delete", target=obj, centre=self.centre_of(obj), request=request
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Centre:
            kwargs["queryset"] = self.audience.scope(Centre.objects.all(), request.user, "pk")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AuditEvent)
class AuditEventAdmin(CentreScopedAdmin):
    list_display = ["at", "actor", "centre", "action", "target_type", "target_id", "ip_address"]
    list_filter = ["action"]
    search_fields = ["action", "target_id"]
    change_roles = frozenset()

    def has_change_permission(self, request, obj=None):
        return False
