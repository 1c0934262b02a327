"""Pages: the resident's wallet, and the staff ledger overview."""

from decimal import Decimal

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tanpuhui.accounts.audiences import RESIDENT, STAFF
from tanpuhui.common import units
from tanpuhui.common.scoping import page_for
from tanpuhui.ledger import rules, selectors
from tanpuhui.metering.models import Behaviour
from tanpuhui.tenancy.models import Centre

CHART_WIDTH = 320
BAR_HEIGHT = 14
ROW = 40  # a label line above each bar: long names never run into the bars on a phone


def _chart(rows: list[dict]) -> dict:
    """Server-side SVG geometry for a horizontal bar chart of coins by behaviour."""
    labels = dict(Behaviour.choices)
    top = max((float(r["coins"]) for r in rows), default=0) or 1
    bars = []
    for i, row in enumerate(rows):
        coins = float(row["coins"])
        width = max(2, round(coins / top * (CHART_WIDTH - 90)))
        bars.append(
            {
                "behaviour": row["behaviour"],
                "label": labels.get(row["behaviour"], row["behaviour"]),
                "coins": row["coins"],
                "kg": row["kg"],
                "label_y": i * ROW + 13,
                "y": i * ROW + 19,
                "text_y": i * ROW + 31,
                "width": width,
                "value_x": width + 6,
            }
        )
    return {"bars": bars, "height": max(1, len(bars)) * ROW, "width": CHART_WIDTH}


# Memos written by services in English; what a resident reads instead ("" = nothing to add).
MEMOS = {"conversion": "", "welcome reward": gettext_lazy("Welcome reward"), "demo budget": ""}


def _activity(behaviour: str, awards: list) -> str:
    """One behaviour's part of an earning, in words: "乘地铁 12 次", "骑行 8.4 公里", "家庭节电 8.73 千克"."""
    originals = [a.reduction for a in awards if a.reduction and a.reduction.kind == "original"]
    quantity = sum((r.quantity for r in originals if r.quantity is not None), Decimal(0))
    unit = originals[0].unit if originals else ""
    if behaviour == "metro" and unit == "trip":
        return _("metro %(trips)s") % {"trips": units.trips(quantity)}
    if behaviour == "bus" and unit == "trip":
        return _("bus %(trips)s") % {"trips": units.trips(quantity)}
    if behaviour == "cycling" and unit == "km":
        return _("cycling %(km)s") % {"km": units.count(quantity, "km", -1)}
    if behaviour == "walking" and unit == "step":
        return _("walking %(steps)s") % {"steps": units.count(quantity, "step")}
    label = dict(Behaviour.choices).get(behaviour, "")
    return f"{label} {units.co2e(sum((a.kg_co2e for a in awards), Decimal(0)))}"


def _event(transfer, wallet_id) -> dict:
    """A history line: what happened, in words, with the earning's award lines kept for the details."""
    awards = transfer.award_lines  # from selectors.award_lines_attach
    by_behaviour: dict[str, list] = {}
    for award in awards:
        award.coins = Decimal(award.milli_awarded) / 1000
        by_behaviour.setdefault(award.behaviour, []).append(award)
    memo = MEMOS.get(transfer.memo, transfer.memo)
    what = "、".join(_activity(b, rows) for b, rows in by_behaviour.items()) if awards else str(memo or "")
    campaigns = sorted({a.multiplier.name for a in awards if a.multiplier_id})
    incoming = transfer.credit_id == wallet_id
    return {
        "transfer": transfer,
        "kind": "" if awards else transfer.get_kind_display(),  # an earning says what was done instead
        "what": what,
        "campaigns": campaigns,
        "coins": transfer.amount if incoming else -transfer.amount,
        "incoming": incoming,
        "awards": awards,
    }


def _next_coin(summary: dict, centre) -> dict | None:
    """The fraction carried forward, as what is missing to the next coin (coins and kg CO₂e)."""
    milli = summary["fraction_milli"]
    if not milli or centre is None:
        return None
    missing = Decimal(1000 - milli) / 1000
    rule = rules.rule_in_force(centre=centre)
    kg = missing / rule.coins_per_kg if rule is not None and rule.coins_per_kg else None
    return {"coins": missing, "kg": kg, "have": Decimal(milli) / 1000}


@page_for(RESIDENT)
def wallet_page(request):
    summary = selectors.wallet_summary(request.user)
    page = Paginator(selectors.wallet_transfers(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/wallet.html",
        {
            "summary": summary,
            "page": page,
            "events": [_event(t, summary["account"]) for t in selectors.award_lines_attach(page)],
            "next_coin": _next_coin(summary, request.user.centre),
            "chart": _chart(selectors.earnings_by_behaviour(request.user)),
        },
    )


@page_for(STAFF)
def staff_ledger_page(request):
    rows = selectors.centre_summary(STAFF.scope(Centre.objects.all(), request.user, "pk"))
    province = selectors.provincial_rollup(rows) if len(rows) > 1 else None
    return render(
        request, "ledger/staff.html", {"rows": rows, "province": province, "check": selectors.last_check()}
    )
