"""Six-digit codes sent to a phone to prove it (the two-tap WeChat registration, the mini-program).

The sender is pluggable (``settings.WECHAT_CODE_SENDER``, a dotted path to a class with
``send(phone, code)``): the console sender logs the code, which is what the demo and the tests use; a
deployment plugs its SMS gateway in. Codes live in the cache, hashed, for ten minutes, five tries;
one a minute and ten a day per phone.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

LIFETIME = 600
TRIES = 5
RESEND_AFTER = 60
PER_DAY = 10  # codes per phone per day: with five tries each, at most 50 guesses of a million a day
SENT: list[tuple[str, str]] = []  # the console sender's outbox (tests and the demo read it)


class ConsoleSender:
    def send(self, phone: str, code: str) -> None:
        SENT.append((phone, code))
        del SENT[:-100]
        logger.warning("phone code for %s: %s (console sender: no SMS is sent)", phone[-4:], code)


def _hash(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def issue(phone: str) -> bool:
    """Send a new code; False when one was sent less than a minute ago or ten today (nothing sent)."""
    if not cache.add(f"wechat:code-wait:{phone}", 1, RESEND_AFTER):
        return False
    day = f"wechat:code-day:{phone}"
    cache.add(day, 0, 86400)
    if cache.incr(day) > PER_DAY:
        return False
    code = f"{secrets.randbelow(1_000_000):06d}"
    cache.set(f"wechat:code:{phone}", {"hash": _hash(phone, code), "tries": 0}, LIFETIME)
    import_string(settings.WECHAT_CODE_SENDER)().send(phone, code)
    return True


def check(phone: str, code: str) -> bool:
    """Whether ``code`` is the phone's current code; used up on success, dropped after five tries."""
    key = f"wechat:code:{phone}"
    entry = cache.get(key)
    if not entry:
        return False
    if hmac.compare_digest(entry["hash"], _hash(phone, code.strip())):
        cache.delete(key)
        return True
    entry["tries"] += 1
    if entry["tries"] >= TRIES:
        cache.delete(key)
    else:
        cache.set(key, entry, LIFETIME)
    return False
