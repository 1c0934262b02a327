"""JSON parser that refuses what the database would later choke on.

PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate ("\\ud800") cannot be encoded
as UTF-8: both would surface as a 500 deep inside a save. Rejecting them at parse time
turns them into a 400 before anything is written.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _check(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ParseError(_("Text may not contain NUL characters."))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ParseError(_("Text is not valid Unicode (lone surrogate).")) from exc
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key)
            _check(item)
    elif isinstance(value, list):
        for item in value:
            _check(item)


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _check(data)
        return data
