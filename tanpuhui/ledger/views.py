"""Pages: the resident's wallet, and the staff ledger overview."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_noop

from tanpuhui.accounts.audiences import RESIDENT, STAFF
from tanpuhui.common.scoping import page_for
from tanpuhui.ledger import selectors
from tanpuhui.metering.models import Behaviour
from tanpuhui.tenancy.models import Centre

# The nav link labels (tanpuhui/web/templates/includes/nav.html) live in this app's catalogue.
NAV_LABELS = (gettext_noop("My coins"), gettext_noop("Coin ledger"))

CHART_WIDTH = 320
BAR_HEIGHT = 22


def _chart(rows: list[dict]) -> dict:
    """Server-side SVG geometry for a horizontal bar chart of coins by behaviour."""
    labels = dict(Behaviour.choices)
    top = max((float(r["coins"]) for r in rows), default=0) or 1
    bars = []
    for i, row in enumerate(rows):
        coins = float(row["coins"])
        bars.append(
            {
                "label": labels.get(row["behaviour"], row["behaviour"]),
                "coins": row["coins"],
                "kg": row["kg"],
                "y": i * (BAR_HEIGHT + 8),
                "text_y": i * (BAR_HEIGHT + 8) + 15,
                "width": max(2, round(coins / top * (CHART_WIDTH - 150))),
            }
        )
    return {"bars": bars, "height": max(1, len(bars)) * (BAR_HEIGHT + 8), "width": CHART_WIDTH}


@page_for(RESIDENT)
def wallet_page(request):
    summary = selectors.wallet_summary(request.user)
    wallet_id = summary["account"]
    page = Paginator(selectors.wallet_transfers(request.user), 20).get_page(request.GET.get("page"))
    for transfer in page:
        transfer.incoming = transfer.credit_id == wallet_id
    return render(
        request,
        "ledger/wallet.html",
        {"summary": summary, "page": page, "chart": _chart(selectors.earnings_by_behaviour(request.user))},
    )


@page_for(STAFF)
def staff_ledger_page(request):
    rows = selectors.centre_summary(STAFF.scope(Centre.objects.all(), request.user, "pk"))
    province = selectors.provincial_rollup(rows) if len(rows) > 1 else None
    return render(
        request, "ledger/staff.html", {"rows": rows, "province": province, "check": selectors.last_check()}
    )
