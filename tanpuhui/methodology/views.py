"""The public methodology page: what residents reach from "explain this figure"."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from tanpuhui.common.scoping import PUBLIC, page_for
from tanpuhui.methodology import formulas, selectors


def _current(values, link, version, today):
    """The values in force today, in the slot's order of region preference (all forest types)."""
    valid = [p for p in values if p.valid_from <= today and (p.valid_to is None or p.valid_to > today)]
    for region in link.region_list:
        found = [
            p
            for p in valid
            if p.region == region
            and (region != "centre" or version.centre_id is None or p.centre_id == version.centre_id)
        ]
        if found:
            return found
    return []


def _versions(methodology, history):
    today = timezone.localdate()
    rows = []
    for version in methodology.versions.all():
        spec = version.formula_spec
        slots = []
        for link in version.slots.all():
            slot = spec.slot(link.slot)
            values = [
                p
                for p in history.get(link.code, [])
                if link.qualifier in ("", "{variant}") or p.qualifier == link.qualifier
            ]
            current = _current(values, link, version, today)
            slots.append(
                {
                    "link": link,
                    "slot": slot,
                    "values": values,
                    "current": current,
                    # one line per distinct value: four centres publishing 0.29 read as one line
                    "distinct": list({(p.value, p.unit, p.issuer): p for p in current}.values()),
                    "per_centre": any(p.centre_id for p in current),
                }
            )
        rows.append(
            {
                "version": version,
                "spec": spec,
                "slots": slots,
                "factors": [s for s in slots if s["slot"].role != "limit"],
                "limits": [s for s in slots if s["slot"].role == "limit"],
                "current": version.effective_from <= today
                and (version.effective_to is None or version.effective_to > today),
            }
        )
    return rows


def _main(rows):
    """The version in force today for every centre (the global one), else the newest."""
    in_force = [r for r in rows if r["current"] and not r["version"].centre_id]
    return (in_force or rows[-1:] or [None])[-1]


@page_for(PUBLIC)
def methodology_list(request):
    methodologies = list(selectors.methodology_list())
    history = selectors.parameters_by_code(methodologies)
    items = []
    for m in methodologies:
        versions = _versions(m, history)
        items.append({"methodology": m, "versions": versions, "main": _main(versions)})
    return render(request, "methodology/list.html", {"items": items, "rounding": formulas.KG})


@page_for(PUBLIC)
def methodology_detail(request, code: str):
    methodology = selectors.methodology_get(code)
    if methodology is None:
        raise Http404
    history = selectors.parameters_by_code([methodology])
    versions = _versions(methodology, history)
    return render(
        request,
        "methodology/detail.html",
        {"methodology": methodology, "versions": versions, "main": _main(versions), "history": history},
    )
