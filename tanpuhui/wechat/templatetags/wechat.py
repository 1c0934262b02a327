"""``{% wechat_head %}`` in base.html: inside WeChat's browser, for a signed-in user, load the
JS-SDK (vendored) and the config script; elsewhere nothing."""

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def wechat_head(context) -> str:
    request = context.get("request")
    if request is None or "micromessenger" not in request.headers.get("User-Agent", "").lower():
        return ""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return ""
    return format_html(
        '<meta name="format-detection" content="telephone=no">'
        '<script src="{}" defer></script><script src="{}" defer></script>'
        '<script src="{}" data-wechat-config="{}" defer></script>',
        static("wechat/cjs-shim.js"),
        static("vendor/weixin-js-sdk.js"),
        static("wechat/jssdk.js"),
        reverse("web:wechat-jssdk"),
    )
