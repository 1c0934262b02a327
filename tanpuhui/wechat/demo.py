"""Demo: each operating city centre has its service account configured with fake credentials
(safe mode, template ids for every message kind), so the staff page shows a connected account; the
Guangzhou demo resident 13910000001 has linked WeChat (messages on WeChat off, so nothing is sent to
WeChat's real servers from a demo). Idempotent."""

from __future__ import annotations

import base64
import hashlib

from tanpuhui.accounts.demo import resident_phone
from tanpuhui.accounts.models import Role, User
from tanpuhui.notifications.models import Kind
from tanpuhui.tenancy.models import Centre
from tanpuhui.wechat import services
from tanpuhui.wechat.models import Link, OfficialAccount

NAMES = {"GZ": "广州碳普惠", "ZS": "中山碳普惠", "DG": "东莞碳普惠", "HQ": "横琴碳普惠"}


def _fake(code: str, what: str, length: int) -> str:
    """A stable fake value (demo only: WeChat would refuse it)."""
    return hashlib.sha256(f"tanpuhui-demo-{code}-{what}".encode()).hexdigest()[:length]


def _aes_key(code: str) -> str:
    return (
        base64.b64encode(hashlib.sha256(f"tanpuhui-demo-aes-{code}".encode()).digest()).decode().rstrip("=")
    )


def load() -> str:
    configured = 0
    for code, name in NAMES.items():
        centre = Centre.objects.filter(code=code).first()
        operator = (
            User.objects.filter(role_assignments__role=Role.CENTRE_OPERATOR, role_assignments__centre=centre)
            .order_by("phone")
            .first()
        )
        if centre is None or operator is None or OfficialAccount.objects.filter(centre=centre).exists():
            continue
        services.account_configure(
            centre=centre,
            actor=operator,
            name=name,
            app_id="wx" + _fake(code, "app", 16),
            mode="safe",
            secret=_fake(code, "secret", 32),
            token="demo" + _fake(code, "token", 12),
            aes_key=_aes_key(code),
            mini_app_id="wx" + _fake(code, "mini", 16),
            mini_secret=_fake(code, "mini-secret", 32),
            templates={kind: f"demo-{kind}" for kind in Kind.values},
            welcome=f"欢迎关注{name}！低碳出行、节约用电用水，都能获得碳币，兑换商家优惠。",
        )
        configured += 1
    linked = 0
    account = OfficialAccount.objects.filter(centre__code="GZ").first()
    resident = User.objects.filter(phone=resident_phone("GZ", 1)).first()
    if account is not None and resident is not None:
        _link, created = Link.objects.get_or_create(
            account=account,
            channel=Link.Channel.OFFICIAL,
            resident=resident,
            defaults={
                "openid": "oDemo" + _fake("GZ", "openid-1", 23),
                "consent": False,
                "nickname": resident.display_name[:64],
            },
        )
        linked = int(created)
    return f"{configured} WeChat service accounts configured, {linked} resident linked"
