"""Quantification formulas: each written ONCE, as a small expression tree.

CONTRACT (metering and enterprises rely on it; extend, don't rename):

- ``FORMULAS``: ``{code: Formula}``. A formula names its ``quantity_unit`` (the canonical unit the
  row's ``quantity`` must be in), its parameter ``slots`` (each with a canonical unit) and builds an
  expression from a version's ``config``.
- One expression tree gives both the Python value (``evaluate``, for explanations and tests) and the
  SQL text (``sql``, for set-based quantification in PostgreSQL / SQLite), so the two cannot drift.
- Row columns an expression may read: ``quantity`` (numeric, canonical unit), ``baseline``
  (numeric or NULL, the baseline quantity of utility savings, computed by metering) and
  ``distance_km`` (numeric or NULL).
- The result is kg CO₂e, never negative for non-negative inputs, rounded to 4 decimal places with
  ROUND_HALF_UP (PostgreSQL's ROUND(numeric, 4) rounds halves away from zero: the same thing for
  the non-negative figures formulas produce). A NULL (missing baseline, …) yields 0.
- Parameters enter SQL as bound ``CAST(%s AS NUMERIC)`` placeholders, in the order of the text.
  Only +, −, ×, CASE and COALESCE are used — no division — so PostgreSQL's exact NUMERIC arithmetic
  equals Python's Decimal arithmetic digit for digit (tests prove it with hypothesis). SQLite (the
  demo) computes in floating point: close, not bit-exact.

Units: ``UNITS`` is the one pint registry. CO₂e mass has its own dimension (``kg_co2e``, ``t_co2e``,
``g_co2e``), so a plain mass ("kg") is never silently taken for CO₂e; ``trip`` and ``step`` are
counting dimensions; ``pkm`` (passenger-kilometre) is a kilometre travelled by one passenger.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import Any

import pint
from django.utils.translation import gettext_lazy as _

# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------

UNITS: pint.UnitRegistry = pint.UnitRegistry(non_int_type=Decimal)
UNITS.define("kg_co2e = [co2e] = kgCO2e")
UNITS.define("t_co2e = 1000 * kg_co2e = tCO2e")
UNITS.define("g_co2e = 0.001 * kg_co2e = gCO2e")
UNITS.define("trip = [trip]")
UNITS.define("step = [step]")
UNITS.define("pkm = kilometer = passenger_km")

KG = Decimal("0.0001")  # result precision: 4 decimal places of kg CO₂e
PARAM_PLACES = Decimal("1e-12")  # canonical parameter values are quantised to 12 places
_WIDE = Context(prec=60)


class UnitMismatch(ValueError):
    """A value's unit cannot be converted to the unit a formula expects."""


_PRETTY = (
    ("kg_co2e", "kg CO₂e"),
    ("t_co2e", "t CO₂e"),
    ("g_co2e", "g CO₂e"),
    ("**3", "³"),
    ("**2", "²"),
    ("hectare", "ha"),
    ("dimensionless", ""),
    ("*", "·"),
)


def pretty_unit(unit: str) -> str:
    """For people: "kg_co2e/m**3" → "kg CO₂e/m³" (the stored unit string stays pint's)."""
    for raw, nice in _PRETTY:
        unit = unit.replace(raw, nice)
    return unit


def parse_unit(unit: str) -> pint.Unit:
    try:
        return UNITS.parse_units(unit.strip() or "dimensionless")
    except (
        pint.errors.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        AssertionError,
        ValueError,
    ) as exc:
        raise UnitMismatch(f"Unknown unit {unit!r}: {exc}") from exc


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit``; raises ``UnitMismatch`` if impossible.

    ``convert(Decimal("0.5703"), "t_co2e/MWh", "kg_co2e/kWh") == Decimal("0.5703")``.
    """
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    try:
        with localcontext(_WIDE):
            magnitude = UNITS.Quantity(Decimal(value), source).to(target).magnitude
    except pint.errors.DimensionalityError as exc:
        raise UnitMismatch(f"Cannot express {from_unit!r} as {to_unit!r}: the dimensions differ") from exc
    return canonical_decimal(Decimal(magnitude))


def canonical_decimal(value: Decimal) -> Decimal:
    """Quantise to 12 places and strip trailing zeros: the form parameters take in formulas."""
    with localcontext(_WIDE):
        quantised = Decimal(value).quantize(PARAM_PLACES, rounding=ROUND_HALF_UP)
    if quantised == 0:
        return Decimal(0)
    normal = quantised.normalize()
    exponent = normal.as_tuple().exponent  # an int for a finite number
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal  # 1E+2 → 100


def round_kg(value: Decimal | None) -> Decimal:
    """The one rounding rule: 4 decimal places of kg CO₂e, ROUND_HALF_UP; ``None`` → 0."""
    if value is None:
        return Decimal("0.0000")
    with localcontext(_WIDE):
        return Decimal(value).quantize(KG, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------
# Expression tree (one definition → Python value and SQL text)
# --------------------------------------------------------------------------------------------

COLUMNS = ("quantity", "baseline", "distance_km")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


class Expr:
    def value(self, row: Mapping[str, Decimal | None], params: Mapping[str, Decimal]) -> Decimal | None:
        raise NotImplementedError

    def sql(self, columns: Mapping[str, str], params: Mapping[str, Decimal], out: list) -> str:
        raise NotImplementedError

    def __add__(self, other: Expr) -> Expr:
        return Arith("+", self, other)

    def __sub__(self, other: Expr) -> Expr:
        return Arith("-", self, other)

    def __mul__(self, other: Expr) -> Expr:
        return Arith("*", self, other)


@dataclass(frozen=True)
class Col(Expr):
    name: str

    def value(self, row, params):
        raw = row.get(self.name)
        return None if raw is None else Decimal(raw)

    def sql(self, columns, params, out):
        return columns[self.name]


@dataclass(frozen=True)
class Param(Expr):
    name: str

    def value(self, row, params):
        return params[self.name]

    def sql(self, columns, params, out):
        out.append(params[self.name])
        return "CAST(%s AS NUMERIC)"


@dataclass(frozen=True)
class Num(Expr):
    number: Decimal

    def value(self, row, params):
        return self.number

    def sql(self, columns, params, out):
        out.append(self.number)
        return "CAST(%s AS NUMERIC)"


@dataclass(frozen=True)
class Arith(Expr):
    op: str
    left: Expr
    right: Expr

    def value(self, row, params):
        a, b = self.left.value(row, params), self.right.value(row, params)
        if a is None or b is None:
            return None  # SQL: NULL op x = NULL
        if self.op == "+":
            return a + b
        if self.op == "-":
            return a - b
        return a * b

    def sql(self, columns, params, out):
        left = self.left.sql(columns, params, out)
        right = self.right.sql(columns, params, out)
        return f"({left} {self.op} {right})"


@dataclass(frozen=True)
class Coalesce(Expr):
    first: Expr
    second: Expr

    def value(self, row, params):
        a = self.first.value(row, params)
        return a if a is not None else self.second.value(row, params)

    def sql(self, columns, params, out):
        return f"COALESCE({self.first.sql(columns, params, out)}, {self.second.sql(columns, params, out)})"


@dataclass(frozen=True)
class AtLeast:
    """Condition ``left >= right`` with SQL's three-valued logic (NULL → not taken)."""

    left: Expr
    right: Expr
    strict: bool = False

    def holds(self, row, params) -> bool:
        a, b = self.left.value(row, params), self.right.value(row, params)
        if a is None or b is None:
            return False
        return a > b if self.strict else a >= b

    def sql(self, columns, params, out) -> str:
        op = ">" if self.strict else ">="
        return f"{self.left.sql(columns, params, out)} {op} {self.right.sql(columns, params, out)}"


@dataclass(frozen=True)
class Case(Expr):
    whens: tuple[tuple[AtLeast, Expr], ...]
    otherwise: Expr

    def value(self, row, params):
        for condition, result in self.whens:
            if condition.holds(row, params):
                return result.value(row, params)
        return self.otherwise.value(row, params)

    def sql(self, columns, params, out):
        parts = ["CASE"]
        for condition, result in self.whens:
            parts.append(
                f"WHEN {condition.sql(columns, params, out)} THEN {result.sql(columns, params, out)}"
            )
        parts.append(f"ELSE {self.otherwise.sql(columns, params, out)} END")
        return " ".join(parts)


ZERO = Num(Decimal(0))
Q, B, D = Col("quantity"), Col("baseline"), Col("distance_km")


def greatest(a: Expr, b: Expr) -> Expr:
    return Case(((AtLeast(a, b), a),), b)


def least(a: Expr, b: Expr) -> Expr:
    return Case(((AtLeast(b, a), a),), b)


# --------------------------------------------------------------------------------------------
# Formulas
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A named parameter a formula needs, in its canonical unit.

    ``role``: "factor" (enters the kg figure), "default" (used when a row lacks a value) or
    "limit" (a plausibility limit metering applies to reject or flag records; not in the figure).
    """

    name: str
    unit: str
    role: str = "factor"
    description: Any = ""  # lazy translation


@dataclass(frozen=True)
class Formula:
    code: str
    quantity_unit: str
    slots: tuple[Slot, ...]
    build: Callable[[Mapping[str, Any]], Expr] = field(repr=False)
    name: Any = ""  # lazy translation
    words: Any = ""  # the formula in words (lazy translation), shown on the public page
    uses_baseline: bool = False
    uses_distance: bool = False
    config_keys: tuple[str, ...] = ()

    def slot(self, name: str) -> Slot:
        for slot in self.slots:
            if slot.name == name:
                return slot
        raise KeyError(name)

    def validate_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        unknown = set(config) - set(self.config_keys)
        if unknown:
            raise ValueError(f"Formula {self.code} takes no configuration {sorted(unknown)}")
        clean = dict(config)
        if "tiers" in config:
            clean["tiers"] = [str(t) for t in parse_tiers(config["tiers"])]
        return clean

    def expression(self, config: Mapping[str, Any] | None = None) -> Expr:
        return self.build(self.validate_config(config or {}))

    def evaluate(
        self,
        params: Mapping[str, Decimal],
        config: Mapping[str, Any] | None = None,
        *,
        quantity: Decimal | int | str,
        baseline: Decimal | int | str | None = None,
        distance_km: Decimal | int | str | None = None,
    ) -> Decimal:
        row = {
            "quantity": _dec(quantity),
            "baseline": None if baseline is None else _dec(baseline),
            "distance_km": None if distance_km is None else _dec(distance_km),
        }
        with localcontext(_WIDE):
            return round_kg(self.expression(config).value(row, params))

    def sql(
        self,
        params: Mapping[str, Decimal],
        config: Mapping[str, Any] | None = None,
        *,
        columns: Mapping[str, str] | None = None,
    ) -> tuple[str, list]:
        names = {name: name for name in COLUMNS}
        for key, column in (columns or {}).items():
            if key not in names or not _IDENTIFIER.match(column):
                raise ValueError(f"Bad column mapping {key!r} → {column!r}")
            names[key] = column
        out: list = []
        body = self.expression(config).sql(names, params, out)
        zero = ZERO.sql(names, params, out)
        return f"ROUND(CAST(COALESCE({body}, {zero}) AS NUMERIC), 4)", out


def _dec(value: Decimal | int | str) -> Decimal:
    try:
        result = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation as exc:
        raise ValueError(f"Not a number: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"Not a finite number: {value!r}")
    return result


def parse_tiers(raw: Sequence[Any]) -> list[Decimal]:
    """Tier thresholds as fractions, e.g. ["0.05", "0.10", "0.15"]: strictly increasing, in (0, 1)."""
    try:
        tiers = [Decimal(str(t)) for t in raw]
    except (InvalidOperation, TypeError) as exc:
        raise ValueError("Tiers must be decimal fractions such as 0.05") from exc
    if not tiers or any(not (0 < t < 1) for t in tiers) or tiers != sorted(set(tiers)):
        raise ValueError("Tiers must be strictly increasing fractions between 0 and 1")
    return tiers


def _saving(factor: Expr, config: Mapping[str, Any]) -> Expr:
    """max(0, baseline − quantity) × factor; or, with tiers, baseline × highest tier reached × factor."""
    saving = B - Q
    if "tiers" not in config:
        return Case(((AtLeast(saving, ZERO, strict=True), saving * factor),), ZERO)
    tiers = sorted(parse_tiers(config["tiers"]), reverse=True)
    return Case(tuple((AtLeast(saving, B * Num(t)), B * Num(t) * factor) for t in tiers), ZERO)


SAVING_WORDS = _(
    "Saving = max(0, baseline − actual) × emission factor. The baseline is the same billing period's "
    "average of the previous two years (prorated), or the centre's default where history is missing. "
    "Where a centre configures tiers (e.g. 5 / 10 / 15 %), the credited saving is the baseline × the "
    "highest tier reached, and nothing below the first tier."
)

FORMULAS: dict[str, Formula] = {}


def _register(formula: Formula) -> Formula:
    FORMULAS[formula.code] = formula
    return formula


_register(
    Formula(
        code="utility_saving_kwh",
        quantity_unit="kWh",
        slots=(Slot("factor", "kg_co2e/kWh", description=_("grid emission factor")),),
        build=lambda config: _saving(Param("factor"), config),
        name=_("Electricity saving against a baseline"),
        words=SAVING_WORDS,
        uses_baseline=True,
        config_keys=("tiers",),
    )
)
_register(
    Formula(
        code="utility_saving_m3",
        quantity_unit="m**3",
        slots=(Slot("factor", "kg_co2e/m**3", description=_("emission factor per cubic metre")),),
        build=lambda config: _saving(Param("factor"), config),
        name=_("Gas (or water) saving against a baseline"),
        words=SAVING_WORDS,
        uses_baseline=True,
        config_keys=("tiers",),
    )
)
_register(
    Formula(
        code="water_saving_supply_energy",
        quantity_unit="m**3",
        slots=(
            Slot("supply_intensity", "kWh/m**3", description=_("electricity to supply one m³ of tap water")),
            Slot("grid_ef", "kg_co2e/kWh", description=_("grid emission factor")),
        ),
        build=lambda config: _saving(Param("supply_intensity") * Param("grid_ef"), config),
        name=_("Water saving, valued by the electricity of the local water supply"),
        words=_(
            "Saving = max(0, baseline − actual) m³ × the local supply's electricity intensity (kWh/m³) "
            "× the grid emission factor (kg/kWh). Tiers work as for electricity."
        ),
        uses_baseline=True,
        config_keys=("tiers",),
    )
)
_register(
    Formula(
        code="transit_per_trip",
        quantity_unit="trip",
        slots=(Slot("trip_factor", "kg_co2e/trip", description=_("reduction per trip")),),
        build=lambda config: Q * Param("trip_factor"),
        name=_("Public transport, per trip"),
        words=_("Reduction = number of trips × the published reduction per trip."),
    )
)
_register(
    Formula(
        code="transit_distance",
        quantity_unit="trip",
        slots=(
            Slot("baseline_factor", "kg_co2e/km", description=_("baseline mode, per passenger-km")),
            Slot("mode_factor", "kg_co2e/km", description=_("the transit mode, per passenger-km")),
            Slot("default_distance", "km", role="default", description=_("distance per trip when missing")),
        ),
        build=lambda config: (
            Coalesce(D, Q * Param("default_distance"))
            * greatest(Param("baseline_factor") - Param("mode_factor"), ZERO)
        ),
        name=_("Public transport, by distance"),
        words=_(
            "Reduction = distance (from the record, else trips × the default trip distance) × "
            "max(0, baseline-mode factor − transit-mode factor), both per passenger-km."
        ),
        uses_distance=True,
    )
)
_register(
    Formula(
        code="active_travel",
        quantity_unit="km",
        slots=(
            Slot(
                "substituted_factor",
                "kg_co2e/km",
                description=_("the mode a ride replaces, per passenger-km"),
            ),
            Slot(
                "substitution_share", "dimensionless", description=_("share of rides that replace that mode")
            ),
            Slot(
                "max_daily_km", "km", role="limit", description=_("plausible distance per resident and day")
            ),
            Slot("max_speed_kmh", "km/hour", role="limit", description=_("plausible average speed")),
        ),
        build=lambda config: Q * Param("substituted_factor") * Param("substitution_share"),
        name=_("Cycling, by distance"),
        words=_(
            "Reduction = distance (km) × the emission factor of the mode a ride replaces × the share of "
            "rides that really replace it. Records above the daily distance or speed limits are "
            "rejected or flagged."
        ),
    )
)
_WALK_WORDS = _(
    "Reduction = min(daily cap, distance × substituted-mode factor × substitution share). "
    "One record is one resident-day."
)
_register(
    Formula(
        code="walking_distance",
        quantity_unit="km",
        slots=(
            Slot("substituted_factor", "kg_co2e/km", description=_("the mode a walk replaces")),
            Slot("substitution_share", "dimensionless", description=_("share of walks that replace it")),
            Slot("daily_cap", "kg_co2e", description=_("cap per resident and day")),
            Slot("max_daily_km", "km", role="limit", description=_("plausible distance per day")),
        ),
        build=lambda config: least(
            Q * Param("substituted_factor") * Param("substitution_share"), Param("daily_cap")
        ),
        name=_("Walking, by distance"),
        words=_WALK_WORDS,
    )
)
_register(
    Formula(
        code="walking_steps",
        quantity_unit="step",
        slots=(
            Slot("step_factor", "kg_co2e/step", description=_("credit per step")),
            Slot("daily_cap", "kg_co2e", description=_("cap per resident and day")),
            Slot("max_daily_steps", "step", role="limit", description=_("plausible steps per day")),
        ),
        build=lambda config: least(Q * Param("step_factor"), Param("daily_cap")),
        name=_("Walking, by steps"),
        words=_("Reduction = min(daily cap, steps × credit per step). One record is one resident-day."),
    )
)
_register(
    Formula(
        code="forest_sink",
        quantity_unit="hectare*year",
        slots=(Slot("sink_per_ha", "kg_co2e/hectare/year", description=_("annual sink per hectare")),),
        build=lambda config: Q * Param("sink_per_ha"),
        name=_("Forest carbon sink"),
        words=_(
            "Sink = area (ha) × years × the annual carbon sink per hectare of the plot's forest type, "
            "from surveyed, registered plots."
        ),
    )
)

_register(
    Formula(
        code="forest_stock_growth",
        quantity_unit="hectare*year",
        slots=(
            Slot("stock_growth", "m**3/hectare/year", description=_("annual growth of the stock volume")),
            Slot(
                "bef",
                "dimensionless",
                description=_("biomass expansion factor (stem to whole tree above ground)"),
            ),
            Slot("root_shoot", "dimensionless", description=_("root-to-shoot ratio")),
            Slot("wood_density", "kg/m**3", description=_("basic wood density")),
            Slot("carbon_fraction", "dimensionless", description=_("carbon fraction of dry matter")),
            Slot("co2_per_carbon", "kg_co2e/kg", description=_("CO₂ per carbon, 44/12")),
            Slot(
                "max_sink_per_ha",
                "kg_co2e/hectare/year",
                role="limit",
                description=_("plausible sink per hectare and year"),
            ),
        ),
        # area·years × growth × BEF × (1 + R) × D × CF × 44/12, with (1 + R) multiplied out.
        build=lambda config: (
            Q
            * Param("stock_growth")
            * Param("bef")
            * (Num(Decimal(1)) + Param("root_shoot"))
            * Param("wood_density")
            * Param("carbon_fraction")
            * Param("co2_per_carbon")
        ),
        name=_("Forest sink by forest type (stock-volume growth)"),
        words=_(
            "Sink = area (ha) × years × annual stock-volume growth × biomass expansion factor × "
            "(1 + root-to-shoot ratio) × basic wood density × carbon fraction × 44/12, each per forest type."
        ),
    )
)


def formula_get(code: str) -> Formula:
    try:
        return FORMULAS[code]
    except KeyError:
        raise KeyError(f"Unknown formula {code!r}; known: {sorted(FORMULAS)}") from None


FORMULA_CHOICES = [(code, code) for code in FORMULAS]
