"""The one navigation: every page a user can reach from the shell is declared once, here, by its app.

Each app that has pages declares them in its own ``navigation.py`` with :func:`register`; the shell
(the phone tab bar, the desktop menu and the staff console's side navigation) reads :func:`items_for`
through the ``navigation`` context processor. Who sees an item is decided by the item's *audience*
(``common.scoping``), the same object that guards the page itself, so a link is never shown to someone
the page would refuse.

Areas group the items by the kind of user they serve:

- ``resident`` — the resident's own pages (home, reductions, coins, offers, giving, messages, me);
- ``staff`` — the operation centre's console (dashboard, batches, ledger, approvals, settlement…),
  grouped by ``group`` under headings;
- ``merchant``, ``enterprise``, ``provider`` — the pages of those portals;
- ``public`` — pages for everyone, logged in or not (methodologies, crowdfunding, screens).

On phones at most :data:`MAX_TABS` items with ``tab=True`` form the bottom tab bar of any one user;
the rest sit in the "more" menu. ``tests/test_navigation.py`` checks every declaration: unique keys,
URL names that resolve, audiences that exist, and no user with more than five tabs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import autodiscover_modules

from tanpuhui.common.scoping import AUDIENCES

Area = Literal["resident", "staff", "merchant", "enterprise", "provider", "public"]
AREAS: tuple[str, ...] = ("resident", "staff", "merchant", "enterprise", "provider", "public")
MAX_TABS = 5
# A user's tab bar shows the public tabs and those of one area: the first of these whose audience
# admits the user (a cashier who is also a resident sees the shop's tabs), else the resident's.
TAB_AREA_BY_AUDIENCE: tuple[tuple[str, str], ...] = (
    ("staff", "staff"),
    ("merchant", "merchant"),
    ("enterprise", "enterprise"),
    ("provider", "provider"),
)


@dataclass(frozen=True)
class NavItem:
    """One link of the shell.

    ``label`` and ``group`` are lazy translations (``gettext_lazy``); ``url_name`` a namespaced URL
    name without arguments; ``audience`` the name of a registered audience; ``active_on`` further URL
    names (e.g. a list's detail pages) on which the item is marked current; ``badge`` a function of
    the user giving a count to show (unread messages, items awaiting review) or ``None``.
    """

    key: str
    label: Any
    url_name: str
    audience: str
    area: Area
    order: int = 100
    group: Any = ""
    tab: bool = False
    icon: str = ""
    active_on: tuple[str, ...] = ()
    badge: Callable[[Any], int | None] | None = field(default=None, compare=False)

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def admits(self, user: Any) -> bool:
        audience = AUDIENCES.get(self.audience)
        if audience is None:
            raise ImproperlyConfigured(
                f"navigation item {self.key!r} names unknown audience {self.audience!r}"
            )
        return audience.admits(user)

    def is_active(self, url_name: str | None) -> bool:
        if not url_name:
            return False
        return url_name in (self.url_name, *self.active_on)


ITEMS: dict[str, NavItem] = {}
_discovered = False


def register(*items: NavItem) -> None:
    """Declare pages (once, in ``<app>/navigation.py``); each key must be new."""
    for item in items:
        if item.area not in AREAS:
            raise ImproperlyConfigured(f"navigation item {item.key!r}: unknown area {item.area!r}")
        known = ITEMS.get(item.key)
        if known is not None and known != item:
            raise ImproperlyConfigured(f"navigation item {item.key!r} is declared twice")
        ITEMS[item.key] = item


def discover() -> None:
    """Import every installed app's ``navigation`` module (once)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("navigation")
        _discovered = True


def tab_area(user: Any) -> str:
    """The area whose tabs ``user`` sees on a phone (see :data:`TAB_AREA_BY_AUDIENCE`)."""
    for audience_name, area in TAB_AREA_BY_AUDIENCE:
        audience = AUDIENCES.get(audience_name)
        if audience is not None and audience.admits(user):
            return area
    return "resident"


def items_for(user: Any, *, area: str | None = None, tabs_only: bool = False) -> list[NavItem]:
    """The items ``user`` may follow, in display order; optionally one area's or the tab bar's only."""
    discover()
    tab_areas = ("public", tab_area(user)) if tabs_only else AREAS
    chosen = [
        item
        for item in ITEMS.values()
        if (area is None or item.area == area)
        and (not tabs_only or (item.tab and item.area in tab_areas))
        and item.admits(user)
    ]
    if tabs_only:  # one bar: by order across the two areas, a public tab first on a tie (home leads)
        chosen.sort(key=lambda item: (item.order, item.area != "public", item.key))
    else:
        chosen.sort(key=lambda item: (AREAS.index(item.area), item.order, item.key))
    return chosen


def grouped(items: Iterable[NavItem]) -> list[tuple[Any, list[NavItem]]]:
    """Items grouped under their ``group`` heading, in first-appearance order (the console's sections)."""
    groups: dict[str, tuple[Any, list[NavItem]]] = {}
    for item in items:
        key = str(item.group)
        if key not in groups:
            groups[key] = (item.group, [])
        groups[key][1].append(item)
    return list(groups.values())


@dataclass(frozen=True)
class Link:
    """What a template needs of an item for one request: resolved URL, current or not, badge count."""

    key: str
    label: Any
    url: str
    icon: str
    active: bool
    badge: int | None


def links(items: Sequence[NavItem], user: Any, url_name: str | None) -> list[Link]:
    resolved = []
    for item in items:
        try:
            url = item.url
        except (
            NoReverseMatch
        ) as exc:  # a declaration error: fail loudly in tests, never hide the item silently
            raise ImproperlyConfigured(f"navigation item {item.key!r}: {exc}") from exc
        count = item.badge(user) if item.badge is not None else None
        resolved.append(Link(item.key, item.label, url, item.icon, item.is_active(url_name), count or None))
    return resolved
