"""Back-office scoping: every admin class of a tenant-owned model uses ``CentreScopedAdmin``.

Staff see and change only their centres' rows (the ``STAFF`` audience of ``common.scoping``, the same
mechanism as the API and the pages); foreign keys to centres offer only those centres; which staff roles
may view or change is declared on the admin class.
"""

from __future__ import annotations

from django.contrib import admin

from tanpuhui.common.models import AuditEvent
from tanpuhui.common.scoping import AUDIENCES, Audience
from tanpuhui.common.services import audit_record

CENTRE_MODEL = "tenancy.Centre"


class CentreScopedAdmin(admin.ModelAdmin):
    # By name: the staff audience is declared by accounts, above common in the layers.
    audience_name = "staff"
    centre_lookup = "centre"
    view_roles: frozenset[str] | None = None  # None: every member of the audience may look
    change_roles: frozenset[str] = frozenset({"centre_operator"})
    allow_delete = False

    @property
    def audience(self) -> Audience:
        return AUDIENCES[self.audience_name]

    def get_queryset(self, request):
        return self.audience.scope(super().get_queryset(request), request.user, self.centre_lookup)

    def _has(self, request, roles) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or user.has_role(*roles)))

    def _may_view(self, request) -> bool:
        if self.view_roles is None:
            user = request.user
            return bool(user.is_active and (user.is_superuser or self.audience.admits(user)))
        return self._has(request, self.view_roles)

    def has_module_permission(self, request):
        return self._may_view(request)

    def has_view_permission(self, request, obj=None):
        return self._may_view(request)

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
        if db_field.related_model._meta.label == CENTRE_MODEL:
            centres = db_field.related_model.objects.all()
            kwargs["queryset"] = self.audience.scope(centres, request.user, "pk")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AuditEvent)
class AuditEventAdmin(CentreScopedAdmin):
    list_display = ["at", "actor", "centre", "action", "target_type", "target_id", "ip_address"]
    list_filter = ["action"]
    search_fields = ["action", "target_id"]
    change_roles = frozenset()

    def has_change_permission(self, request, obj=None):
        return False
