"""PostgreSQL array parameters for the ledger's set-based statements, written as array literals.

The bulk statements (``INSERT … SELECT … FROM unnest(%s::bigint[], …)``, ``UPDATE … FROM unnest``)
send tens of thousands of values an array; the driver's generic list adapter inspects and quotes each
value one by one, which cost more than the statement itself. ``array_literal`` writes the array's text
form in one join: numbers as they are, everything else quoted (``"…"`` with ``\\`` and ``"`` escaped,
PostgreSQL's array syntax), ``None`` as ``NULL``. Cast the parameter in SQL (``%s::uuid[]``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any


def _quoted(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def array_literal(values: Iterable[Any]) -> str:
    """The text form of a one-dimensional PostgreSQL array of ``values``.

    >>> array_literal([1, None, 3])
    '{1,NULL,3}'
    >>> array_literal(['a"b', "c,d"])
    '{"a\\\\"b","c,d"}'
    """
    items = list(values)
    if all(type(v) is int for v in items):  # the common case: ids, amounts (bool is not int here)
        return "{" + ",".join(map(str, items)) + "}"
    return "{" + ",".join(map(_quoted, items)) + "}"
