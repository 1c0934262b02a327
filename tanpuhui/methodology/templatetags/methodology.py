from django import template

from tanpuhui.methodology.formulas import pretty_unit

register = template.Library()


@register.filter
def unit_display(unit: str) -> str:
    return pretty_unit(str(unit))
