from django.contrib import admin

from tanpuhui.accounts.models import ApiKey, Binding, RoleAssignment, User
from tanpuhui.common.admin import CentreScopedAdmin


class BindingInline(admin.TabularInline):
    model = Binding
    fields = ["kind", "masked_number", "label", "created_at", "unbound_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(CentreScopedAdmin):
    list_display = ["display_name", "masked_phone", "email", "centre", "date_joined", "is_active"]
    list_filter = ["is_active", "role_assignments__role"]
    search_fields = ["display_name", "phone", "email"]
    fields = ["display_name", "phone", "email", "centre", "is_active", "date_joined", "real_name_verified_at"]
    readonly_fields = ["phone", "centre", "date_joined", "real_name_verified_at"]
    inlines = [BindingInline]

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(Binding)
class BindingAdmin(CentreScopedAdmin):
    list_display = ["resident", "kind", "masked_number", "centre", "created_at", "unbound_at"]
    list_filter = ["kind"]
    readonly_fields = ["resident", "centre", "kind", "account_number", "created_at", "unbound_at"]
    change_roles = frozenset()


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(CentreScopedAdmin):
    list_display = ["user", "role", "centre", "created_at"]
    list_filter = ["role"]
    change_roles = frozenset()


@admin.register(ApiKey)
class ApiKeyAdmin(CentreScopedAdmin):
    centre_lookup = "user__centre"
    list_display = ["name", "prefix", "user", "created_at", "expires_at", "revoked_at", "last_used_at"]
    fields = ["name", "prefix", "user", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = fields
    change_roles = frozenset()
