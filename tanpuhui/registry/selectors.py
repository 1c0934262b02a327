"""Reads of the registry: the public figures, lineage of a block, annual statistics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.html import escape

from tanpuhui.registry.models import (
    LIVE,
    CarbonProject,
    CreditBlock,
    Issuance,
    MonitoringReport,
    RegistryAccount,
    Retirement,
)


def projects() -> QuerySet[CarbonProject]:
    return (
        CarbonProject.objects.select_related("centre", "owner", "methodology")
        .annotate(issued=Sum("issuances__quantity"))
        .order_by("number")
    )


def reports() -> QuerySet[MonitoringReport]:
    return MonitoringReport.objects.select_related("project", "project__centre").prefetch_related(
        "lines", "steps"
    )


def issuances() -> QuerySet[Issuance]:
    return Issuance.objects.select_related("project", "project__methodology").order_by("-created_at")


def retirements() -> QuerySet[Retirement]:
    return Retirement.objects.select_related("block", "account", "block__project").order_by("-created_at")


def holdings_by_kind() -> list[dict[str, Any]]:
    """Active and frozen credits held, per kind of account (no account is named)."""
    rows = (
        CreditBlock.objects.filter(status__in=[CreditBlock.Status.ACTIVE, CreditBlock.Status.FROZEN])
        .values("account__kind")
        .annotate(credits=Sum("quantity"), accounts=Count("account", distinct=True))
        .order_by("account__kind")
    )
    labels = dict(RegistryAccount.Kind.choices)
    return [
        {
            "kind": r["account__kind"],
            "label": str(labels[r["account__kind"]]),
            "credits": r["credits"],
            "accounts": r["accounts"],
        }
        for r in rows
    ]


def lineage(block: CreditBlock) -> list[CreditBlock]:
    """The block's ancestors, from the issued block down to its parent."""
    chain: list[CreditBlock] = []
    current = block.parent
    while current is not None:
        chain.append(current)
        current = current.parent
    return list(reversed(chain))


@dataclass(frozen=True)
class YearFigures:
    year: int
    issued: int
    retired: int
    cancelled: int


def annual_statistics() -> list[YearFigures]:
    """Per calendar year of the event: credits issued, retired, cancelled."""
    issued = dict(
        Issuance.objects.annotate(y=ExtractYear("created_at"))
        .values("y")
        .annotate(s=Sum("quantity"))
        .values_list("y", "s")
    )
    retired = dict(
        Retirement.objects.annotate(y=ExtractYear("created_at"))
        .values("y")
        .annotate(s=Sum("quantity"))
        .values_list("y", "s")
    )
    cancelled = dict(
        CreditBlock.objects.filter(status=CreditBlock.Status.CANCELLED)
        .annotate(y=ExtractYear("created_at"))
        .values("y")
        .annotate(s=Sum("quantity"))
        .values_list("y", "s")
    )
    years = sorted(set(issued) | set(retired) | set(cancelled))
    return [
        YearFigures(y, issued.get(y, 0) or 0, retired.get(y, 0) or 0, cancelled.get(y, 0) or 0) for y in years
    ]


def totals() -> dict[str, int]:
    by_status = dict(
        CreditBlock.objects.filter(LIVE)
        .values("status")
        .annotate(s=Sum("quantity"))
        .values_list("status", "s")
    )
    return {
        "issued": Issuance.objects.aggregate(s=Sum("quantity"))["s"] or 0,
        "active": (by_status.get("active") or 0) + (by_status.get("frozen") or 0),
        "retired": by_status.get("retired") or 0,
        "cancelled": by_status.get("cancelled") or 0,
    }


def chart_svg(figures: list[YearFigures], *, issued_label: str, retired_label: str) -> str:
    """A small server-side bar chart (issued vs retired per year), accessible (role=img, title)."""
    issued_label, retired_label = escape(issued_label), escape(retired_label)
    width, height, pad = 560, 220, 32
    top = max([1] + [max(f.issued, f.retired) for f in figures])
    n = max(1, len(figures))
    slot = (width - 2 * pad) / n
    bar = slot / 3
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{issued_label} / {retired_label}" '
        'class="registry-chart" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{issued_label} / {retired_label}</title>",
    ]
    for i, f in enumerate(figures):
        x = pad + i * slot + bar / 2
        for j, (value, colour) in enumerate(((f.issued, "#1b5e20"), (f.retired, "#0d47a1"))):
            h = (height - 2 * pad) * value / top
            parts.append(
                f'<rect x="{x + j * bar:.1f}" y="{height - pad - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{f.year}: {value}</title></rect>'
            )
        parts.append(
            f'<text x="{x + bar:.1f}" y="{height - pad + 16}" text-anchor="middle" font-size="12" fill="#222">{f.year}</text>'
        )
    parts.append(
        f'<rect x="{pad}" y="6" width="10" height="10" fill="#1b5e20"/><text x="{pad + 14}" y="15" font-size="12" '
        f'fill="#222">{issued_label}</text><rect x="{pad + 150}" y="6" width="10" height="10" fill="#0d47a1"/>'
        f'<text x="{pad + 164}" y="15" font-size="12" fill="#222">{retired_label}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
