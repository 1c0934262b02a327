"""Reads: inventories, their stored results, a town's report (sector breakdown, trend, comparison
with the other towns of its city, the difference from the revision it corrects) and the roll-ups."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from tanpuhui.inventories import catalogue as cat
from tanpuhui.inventories.models import Inventory, NotationKey, SectorNode


def inventories() -> QuerySet[Inventory]:
    return Inventory.objects.select_related(
        "town", "town__parent", "centre", "calculation", "gwp_set", "factor_set"
    )


def current_published() -> QuerySet[Inventory]:
    """Published inventories not corrected by a later published revision."""
    corrected = Inventory.objects.filter(supersedes=OuterRef("pk"), status=Inventory.Status.PUBLISHED)
    return inventories().filter(status=Inventory.Status.PUBLISHED).exclude(Exists(corrected))


def result_of(inventory: Inventory) -> dict[str, Any]:
    return json.loads(inventory.calculation.result) if inventory.calculation_id else {}  # type: ignore[union-attr]


def _tree_rows(tree: str, figures: dict[str, Any], keys: dict[tuple[str, str], NotationKey]) -> list[dict]:
    rows = []
    for node in SectorNode.objects.filter(tree=tree):
        value = figures.get(node.code)
        key = keys.get((tree, node.code))
        rows.append(
            {
                "code": node.code,
                "name": node.name,
                "depth": node.code.count("."),
                "value": value,
                "key": key.key if key else ("" if value is not None else "NE"),
                "why": key.explanation if key else "",
            }
        )
    return rows


def report(inventory: Inventory) -> dict[str, Any]:
    """Everything the report page, its API and its exports show — the same figures in each."""
    result = result_of(inventory)
    keys = {(k.tree, k.code): k for k in inventory.notation_keys.all()}
    gpc = result.get("gpc", {})
    gpc_rows = []
    for row in _tree_rows(cat.GPC, {c: v for c, v in gpc.items()}, keys):
        scopes = gpc.get(row["code"], {})
        row.update(
            {"scope1": scopes.get("scope1"), "scope2": scopes.get("scope2"), "scope3": scopes.get("scope3")}
        )
        row["value"] = format(sum((Decimal(v) for v in scopes.values()), Decimal(0)), "f") if scopes else None
        gpc_rows.append(row)
    trend = [
        {"year": other.year, "basic_plus": result_of(other).get("basic_plus")}
        for other in current_published().filter(town_id=inventory.town_id).order_by("year")
    ]
    comparison = [
        {
            "town": other.town.name,
            "code": other.town.code,
            "per_capita": result_of(other).get("per_capita"),
            "per_gdp": result_of(other).get("per_gdp"),
            "basic_plus": result_of(other).get("basic_plus"),
            "this": other.town_id == inventory.town_id,
        }
        for other in current_published().filter(town__parent_id=inventory.town.parent_id, year=inventory.year)
    ]
    return {
        "inventory": inventory,
        "result": result,
        "provincial_rows": _tree_rows(cat.PROVINCIAL, result.get("provincial", {}), keys),
        "gpc_rows": gpc_rows,
        "trend": trend,
        "comparison": sorted(comparison, key=lambda c: c["code"]),
        "difference": difference(inventory),
    }


def difference(inventory: Inventory) -> list[dict[str, Any]]:
    """What a revision changed against the one it corrects: the lines and the totals."""
    old = inventory.supersedes
    if old is None:
        return []
    before = {(r.category, r.subject): r for r in old.rows.all()}
    after = {(r.category, r.subject): r for r in inventory.rows.all()}
    out = []
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        if a is not None and b is not None and a.amount == b.amount:
            continue
        out.append(
            {
                "line": f"{cat.CATEGORY[key[0]].name_zh} / {key[1]}",
                "before": None if a is None else f"{a.quantity.normalize():f} {a.unit}",
                "after": None if b is None else f"{b.quantity.normalize():f} {b.unit}",
            }
        )
    old_total, new_total = result_of(old).get("basic_plus"), result_of(inventory).get("basic_plus")
    if old_total != new_total:
        out.append({"line": "BASIC+", "before": old_total, "after": new_total})
    return out


def roll_up(queryset: QuerySet[Inventory]) -> list[dict[str, Any]]:
    """Current published inventories added up per city and year."""
    totals: dict[tuple[str, int], dict[str, Any]] = {}
    for inventory in queryset:
        city = inventory.town.parent
        while city is not None and city.parent_id is not None:
            city = city.parent
        name = city.name if city else ""
        entry = totals.setdefault(
            (name, inventory.year),
            {"city": name, "year": inventory.year, "towns": 0, "basic_plus": Decimal(0), "population": 0},
        )
        entry["towns"] += 1
        entry["basic_plus"] += Decimal(result_of(inventory).get("basic_plus") or 0)
        entry["population"] += inventory.population or 0
    out = []
    for (_name, _year), entry in sorted(totals.items()):
        entry["basic_plus"] = format(entry["basic_plus"], "f")
        out.append(entry)
    return out
