from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tanpuhui.common import navigation


def platform(request: HttpRequest) -> dict[str, Any]:
    return {"PLATFORM_NAME": settings.PLATFORM_NAME}


def shell_navigation(request: HttpRequest) -> dict[str, Any]:
    """The shell's links for this user (see ``common.navigation``), computed only if a template asks.

    ``nav_tabs``: the phone tab bar (at most five); ``nav_menu``: every item the user may follow, by
    area; ``nav_console``: the staff console's sections as (heading, links) pairs.
    """
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    url_name = (
        f"{match.namespace}:{match.url_name}"
        if match and match.namespace
        else getattr(match, "url_name", None)
    )

    def tabs() -> list[navigation.Link]:
        return navigation.links(navigation.items_for(user, tabs_only=True), user, url_name)

    def menu() -> list[navigation.Link]:
        return navigation.links(navigation.items_for(user), user, url_name)

    def console() -> list[tuple[Any, list[navigation.Link]]]:
        staff = navigation.items_for(user, area="staff")
        return [
            (heading, navigation.links(items, user, url_name)) for heading, items in navigation.grouped(staff)
        ]

    return {
        "nav_tabs": SimpleLazyObject(tabs),
        "nav_menu": SimpleLazyObject(menu),
        "nav_console": SimpleLazyObject(console),
    }
