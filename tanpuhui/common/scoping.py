"""The one scoping mechanism: who may call a view (an *audience*) and which rows they see.

An :class:`Audience` is declared once, in the ``audiences.py`` of the app that owns the role, and
registered by name. It carries the two halves of every tenant wall:

- ``allows(user)`` — may this user use views of this audience at all (else 401/403);
- ``scope(queryset, user, lookup)`` — the rows of ``queryset`` this user may see; a row outside the
  scope is a 404, never a 403, so its existence is not revealed.

API views put :class:`AudienceMixin` first in their bases and name their ``audience``; class-based
pages use :class:`AudiencePageMixin`, function pages :func:`page_for`; the back office uses
``common.admin.CentreScopedAdmin`` (the staff audience). Views never filter by centre, owner or
merchant by hand: they call ``self.scoped(queryset)`` or ``AUDIENCE.scope(queryset, user)``.

The generic wall tests (``common/tests/test_walls.py`` for the API, ``test_pages.py`` for pages) read
the audience from every route of the URL conf, so a new app gets its walls by declaring its audience
(and, in ``<app>/tests/walls.py``, how to make a member and an object of another tenant). A route
whose view names no audience fails those tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from rest_framework import permissions

from tanpuhui.common.logcontext import bind_user

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from rest_framework.generics import GenericAPIView

    _ApiBase = GenericAPIView
else:
    _ApiBase = object

Scope = Callable[[QuerySet, Any, str], QuerySet]


def _everything(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return queryset


@dataclass(frozen=True)
class Audience:
    """One kind of caller: a permission check and a queryset scoping function."""

    name: str
    description: str
    allows: Callable[[Any], bool]
    scope_rows: Scope = _everything
    lookup: str = ""
    anonymous: bool = False  # True: the audience includes anonymous visitors (no login asked)

    def scope(self, queryset: QuerySet, user: Any, lookup: str | None = None) -> QuerySet:
        """The rows of ``queryset`` ``user`` may see; ``lookup`` overrides the audience's default path."""
        return self.scope_rows(queryset, user, lookup or self.lookup)

    def admits(self, user: Any) -> bool:
        if not self.anonymous and not getattr(user, "is_authenticated", False):
            return False
        return bool(self.allows(user))


AUDIENCES: dict[str, Audience] = {}


def register(audience: Audience) -> Audience:
    """Declare an audience (once, in ``<app>/audiences.py``); its name must be new."""
    known = AUDIENCES.get(audience.name)
    if known is not None and known is not audience:
        raise ImproperlyConfigured(f"audience {audience.name!r} is declared twice")
    AUDIENCES[audience.name] = audience
    return audience


def audience_of(view: Any) -> Audience | None:
    """The audience a URL pattern's callback declares (API view, class-based or function page)."""
    for candidate in (getattr(view, "view_class", None), getattr(view, "cls", None), view):
        found = getattr(candidate, "audience", None)
        if isinstance(found, Audience):
            return found
    return None


# --- API views -------------------------------------------------------------------------------------


class AudiencePermission(permissions.BasePermission):
    """Lets in the users of the view's audience (anonymous callers of a closed audience get 401)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return view.audience.admits(request.user)


class AudienceMixin(_ApiBase):
    """First base of every API view: ``audience = STAFF`` (and optionally ``scope_lookup``).

    The audience's check comes before the view's own ``permission_classes`` (extra role checks);
    ``get_queryset`` returns only the audience's rows; ``scoped(queryset)`` scopes any other queryset
    the view looks things up in (a centre named in the body, a resident to reward…).
    """

    audience: ClassVar[Audience]
    scope_lookup: ClassVar[str | None] = None
    permission_classes: Sequence[type[permissions.BasePermission]] = ()

    def perform_authentication(self, request: Any) -> None:
        super().perform_authentication(request)
        bind_user(request.user)  # the token's or API key's user, in every later log line

    def get_permissions(self) -> Sequence[Any]:
        checks: list[Any] = [AudiencePermission()]
        checks.extend(super().get_permissions())
        return checks

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset  # the schema generator has no user
        return self.scoped(queryset, self.scope_lookup)

    def scoped(self, queryset: QuerySet, lookup: str | None = None) -> QuerySet:
        return self.audience.scope(queryset, self.request.user, lookup)


# --- pages -----------------------------------------------------------------------------------------


def _refuse(request: HttpRequest, audience: Audience, hide: bool = False) -> HttpResponse | None:
    if audience.admits(request.user):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if hide:
        raise Http404
    raise PermissionDenied


def page_for(
    audience: Audience, *, hide: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """``@page_for(RESIDENT)`` on a function page: anonymous visitors go to the login page, other roles
    get 403 (404 with ``hide=True``: the page does not admit it exists), and the page is classified for
    the page-wall tests."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refused = _refuse(request, audience, hide)
            return refused if refused is not None else view(request, *args, **kwargs)

        guarded.audience = audience  # type: ignore[attr-defined]
        return guarded

    return wrap


class AudiencePageMixin:
    """First base of a class-based page: ``audience = STAFF``; ``get_queryset`` is scoped like the API's."""

    audience: ClassVar[Audience]
    scope_lookup: ClassVar[str | None] = None
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = _refuse(request, self.audience)
        return refused if refused is not None else super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_queryset(self) -> QuerySet:
        return self.scoped(super().get_queryset())  # type: ignore[misc]

    def scoped(self, queryset: QuerySet, lookup: str | None = None) -> QuerySet:
        return self.audience.scope(queryset, self.request.user, lookup or self.scope_lookup)


# --- audiences that need no app --------------------------------------------------------------------

PUBLIC = register(
    Audience("public", "Anybody, signed in or not (public catalogues, sign-in).", allows=bool, anonymous=True)
)
SIGNED_IN = register(Audience("signed_in", "Any signed-in user, whatever the role.", allows=bool))
