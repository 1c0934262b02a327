"""What the generated wall tests need to know about each audience, gathered from every context's
``tests/walls.py`` (optional; each may define the three tables below):

``MEMBERS`` — member kind → ``make(centre) -> user``: a user of that kind at ``centre``;
``AUDIENCE_MEMBER`` — audience name → the member kind that belongs to it (None: anonymous visitors);
``OBJECTS`` — (audience name, model) → ``make(owner) -> object``: a row ``owner`` (a member of the
audience) may see. The wall tests make it for a member at a second centre and check that the first
centre's member gets 404.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from tanpuhui.urls import CONTEXTS

MEMBERS: dict[str, Callable[[Any], Any]] = {}
AUDIENCE_MEMBER: dict[str, str | None] = {"public": None, "signed_in": "resident"}
OBJECTS: dict[tuple[str, type], Callable[[Any], Any]] = {}

for _context in CONTEXTS:
    try:
        _module = import_module(f"tanpuhui.{_context}.tests.walls")
    except ModuleNotFoundError as error:
        if error.name != f"tanpuhui.{_context}.tests.walls":
            raise
        continue
    MEMBERS.update(getattr(_module, "MEMBERS", {}))
    AUDIENCE_MEMBER.update(getattr(_module, "AUDIENCE_MEMBER", {}))
    OBJECTS.update(getattr(_module, "OBJECTS", {}))
