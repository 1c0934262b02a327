"""Secrets of the centres' accounts (app secret, token, EncodingAESKey) encrypted at rest with Fernet.

The key is derived (HKDF-SHA256) from ``WECHAT_SECRETS_KEY`` or, when unset, ``SECRET_KEY``; a secret
may instead come from the environment (``WECHAT_<CENTRE>_SECRET`` etc., see ``models.OfficialAccount``).
Nothing here ever returns a secret to a page or an API: only ``services`` and ``client`` read them.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _fernet() -> Fernet:
    material = (getattr(settings, "WECHAT_SECRETS_KEY", "") or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tanpuhui-wechat", info=b"account-secrets").derive(
        material
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def unseal(value: str) -> str:
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        return ""  # the key changed: the operator enters the secret again
