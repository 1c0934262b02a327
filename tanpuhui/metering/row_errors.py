"""The one catalogue of row-error messages: a rejected row stores a ``code`` and its ``params``
(``metering.RowError``), and the message is rendered when it is read, in the reader's language.

Both the staged pipeline (``parsing``) and the one-pass load (``fastload``, which judges the rows SQL
refuses with the same converter) raise these codes; a code not listed here is shown as itself.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ROW_ERRORS = {
    "required": _("required"),
    "not_a_number": _("not a number"),
    "not_finite": _("not a finite number"),
    "not_positive": _("must be positive"),
    "too_small": _("too small"),
    "too_large": _("implausibly large (over %(max)s)"),
    "not_a_date": _("not a date (YYYY-MM-DD)"),
    "in_future": _("in the future"),
    "before_2000": _("before 2000"),
    "not_a_datetime": _("not an ISO 8601 date-time"),
    "bad_account": _("missing or longer than 40 characters"),
    "too_long": _("longer than %(n)d characters"),
    "bad_record_id": _("missing, over 64 characters or unusual characters"),
    "bad_revision": _("must be a whole number ≥ 1"),
    "end_before_start": _("before period_start"),
    "period_over_a_year": _("period longer than a year"),
    "unit_not_accepted": _("unit not accepted here"),
    "bad_mode": _("must be bus or metro"),
    "bad_ride_times": _("must be after started_at and within 24 hours"),
    "implausible_speed": _("implausible speed %(speed).1f km/h (limit %(limit).0f)"),
    "bad_steps": _("must be a whole number ≥ 0"),
    "too_many_steps": _("implausibly many steps for one day"),
    "bad_phone": _("not a mainland mobile number"),
    "bad_activity": _("must be afforestation or forest_management"),
    "contains_nul": _("contains a NUL character"),
    "not_utf8": _("not valid UTF-8"),
    "unreadable_row": _("unreadable row: %(error)s"),
    "field_count": _("expected %(want)d fields, got %(got)d"),
    "line_too_long": _("line longer than %(n)d characters"),
    "not_json": _("not valid JSON"),
    "not_json_object": _("not a JSON object"),
}


def row_error_text(code: str, params: dict | None = None) -> str:
    """The message of ``code`` with ``params`` in the active language (the code itself if unknown)."""
    template = ROW_ERRORS.get(code)
    if template is None:
        return code
    text = str(template)
    if not params:
        return text
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return text
