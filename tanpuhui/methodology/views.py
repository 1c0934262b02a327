"""The public methodology page: what residents reach from "explain this figure"; and the staff pages
where a centre's operators (and provincial officers) publish new values of its parameters."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tanpuhui.accounts.audiences import STAFF
from tanpuhui.common.errors import ServiceError
from tanpuhui.common.scoping import PUBLIC, page_for
from tanpuhui.methodology import formulas, selectors, services
from tanpuhui.methodology.forms import ParameterPublishForm
from tanpuhui.methodology.models import Parameter


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


# --- staff: publishing new values -------------------------------------------------------------------


def _publishable(user) -> list[Parameter]:
    """The newest value of every series the user may publish for: their centres' (``can_publish``
    decides per centre) and, for a provincial officer, the regional ones."""
    latest = selectors.parameter_series_latest()
    rows = list(STAFF.scope(latest.filter(centre__isnull=False), user))
    allowed: dict[int, bool] = {}
    for p in rows:
        if p.centre_id not in allowed:
            allowed[p.centre_id] = services.can_publish(user, p.centre)
    found = [p for p in rows if allowed[p.centre_id]]
    if services.can_publish(user, None):
        found = list(latest.filter(centre__isnull=True)) + found
    return found


@page_for(STAFF)
def staff_parameters(request):
    return render(request, "methodology/staff_parameters.html", {"parameters": _publishable(request.user)})


# What the service's refusals mean, in words for the form (the service's own text is for the API).
_SERVICE_PROBLEMS = {
    "unit_mismatch": (
        "unit",
        gettext_lazy("This unit does not measure the same quantity as the current value."),
    ),
    "series_conflict": (
        "valid_from",
        gettext_lazy("A value of this series already starts on or after that date."),
    ),
    "backdated": ("valid_from", gettext_lazy("Published values apply from a future date only.")),
    "source_required": (
        "source_publication",
        gettext_lazy("Name the publication, its publisher and its year."),
    ),
}


@page_for(STAFF)
def staff_parameter_publish(request, pk: int):
    current = next((p for p in _publishable(request.user) if p.pk == pk), None)
    if current is None:
        raise Http404
    initial = {"unit": current.unit, "source_issuer": current.source_issuer}
    form = ParameterPublishForm(request.POST or None, initial=initial, current_unit=current.unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.parameter_publish(
                actor=request.user,
                code=current.code,
                qualifier=current.qualifier,
                region=current.region,
                centre=current.centre,
                value=data["value"],
                unit=data["unit"],
                valid_from=data["valid_from"],
                source_publication=data["source_publication"],
                source_issuer=data["source_issuer"],
                source_year=data["source_year"],
                year=data["year"],
                source_url=data["source_url"],
                derivation=data["derivation"],
                request=request,
            )
        except ServiceError as error:
            field, problem = _SERVICE_PROBLEMS.get(
                error.code, (None, _("The value could not be published. Check the form and try again."))
            )
            form.add_error(field, problem)
        else:
            messages.success(
                request,
                _("The new value of “%(name)s” is published. It applies from %(day)s.")
                % {"name": current.name, "day": data["valid_from"].isoformat()},
            )
            return redirect("web:staff-parameters")
    return render(
        request,
        "methodology/staff_parameter_publish.html",
        {"form": form, "current": current},
        status=400 if form.errors else 200,
    )
