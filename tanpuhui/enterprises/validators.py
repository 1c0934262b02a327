"""The unified social credit code (统一社会信用代码), GB 32100-2015."""

from __future__ import annotations

import re

# 31 characters: digits and capitals without I, O, Z, S, V.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise_credit_code(raw: str) -> str:
    return (raw or "").strip().upper().replace(" ", "")


def credit_code_problem(code: str) -> str | None:
    """``None`` if ``code`` is a well-formed code with the right check character, else the reason."""
    if len(code) != 18:
        return "length"
    if not SHAPE.match(code):
        return "characters"
    if check_character(code[:17]) != code[17]:
        return "check_character"
    return None
