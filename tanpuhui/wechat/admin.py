from django.contrib import admin

from tanpuhui.common.admin import CentreScopedAdmin
from tanpuhui.wechat.models import Link, OfficialAccount, Send


@admin.register(OfficialAccount)
class OfficialAccountAdmin(CentreScopedAdmin):
    """Read-only here: accounts are configured on the staff page (secrets write-only, audited)."""

    change_roles = frozenset()
    list_display = ["name", "centre", "app_id", "mode", "enabled"]
    fields = ("centre", "name", "app_id", "mode", "mini_app_id", "templates", "welcome", "enabled")
    readonly_fields = fields


@admin.register(Link)
class LinkAdmin(CentreScopedAdmin):
    change_roles = frozenset()
    centre_lookup = "account__centre"
    list_display = ["resident", "account", "channel", "consent", "followed", "created_at"]
    readonly_fields = [
        "account",
        "channel",
        "openid",
        "unionid",
        "resident",
        "consent",
        "followed",
        "nickname",
    ]


@admin.register(Send)
class SendAdmin(CentreScopedAdmin):
    change_roles = frozenset()
    centre_lookup = "account__centre"
    list_display = ["created_at", "account", "kind", "attempt", "status", "errcode"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Send._meta.fields]
