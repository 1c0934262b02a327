from django import template

from tanpuhui.marketplace import codes

register = template.Library()


@register.simple_tag(takes_context=True)
def personal_token(context) -> str:
    """The signed personal code of the signed-in resident (the text inside their personal QR)."""
    user = context["request"].user
    return codes.resident_token(user) if getattr(user, "is_authenticated", False) else ""
