from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tanpuhui.accounts import services
from tanpuhui.accounts.identifiers import normalise_email
from tanpuhui.accounts.models import PROVIDER_MANAGER_ROLES, ApiKey, Binding, RoleAssignment, User
from tanpuhui.common.admin import CentreScopedAdmin
from tanpuhui.common.errors import ServiceError


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The back-office login goes through the same lock-out as the web form and the API."""

    username = forms.CharField(label=_("Mobile number or e-mail"), max_length=254)

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = services.login_attempt(
                    request=self.request, username=username, password=password
                )
            except ServiceError as error:
                raise ValidationError(error.message, code=error.code) from error
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


admin.site.login_form = ThrottledAdminAuthenticationForm


@admin.display(description=_("mobile number"))
def masked_phone(user: User) -> str:
    return user.masked_phone


@admin.display(description=_("account or card number"))
def masked_number(binding: Binding) -> str:
    return binding.masked_number


class BindingInline(admin.TabularInline):
    model = Binding
    fields = readonly_fields = ("kind", "number", "label", "created_at", "unbound_at")
    extra = 0
    can_delete = False

    @admin.display(description=_("account or card number"))
    def number(self, binding: Binding) -> str:
        return binding.masked_number

    def has_add_permission(self, request, obj=None):
        return False


class UserAdminForm(forms.ModelForm):
    """The e-mail is taken in its normal form, so a variant spelling of a taken address is "taken"."""

    email = forms.CharField(label=_("e-mail"), max_length=254, required=False)

    class Meta:
        model = User
        fields = ["display_name", "email", "is_active"]

    def clean_email(self):
        email = self.cleaned_data.get("email")
        return normalise_email(email) if email else None


@admin.register(User)
class UserAdmin(CentreScopedAdmin):
    form = UserAdminForm
    list_display = ["display_name", masked_phone, "email", "centre", "date_joined", "is_active"]
    list_filter = ["is_active", "role_assignments__role"]
    search_fields = ["display_name", "phone", "email"]
    fields = ["display_name", "phone", "email", "centre", "is_active", "date_joined", "real_name_verified_at"]
    readonly_fields = ["phone", "centre", "date_joined", "real_name_verified_at"]
    inlines = [BindingInline]

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(Binding)
class BindingAdmin(CentreScopedAdmin):
    list_display = ["resident", "kind", masked_number, "centre", "created_at", "unbound_at"]
    list_filter = ["kind"]
    readonly_fields = ["resident", "centre", "kind", "account_number", "created_at", "unbound_at"]
    change_roles = frozenset()


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(CentreScopedAdmin):
    """Staff see who holds which role; platform administrators grant roles (through ``role_grant``,
    which also opens the back office to staff roles and writes the audit event)."""

    list_display = ["user", "role", "centre", "granted_by", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "centre", "granted_by"]
    search_fields = ["user__display_name", "user__phone", "user__email"]
    raw_id_fields = ["user"]
    fields = ["user", "role", "centre"]
    change_roles = frozenset()

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:  # a grant is never edited in place
            return
        assignment = services.role_grant(
            user=obj.user, role=obj.role, centre=obj.centre, granted_by=request.user
        )
        obj.pk = assignment.pk
        obj._state.adding = False


@admin.register(ApiKey)
class ApiKeyAdmin(CentreScopedAdmin):
    """Keys are issued through the staff API (the plaintext must reach the provider once);
    here staff see them and can rotate or revoke them."""

    centre_lookup = "user__centre"
    list_display = ["name", "prefix", "user", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_select_related = ["user"]
    fields = readonly_fields = (
        "name",
        "prefix",
        "user",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "created_by",
    )
    search_fields = ["name", "prefix", "user__display_name"]
    change_roles = frozenset()
    manage_roles = PROVIDER_MANAGER_ROLES
    actions = ["rotate_keys", "revoke_keys"]

    def has_manage_permission(self, request):
        return self._has(request, self.manage_roles)

    @admin.action(
        description=_("Rotate selected keys (old keys keep working for 24 hours)"), permissions=["manage"]
    )
    def rotate_keys(self, request, queryset):
        for key in queryset:
            try:
                new_key, plaintext = services.api_key_rotate(key=key, actor=request.user)
            except ServiceError as error:
                self.message_user(request, f"{key.prefix}: {error.message}", messages.ERROR)
                continue
            # The only time the new plaintext is ever shown: the operator hands it to the provider.
            self.message_user(
                request,
                _("New key for %(name)s (shown once, copy it now): %(key)s")
                % {"name": new_key.name, "key": plaintext},
                messages.WARNING,
            )

    @admin.action(description=_("Revoke selected keys now"), permissions=["manage"])
    def revoke_keys(self, request, queryset):
        for key in queryset:
            services.api_key_revoke(key=key, actor=request.user)
        self.message_user(
            request,
            ngettext("Revoked %(count)d key.", "Revoked %(count)d keys.", len(queryset))
            % {"count": len(queryset)},
            messages.SUCCESS,
        )
