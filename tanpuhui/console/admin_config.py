from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    """Django's admin, served by :class:`tanpuhui.console.admin_site.PlatformAdminSite`: platform
    administrators only; centre staff are sent to their console."""

    default_site = "tanpuhui.console.admin_site.PlatformAdminSite"
