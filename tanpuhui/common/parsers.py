"""JSON parser that refuses what the database or the interpreter would later choke on.

PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate ("\\ud800") cannot be encoded
as UTF-8: both would surface as a 500 deep inside a save. JSON nested thousands of levels deep
exhausts Python's recursion limit in the decoder. Rejecting all three at parse time turns them
into a 400 before anything is written. The walk over the parsed value is iterative, so it cannot
itself run out of stack.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from tanpuhui.common.limits import MAX_JSON_DEPTH


def _too_deep() -> ParseError:
    return ParseError(
        _("The JSON is nested too deeply (at most %(depth)d levels).") % {"depth": MAX_JSON_DEPTH}
    )


def _check_text(value: str) -> None:
    if "\x00" in value:
        raise ParseError(_("Text may not contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParseError(_("Text is not valid Unicode (lone surrogate).")) from exc


def _check(data: Any) -> None:
    """Every string clean, no array or object deeper than MAX_JSON_DEPTH (the outermost is level 1)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise _too_deep()
            if isinstance(value, dict):
                for key, item in value.items():
                    _check_text(key)
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:  # the decoder recursed past the interpreter's limit
            raise _too_deep() from exc
        _check(data)
        return data
