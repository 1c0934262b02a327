"""The bounds every input is held to, declared once (docs/foundation.md, "API errors").

- JSON bodies nest at most ``MAX_JSON_DEPTH`` levels (``common.parsers.StrictJSONParser``).
- A request body (other than a provider file upload, which streams to its own limit) is at most
  ``settings.DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes; more answers 413 ``request_too_large``.
- One coin amount (a price, a target, a pledge, a reward, coins spent…) is a whole number of at most
  ``COINS_MAX`` (10⁹). The ledger stores balances and running totals in 64-bit integers
  (max ≈ 9.2 × 10¹⁸) and milli-coins (×1000) per reduction: overflowing a total would take over nine
  billion maximal amounts into the same account, far beyond anything the scheme issues.
- One yuan amount is at most ``YUAN_MAX`` with two decimals (10¹⁰ − 0.01): the yuan columns hold
  14 digits (10¹² − 0.01), so a single appropriation cannot overflow them.
- Date periods in query parameters lie within ``YEAR_MIN``–``YEAR_MAX`` (``common.fields.PeriodQuery``):
  past that, "the day after the end" no longer exists in Python's calendar.
"""

from __future__ import annotations

from decimal import Decimal

MAX_JSON_DEPTH = 32
COINS_MAX = 10**9
YUAN_MAX = Decimal("9999999999.99")
YEAR_MIN = 1970
YEAR_MAX = 2100
