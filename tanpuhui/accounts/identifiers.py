"""The one normal form of a login identifier (mobile number or e-mail address).

Every place that stores, looks up or counts an identifier goes through ``normalise_identifier``: the
User manager and ``User.save``, the authentication backend, the lock-out key, registration, merchant
staff creation and the admin user form. Two spellings are therefore one account or none:

* NFKC first: full-width letters and digits (``１３９…``, ``ｐｒｏｂｅ@…``), the long s ``ſ`` and
  other compatibility characters become their plain form, so they reach the same account.
* then case folding (``PROBE@Example.COM`` is ``probe@example.com``) and trimming of surrounding spaces
  (ideographic spaces included: NFKC makes them ASCII spaces first);
* anything still outside ASCII after that is refused for registration and matches no account at
  login: a dotless ``ı``, a Turkish ``İ``, Arabic-Indic digits ``١٢٣`` (NFKC leaves them as they are;
  they are not read as digits), zero-width characters. Stored identifiers are always ASCII.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

PHONE_PATTERN = re.compile(r"1[3-9][0-9]{9}", re.ASCII)

PHONE_MESSAGE = _("Enter an 11-digit mainland mobile number.")
EMAIL_MESSAGE = _("Enter a valid e-mail address (Latin letters, digits and ordinary punctuation only).")


def normalise_identifier(text: str | None) -> str:
    """NFKC, case folding, trimmed; idempotent. Says nothing about validity (see the two below)."""
    value = unicodedata.normalize("NFKC", text or "")
    # Case folding can leave a string that NFKC would change again (and the reverse): repeat to the
    # fixed point so that normalising twice is normalising once. Two rounds suffice in practice.
    for _round in range(4):
        folded = unicodedata.normalize("NFKC", value.casefold()).strip()
        if folded == value:
            break
        value = folded
    return value


def normalise_phone(text: str | None) -> str:
    """The normal form of a mainland mobile number, or ``ValidationError``: 11 ASCII digits after NFKC."""
    value = normalise_identifier(text)
    if not PHONE_PATTERN.fullmatch(value):
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone")
    return value


def normalise_email(text: str | None) -> str:
    """The normal form of an e-mail address, or ``ValidationError``: ASCII only after NFKC + case folding."""
    value = normalise_identifier(text)
    if not value.isascii():
        raise ValidationError(EMAIL_MESSAGE, code="invalid_email")
    try:
        validate_email(value)
    except ValidationError as exc:
        raise ValidationError(EMAIL_MESSAGE, code="invalid_email") from exc
    return value


def validate_phone(value: str) -> None:
    """Model/form validator: ``value`` (as given) normalises to a valid mobile number."""
    normalise_phone(value)
