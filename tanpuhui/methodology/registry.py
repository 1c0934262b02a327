"""The factor registry: which method and which values apply to a behaviour, centre and date.

CONTRACT (metering's bulk quantification and enterprise retrofits call this; extend, don't rename):

``resolve(*, behaviour, centre_id, on, variant="") -> ResolvedMethod``
    The methodology version effective on ``on`` (a centre-specific version wins over the global
    one), with every formula slot filled by the parameter valid on ``on``. Raises
    ``MethodUnavailable`` (422, code "method_unavailable") when no version or a parameter is
    missing. ``variant`` selects qualified parameters (the forest type of a forest sink).

``ResolvedMethod`` (frozen):
    version_id, methodology_code, behaviour, version_label, formula, quantity_unit, config,
    params {slot: Decimal in the slot's canonical unit}, param_ids {slot: Parameter id},
    units {slot: canonical unit}, limits {slot: Decimal} (plausibility limits, role "limit");
    ``sql(columns=None) -> (sql, params)``: a PostgreSQL/SQLite expression computing kg CO₂e
    (4 places, ROUND_HALF_UP) from the columns ``quantity``, ``baseline``, ``distance_km``;
    ``evaluate(*, quantity, baseline=None, distance_km=None) -> Decimal``: the same in Python;
    ``inputs_snapshot() -> dict``: JSON-ready evidence (values as strings, units, sources, ids).

``windows(*, behaviour, centre_id, start, end, variant="") -> list[Window]``
    For set-based quantification: consecutive date ranges ``[start, end)`` within which resolve()
    gives the same answer, each with its ResolvedMethod (or the MethodUnavailable error), so one
    ``INSERT … SELECT`` per window covers every row dated in it.

``factor(*, code, on, region="south_china_grid", centre_id=None, qualifier="") -> ResolvedFactor``
    A single parameter for other contexts (enterprise retrofits): value, unit, source, id —
    "electricity" and "natural_gas" are aliases of the grid and gas factors.

Resolution never depends on when it is called, only on the data and ``on``; and publishing
services only add values and versions from dates that have not yet happened, so what resolve()
returned for a past date stays what it returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q

from tanpuhui.common.errors import Unprocessable
from tanpuhui.methodology import formulas
from tanpuhui.methodology.models import Methodology, MethodologyVersion, Parameter, VersionParameter


class MethodUnavailable(Unprocessable):
    default_code = "method_unavailable"


# Energy-carrier aliases for ``factor()``: carrier → parameter code.
FACTOR_ALIASES = {
    "electricity": "grid_ef",
    "grid": "grid_ef",
    "natural_gas": "natural_gas_ef",
    "gas": "natural_gas_ef",
}


@dataclass(frozen=True)
class ResolvedMethod:
    version_id: int
    methodology_code: str
    behaviour: str
    version_label: str
    formula: str
    quantity_unit: str
    params: dict[str, Decimal]
    param_ids: dict[str, int]
    units: dict[str, str]
    config: dict[str, Any] = field(default_factory=dict)
    centre_id: int | None = None  # the version's centre (None: the global version)
    variant: str = ""
    sources: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)

    @property
    def spec(self) -> formulas.Formula:
        return formulas.formula_get(self.formula)

    @property
    def limits(self) -> dict[str, Decimal]:
        return {
            s.name: self.params[s.name]
            for s in self.spec.slots
            if s.role == "limit" and s.name in self.params
        }

    def sql(self, columns: Mapping[str, str] | None = None) -> tuple[str, list]:
        return self.spec.sql(self.params, self.config, columns=columns)

    def evaluate(self, *, quantity, baseline=None, distance_km=None) -> Decimal:
        return self.spec.evaluate(
            self.params, self.config, quantity=quantity, baseline=baseline, distance_km=distance_km
        )

    def inputs_snapshot(self) -> dict[str, Any]:
        return {
            "methodology": self.methodology_code,
            "behaviour": self.behaviour,
            "version_id": self.version_id,
            "version": self.version_label,
            "version_centre_id": self.centre_id,
            "formula": self.formula,
            "quantity_unit": self.quantity_unit,
            "config": self.config,
            "variant": self.variant,
            "rounding": "kg CO2e, 4 decimal places, ROUND_HALF_UP",
            "params": {
                slot: {
                    "value": format(value, "f"),
                    "unit": self.units[slot],
                    "parameter_id": self.param_ids[slot],
                    **self.sources.get(slot, {}),
                }
                for slot, value in sorted(self.params.items())
            },
        }


@dataclass(frozen=True)
class ResolvedFactor:
    id: int
    code: str
    value: Decimal
    unit: str
    region: str
    year: int | None
    source: str
    source_url: str = ""
    qualifier: str = ""

    def to(self, unit: str) -> Decimal:
        """This value expressed in ``unit`` (raises ``formulas.UnitMismatch`` if impossible)."""
        return formulas.convert(self.value, self.unit, unit)


def _valid_on(on: date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))


def _effective_on(on: date) -> Q:
    return Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gt=on))


def version_effective(*, behaviour: str, centre_id: int | None, on: date) -> MethodologyVersion:
    methodology = Methodology.objects.filter(behaviour=behaviour).first()
    if methodology is None:
        raise MethodUnavailable(
            f"No methodology for behaviour {behaviour!r}.", fields={"behaviour": [behaviour]}
        )
    versions = methodology.versions.filter(_effective_on(on))
    version = None
    if centre_id is not None:
        version = versions.filter(centre_id=centre_id).order_by("-effective_from", "-id").first()
    if version is None:
        version = versions.filter(centre__isnull=True).order_by("-effective_from", "-id").first()
    if version is None:
        raise MethodUnavailable(
            f"No version of {methodology.code} is effective on {on}.",
            fields={"behaviour": [behaviour], "on": [on.isoformat()]},
        )
    version.methodology = methodology
    return version


def parameter_lookup(
    *, code: str, regions: list[str], centre_id: int | None, on: date, qualifier: str = ""
) -> Parameter | None:
    """The value of ``code`` valid on ``on`` in the first of ``regions`` that has one."""
    base = Parameter.objects.filter(_valid_on(on), code=code, qualifier=qualifier)
    for region in regions:
        if region == Parameter.Region.CENTRE:
            if centre_id is None:
                continue
            candidates = base.filter(region=region, centre_id=centre_id)
        else:
            candidates = base.filter(region=region)
        found = candidates.order_by("-valid_from", "-id").first()
        if found is not None:
            return found
    return None


def _source(parameter: Parameter) -> dict[str, Any]:
    return {
        "code": parameter.code,
        "qualifier": parameter.qualifier,
        "region": parameter.region,
        "centre_id": parameter.centre_id,
        "year": parameter.year,
        "source_value": format(formulas.canonical_decimal(parameter.value), "f"),
        "source_unit": parameter.unit,
        "publication": parameter.source_publication,
        "issuer": parameter.source_issuer,
        "source_year": parameter.source_year,
        "url": parameter.source_url,
    }


def resolve(*, behaviour: str, centre_id: int | None, on: date, variant: str = "") -> ResolvedMethod:
    version = version_effective(behaviour=behaviour, centre_id=centre_id, on=on)
    spec = formulas.formula_get(version.formula)
    links = {link.slot: link for link in VersionParameter.objects.filter(version=version)}
    params: dict[str, Decimal] = {}
    ids: dict[str, int] = {}
    units: dict[str, str] = {}
    sources: dict[str, dict[str, Any]] = {}
    for slot in spec.slots:
        link = links.get(slot.name)
        if link is None:
            raise MethodUnavailable(
                f"Version {version} does not name a parameter for {slot.name!r}.",
                fields={"slot": [slot.name]},
            )
        qualifier = variant if link.qualifier == "{variant}" else link.qualifier
        if link.qualifier == "{variant}" and not variant:
            raise MethodUnavailable(
                f"{version.methodology.code} needs a variant (e.g. the forest type).",
                fields={"variant": [""]},
            )
        parameter = parameter_lookup(
            code=link.code, regions=link.region_list, centre_id=centre_id, on=on, qualifier=qualifier
        )
        if parameter is None:
            raise MethodUnavailable(
                f"No value of {link.code}{'/' + qualifier if qualifier else ''} in {link.regions} is valid on {on}.",
                fields={"parameter": [link.code], "on": [on.isoformat()]},
            )
        try:
            params[slot.name] = formulas.convert(parameter.value, parameter.unit, slot.unit)
        except formulas.UnitMismatch as exc:
            raise MethodUnavailable(
                str(exc), code="unit_mismatch", fields={"parameter": [link.code]}
            ) from exc
        ids[slot.name] = parameter.pk
        units[slot.name] = slot.unit
        sources[slot.name] = _source(parameter)
    return ResolvedMethod(
        version_id=version.pk,
        methodology_code=version.methodology.code,
        behaviour=version.methodology.behaviour,
        version_label=version.label,
        formula=version.formula,
        quantity_unit=spec.quantity_unit,
        params=params,
        param_ids=ids,
        units=units,
        config=spec.validate_config(version.config or {}),
        centre_id=version.centre_id,
        variant=variant,
        sources=sources,
    )


@dataclass(frozen=True)
class Window:
    """Rows dated ``start <= d < end`` resolve to ``method`` (``None``: ``error`` says why)."""

    start: date
    end: date
    method: ResolvedMethod | None
    error: MethodUnavailable | None = field(default=None, compare=False)


def resolution_edges(*, behaviour: str, centre_id: int | None = None, any_centre: bool = False) -> set[date]:
    """Dates where what ``resolve`` returns for ``behaviour`` may change: every version's and every
    parameter's window edge. Versions of ``centre_id`` and global ones count — or of every centre with
    ``any_centre`` (a superset, for callers that resolve many centres at once)."""
    versions = MethodologyVersion.objects.filter(methodology__behaviour=behaviour)
    if not any_centre:
        versions = versions.filter(Q(centre__isnull=True) | Q(centre_id=centre_id))
    edges: set[date] = set()
    for effective_from, effective_to in versions.values_list("effective_from", "effective_to"):
        edges.update(d for d in (effective_from, effective_to) if d)
    codes = VersionParameter.objects.filter(version__in=versions).values_list("code", flat=True)
    for valid_from, valid_to in Parameter.objects.filter(code__in=codes).values_list(
        "valid_from", "valid_to"
    ):
        edges.update(d for d in (valid_from, valid_to) if d)
    return edges


def windows(
    *, behaviour: str, centre_id: int | None, start: date, end: date, variant: str = ""
) -> list[Window]:
    """Split ``[start, end)`` where the version or any parameter it may use changes."""
    if end <= start:
        return []
    points = {start} | resolution_edges(behaviour=behaviour, centre_id=centre_id)
    cuts = sorted(d for d in points if start <= d < end)
    result: list[Window] = []
    for i, cut in enumerate(cuts):
        until = cuts[i + 1] if i + 1 < len(cuts) else end
        try:
            method, error = resolve(behaviour=behaviour, centre_id=centre_id, on=cut, variant=variant), None
        except MethodUnavailable as exc:
            method, error = None, exc
        if result and result[-1].method == method and (method is not None or result[-1].error is not None):
            result[-1] = Window(result[-1].start, until, method, result[-1].error)
        else:
            result.append(Window(cut, until, method, error))
    return result


def factor(
    *,
    code: str,
    on: date,
    region: str = "south_china_grid",
    centre_id: int | None = None,
    qualifier: str = "",
) -> ResolvedFactor:
    """One parameter valid on ``on``: ``factor(code="electricity", on=d)`` → the South China grid
    factor. ``region`` may be a comma-separated preference list ("centre,south_china_grid",
    with ``centre_id``); a code with no value in ``region`` falls back to "national"."""
    parameter_code = FACTOR_ALIASES.get(code, code)
    regions = [r.strip() for r in region.split(",") if r.strip()]
    if Parameter.Region.NATIONAL not in regions:
        regions.append(Parameter.Region.NATIONAL)
    parameter = parameter_lookup(
        code=parameter_code, regions=regions, centre_id=centre_id, on=on, qualifier=qualifier
    )
    if parameter is None:
        raise MethodUnavailable(
            f"No value of {parameter_code} in {region} is valid on {on}.",
            fields={"code": [code], "on": [on.isoformat()]},
        )
    return ResolvedFactor(
        id=parameter.pk,
        code=parameter.code,
        value=formulas.canonical_decimal(parameter.value),
        unit=parameter.unit,
        region=parameter.region,
        year=parameter.year,
        source=parameter.source_label,
        source_url=parameter.source_url,
        qualifier=parameter.qualifier,
    )
