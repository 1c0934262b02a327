from django import template

from tanpuhui.marketplace import codes, services

register = template.Library()


@register.simple_tag(takes_context=True)
def personal_code(context) -> str:
    """The signed-in resident's short personal code for now (``ABC-DEF-GHJ``), issued on first ask."""
    user = context["request"].user
    if not getattr(user, "is_authenticated", False):
        return ""
    return codes.personal_code_display(services.personal_code_current(user=user))
