"""Template helpers of the shell: inline SVG icons for navigation items and the phone's "more" list.

``{% icon link.icon %}`` draws the icon a ``NavItem`` names (``NavItem.icon``); an unknown or empty
name draws a neutral dot, so a new page never breaks the tab bar. Icons are 24×24 outlines drawn in
``currentColor`` and hidden from screen readers (the link's label is the accessible name).

``nav_menu|not_in:nav_tabs`` keeps the menu links that are not already tabs (the phone's "more"
sheet); it also accepts the console's ``(heading, links)`` sections.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# One path (or a few) per icon, stroke-drawn on a 24×24 grid. Add a name here when a page needs one.
ICONS: dict[str, str] = {
    "home": '<path d="M3 11 12 4l9 7"/><path d="M5 10v10h14V10"/><path d="M10 20v-6h4v6"/>',
    "leaf": '<path d="M5 19c0-8 5-14 15-15 0 10-5 15-13 15"/><path d="M5 19c3-4 6-7 10-9"/>',
    "coin": '<circle cx="12" cy="12" r="8"/><path d="M9.5 9.5h4a1.75 1.75 0 0 1 0 3.5h-3a1.75 1.75 0 0 0 '
    '0 3.5h4"/><path d="M12 7.5v1.5M12 16.5V18"/>',
    "gift": '<rect x="4" y="10" width="16" height="10" rx="1"/><path d="M3 7h18v3H3zM12 7v13"/>'
    '<path d="M12 7c-2-4-6-3-5 0M12 7c2-4 6-3 5 0"/>',
    "ticket": '<path d="M4 7h16v3a2 2 0 0 0 0 4v3H4v-3a2 2 0 0 0 0-4z"/><path d="M14 7v10" '
    'stroke-dasharray="2 2"/>',
    "heart": '<path d="M12 20s-7-4.5-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.5-7 10-7 10z"/>',
    "user": '<circle cx="12" cy="8" r="4"/><path d="M4 20c1-4 4-6 8-6s7 2 8 6"/>',
    "book": '<path d="M4 5c3-1 5-1 8 1v14c-3-2-5-2-8-1z"/><path d="M20 5c-3-1-5-1-8 1v14c3-2 5-2 8-1z"/>',
    "shop": '<path d="M4 9l1.5-5h13L20 9"/><path d="M4 9h16v2a3 3 0 0 1-5 1 3 3 0 0 1-6 0 3 3 0 0 1-5-1z"/>'
    '<path d="M5 12v8h14v-8M10 20v-5h4v5"/>',
    "scan": '<path d="M4 8V5h3M17 5h3v3M20 16v3h-3M7 19H4v-3"/><path d="M4 12h16"/>',
    "chart": '<path d="M4 20h16"/><path d="M7 20v-6M12 20V8M17 20v-9"/>',
    "factory": '<path d="M3 20V10l5 3V10l5 3V6h4l1 14z"/><path d="M3 20h18"/>',
    "bell": '<path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z"/><path d="M10 20a2 2 0 0 0 4 0"/>',
    "dashboard": '<rect x="4" y="4" width="7" height="7" rx="1"/><rect x="13" y="4" width="7" height="4" '
    'rx="1"/><rect x="13" y="10" width="7" height="10" rx="1"/><rect x="4" y="13" width="7" height="7" rx="1"/>',
    "upload": '<path d="M12 16V4M7 9l5-5 5 5"/><path d="M4 16v4h16v-4"/>',
    "check": '<path d="M5 12l5 5L20 7"/>',
    "list": '<path d="M9 6h11M9 12h11M9 18h11"/><circle cx="5" cy="6" r="1"/><circle cx="5" cy="12" r="1"/>'
    '<circle cx="5" cy="18" r="1"/>',
    "menu": '<path d="M4 7h16M4 12h16M4 17h16"/>',
    "globe": '<circle cx="12" cy="12" r="8"/><path d="M4 12h16M12 4c3 3 3 13 0 16M12 4c-3 3-3 13 0 16"/>',
    "login": '<path d="M10 17l5-5-5-5M15 12H3"/><path d="M14 4h5v16h-5"/>',
    "logout": '<path d="M15 17l5-5-5-5M20 12H8"/><path d="M10 4H5v16h5"/>',
    "close": '<path d="M6 6l12 12M18 6 6 18"/>',
}
FALLBACK = '<circle cx="12" cy="12" r="3"/>'


@register.simple_tag
def icon(name: str = "", size: int = 24) -> SafeString:
    """An inline outline icon (decorative: ``aria-hidden``), drawn in the text colour."""
    body = ICONS.get(name or "", FALLBACK)
    return format_html(
        '<svg class="icon" aria-hidden="true" focusable="false" width="{}" height="{}" viewBox="0 0 24 24" '
        'fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" '
        'stroke-linejoin="round">{}</svg>',
        size,
        size,
        mark_safe(body),  # the constant paths above, never user input
    )


def _keys(links: Iterable[Any]) -> set[str]:
    keys: set[str] = set()
    for entry in links or ():
        if isinstance(entry, tuple):  # a console section: (heading, links)
            keys |= {link.key for link in entry[1]}
        else:
            keys.add(entry.key)
    return keys


@register.filter
def not_in(links: Iterable[Any], others: Iterable[Any]) -> list[Any]:
    """``links`` without those (by key) already in ``others`` (links, or console sections)."""
    taken = _keys(others)
    return [link for link in links or () if link.key not in taken]
