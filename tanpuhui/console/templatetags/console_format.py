"""Numbers on the console with thousands separators in every language (12,345; 1,234.57 t)."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def count(value) -> str:
    """A whole number: 105542 → "105,542"."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""


@register.filter
def tonnes(value, digits: int = 2) -> str:
    """A quantity in tonnes with ``digits`` decimals: Decimal("12345.678") → "12,345.68"."""
    try:
        return f"{Decimal(value):,.{int(digits)}f}"
    except (TypeError, ValueError, ArithmeticError):
        return ""
