"""Codes: the unified social credit code (licence), voucher codes, the resident's personal codes.

Voucher code: 11 random symbols of Crockford's base32 (55 bits from ``secrets``) and one check symbol
(position-weighted sum mod 31: catches almost every single-symbol error and adjacent swap). Shown as ``XXXX-XXXX-XXXX``; input is normalised (case, spaces, hyphens, O→0, I/L→1), so a
mistyped code is refused as malformed before any lookup.

Personal code (shown on the resident's profile and wallet, typed at a counter or booth): 8 random
symbols and one check symbol from ``PERSONAL_ALPHABET`` — digits and capitals without 0, O, 1 and I, so
nothing on the screen can be read two ways. It is issued per ``PERSONAL_CODE_PERIOD`` window (a new one
every few minutes, see ``services.personal_code_current``); the previous window's code is still
accepted for ``PERSONAL_CODE_GRACE``. The QR beside it carries the long signed token, which stays valid
for 12 hours and is what the API accepts as well.
"""

from __future__ import annotations

import io
import re
import secrets

import segno
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# --- unified social credit code (统一社会信用代码, GB 32100-2015) -----------------------------------

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc_is_valid(value: str) -> bool:
    value = (value or "").strip().upper()
    return bool(_USCC_RE.match(value)) and uscc_check_char(value[:17]) == value[17]


def validate_uscc(value: str) -> None:
    if not uscc_is_valid(value):
        raise ValidationError(
            _("Enter a valid 18-character unified social credit code."), code="invalid_licence"
        )


# --- voucher codes ---------------------------------------------------------------------------------

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
BODY_LEN = 11
CODE_LEN = BODY_LEN + 1
_TRANSLATE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _check_symbol(body: str) -> str:
    return ALPHABET[sum((i + 1) * ALPHABET.index(c) for i, c in enumerate(body)) % 31]


def voucher_code_new() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LEN))
    return body + _check_symbol(body)


def voucher_code_normalise(raw: str) -> str | None:
    """The canonical 12-symbol code, or ``None`` if ``raw`` cannot be a voucher code."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    value = re.sub(r"[\s\-]", "", raw).upper().translate(_TRANSLATE)
    if len(value) != CODE_LEN or any(c not in ALPHABET for c in value):
        return None
    if _check_symbol(value[:BODY_LEN]) != value[BODY_LEN]:
        return None
    return value


def qr_svg(data: str, *, scale: int = 6) -> str:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=False, omitsize=True)
    return buffer.getvalue().decode()


def qr_png(data: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


# --- the resident's short personal code ---------------------------------------------------------

PERSONAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTVWXYZ"  # 31 symbols: no 0/O, 1/I, and no U
PERSONAL_BODY_LEN = 8
PERSONAL_CODE_LEN = PERSONAL_BODY_LEN + 1
PERSONAL_AMBIGUOUS = frozenset("0O1I")
PERSONAL_CODE_PERIOD = 5 * 60  # seconds: a new code every five minutes
PERSONAL_CODE_GRACE = 1  # windows: the previous code is still accepted for one more period


def _personal_check(body: str) -> str:
    # weights 1..8 are non-zero mod 31 (prime): every single changed symbol and every swap of two
    # neighbours changes the check symbol
    return PERSONAL_ALPHABET[sum((i + 1) * PERSONAL_ALPHABET.index(c) for i, c in enumerate(body)) % 31]


def personal_code_new() -> str:
    body = "".join(secrets.choice(PERSONAL_ALPHABET) for _ in range(PERSONAL_BODY_LEN))
    return body + _personal_check(body)


def personal_code_normalise(raw: object) -> str | None:
    """The canonical 9-symbol personal code, or ``None`` if ``raw`` cannot be one."""
    if not isinstance(raw, str) or len(raw) > 30:
        return None
    value = re.sub(r"[\s\-]", "", raw).upper()
    if len(value) != PERSONAL_CODE_LEN or any(c not in PERSONAL_ALPHABET for c in value):
        return None
    if _personal_check(value[:PERSONAL_BODY_LEN]) != value[PERSONAL_BODY_LEN]:
        return None
    return value


def looks_personal(raw: object) -> bool:
    """Whether a typed or scanned text is a personal code (short, or the QR's long token)."""
    return isinstance(raw, str) and (
        raw.strip().startswith(RESIDENT_TOKEN_PREFIX) or personal_code_normalise(raw) is not None
    )


def personal_code_display(code: str) -> str:
    """``ABC-DEF-GHJ``: three groups of three are easier to read out and type."""
    return "-".join(code[i : i + 3] for i in range(0, len(code), 3))


def personal_window(at) -> int:
    """The rotation window a moment falls in (whole periods since the epoch)."""
    return int(at.timestamp()) // PERSONAL_CODE_PERIOD


# --- the resident's personal QR (shown on the profile page, scanned at an event booth) -------------

RESIDENT_TOKEN_SALT = "tanpuhui.marketplace.resident-qr"  # noqa: S105 - a namespace, not a secret
RESIDENT_TOKEN_MAX_AGE = 12 * 3600
RESIDENT_TOKEN_PREFIX = "TPH1:"  # noqa: S105


def resident_token(user) -> str:
    return RESIDENT_TOKEN_PREFIX + signing.dumps(str(user.pk), salt=RESIDENT_TOKEN_SALT, compress=False)


def resident_token_read(token: str) -> str | None:
    """The resident's user id in a personal QR token, or ``None`` (forged, expired, malformed)."""
    if not isinstance(token, str) or not token.startswith(RESIDENT_TOKEN_PREFIX) or len(token) > 200:
        return None
    try:
        return signing.loads(
            token[len(RESIDENT_TOKEN_PREFIX) :], salt=RESIDENT_TOKEN_SALT, max_age=RESIDENT_TOKEN_MAX_AGE
        )
    except signing.BadSignature:
        return None
