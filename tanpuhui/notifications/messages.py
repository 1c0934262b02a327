"""How a notification reads: title, sentence and link, in the reader's language, from the facts the
row keeps. Numbers are grouped by thousands (``number_format``); units are words (千克, 次, 枚)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tanpuhui.notifications.models import Kind, Notification


def _count(behaviour: str, n: int) -> str:
    """One behaviour's records in words: "乘地铁 39 次" / "rode the metro 39 times"."""
    shown = number_format(n, force_grouping=True)
    phrases = {
        "metro": ngettext("rode the metro %(n)s time", "rode the metro %(n)s times", n),
        "bus": ngettext("took the bus %(n)s time", "took the bus %(n)s times", n),
        "cycling": ngettext("cycled %(n)s time", "cycled %(n)s times", n),
        "walking": ngettext("walked on %(n)s day", "walked on %(n)s days", n),
        "electricity_saving": ngettext(
            "saved electricity in %(n)s billing period", "saved electricity in %(n)s billing periods", n
        ),
        "water_saving": ngettext(
            "saved water in %(n)s billing period", "saved water in %(n)s billing periods", n
        ),
        "gas_saving": ngettext("saved gas in %(n)s billing period", "saved gas in %(n)s billing periods", n),
        "afforestation": ngettext(
            "%(n)s forest survey of your planting", "%(n)s forest surveys of your planting", n
        ),
        "forest_management": ngettext(
            "%(n)s forest survey of your woodland", "%(n)s forest surveys of your woodland", n
        ),
    }
    phrase = phrases.get(behaviour) or ngettext("%(n)s record", "%(n)s records", n)
    return phrase % {"n": shown}


def coins_text(coins: int) -> str:
    return ngettext("%(n)s coin", "%(n)s coins", abs(coins)) % {
        "n": number_format(abs(coins), force_grouping=True)
    }


def kg_text(kg: Decimal | None) -> str:
    return _("%(kg)s kg") % {"kg": number_format(kg or Decimal(0), decimal_pos=2, force_grouping=True)}


def _when(value) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATE_FORMAT") if value else ""


def _sentences(first: str, second: str) -> str:
    return _("%(first)s %(second)s") % {"first": first, "second": second}


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    url: str
    icon: str


def describe(n: Notification) -> Message:
    if n.kind in (Kind.COINS_EARNED, Kind.COINS_CORRECTED):
        order = {b: i for i, b in enumerate(_ORDER)}
        counts = sorted((n.counts or {}).items(), key=lambda item: order.get(item[0], 99))
        done = _(", ").join(_count(b, int(c)) for b, c in counts)
        if n.kind == Kind.COINS_EARNED:
            title = _("You earned %(coins)s") % {"coins": coins_text(n.coins)}
            body = _("You %(done)s, avoiding %(kg)s of CO₂.") % {"done": done, "kg": kg_text(n.kg_co2e)}
        else:
            title = _("Correction: %(coins)s taken back") % {"coins": coins_text(n.coins)}
            body = _("A provider corrected records (%(done)s).") % {"done": done}
        if n.matched_late:
            body = _sentences(
                body, _("These records arrived before you bound your card or account and are now yours.")
            )
        elif n.subject:
            body = _sentences(body, _("New data from %(provider)s.") % {"provider": n.subject})
        return Message(title, body, reverse("web:my-reductions"), "coin")
    if n.kind == Kind.VOUCHER_ISSUED:
        return Message(
            _("Redeemed: %(offer)s") % {"offer": n.subject},
            _("You spent %(coins)s. Show the code at the counter before %(date)s.")
            % {"coins": coins_text(n.coins), "date": _when(n.due_at)},
            reverse("web:voucher-detail", args=[n.target_id]),
            "ticket",
        )
    if n.kind == Kind.VOUCHER_USED:
        return Message(
            _("Used: %(offer)s") % {"offer": n.subject},
            _("The shop accepted your voucher on %(date)s. Enjoy!")
            % {"date": _when(n.due_at or n.created_at)},
            reverse("web:voucher-detail", args=[n.target_id]),
            "ticket",
        )
    if n.kind == Kind.VOUCHER_EXPIRING:
        return Message(
            _("Expiring soon: %(offer)s") % {"offer": n.subject},
            _("Use your voucher before %(date)s.") % {"date": _when(n.due_at)},
            reverse("web:voucher-detail", args=[n.target_id]),
            "clock",
        )
    if n.kind == Kind.PLEDGE_SUCCEEDED:
        return Message(
            _("Funded: %(project)s") % {"project": n.subject},
            _("The project reached its target; your %(coins)s now support it.")
            % {"coins": coins_text(n.coins)},
            reverse("web:crowdfunding-detail", args=[n.target_id]),
            "heart",
        )
    return Message(
        _("Not funded: %(project)s") % {"project": n.subject},
        _("The project missed its target; your %(coins)s are back in your wallet.")
        % {"coins": coins_text(n.coins)},
        reverse("web:crowdfunding-detail", args=[n.target_id]),
        "heart",
    )


_ORDER = (
    "metro",
    "bus",
    "cycling",
    "walking",
    "electricity_saving",
    "water_saving",
    "gas_saving",
    "afforestation",
    "forest_management",
)
