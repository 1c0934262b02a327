"""A reduction in everyday terms — the one table of equivalences the resident home shows.

Each row says what one unit of the everyday thing emits or absorbs, in the unit its source
publishes, and where that figure comes from. A row names either a value with its published source
(``value``/``unit``/``source``) or a parameter of the methodology registry (``parameter``: the value
in force and its source are read from there, so a newly published factor changes the page). Units are
converted by ``methodology.formulas.convert`` — no constant is written anywhere else.

======================  ===========================  ==================================================
everyday thing          figure                       source
======================  ===========================  ==================================================
km not driven by car    404 g CO₂ per mile           U.S. EPA, Greenhouse Gas Emissions from a Typical
                        (= 0.251 kg per km)          Passenger Vehicle, EPA-420-F-18-008 (2018): 8,887 g
                                                     CO₂ per gallon of petrol ÷ 22.0 miles per gallon
tree-years              60 kg CO₂ per tree over      U.S. EPA, Greenhouse Gas Equivalencies Calculator —
                        10 years (= 6 kg per year)   Calculations and References: an urban tree seedling
                                                     grown for 10 years sequesters 0.060 t CO₂
m² of Guangdong forest  registry ``forest_sink``     the registry's source (Guangdong forest inventory
for a year              (1.7156 t/ha/yr)             1979–2012)
======================  ===========================  ==================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from tanpuhui.methodology import formulas
from tanpuhui.methodology.models import Parameter
from tanpuhui.methodology.registry import parameter_lookup


@dataclass(frozen=True)
class Equivalence:
    key: str
    label: Any  # "%(n)s km not driven by a petrol car" (lazy translation)
    per: str  # the everyday unit, as a pint unit the figure is converted to: kg CO₂e per <per>
    value: Decimal | None = None  # the published figure …
    unit: str = ""  # … in the unit it is published in
    source: Any = ""
    parameter: str = ""  # or: a registry parameter (code) …
    qualifier: str = ""  # … and its qualifier


EQUIVALENCES: tuple[Equivalence, ...] = (
    Equivalence(
        "car_km",
        _("%(n)s km not driven by a petrol car"),
        per="kg_co2e/km",
        value=Decimal("404"),
        unit="g_co2e/mile",
        source=_(
            "U.S. Environmental Protection Agency, “Greenhouse Gas Emissions from a Typical Passenger "
            "Vehicle” (EPA-420-F-18-008, 2018): a typical petrol car emits about 404 g of CO₂ a mile "
            "(8,887 g per gallon at 22.0 miles per gallon), i.e. 0.251 kg a kilometre."
        ),
    ),
    Equivalence(
        "tree_years",
        _("%(n)s years of a young tree's uptake"),
        per="kg_co2e/year",
        value=Decimal("0.060") / 10,  # published per 10 years of growth
        unit="t_co2e/year",
        source=_(
            "U.S. Environmental Protection Agency, Greenhouse Gas Equivalencies Calculator, "
            "“Calculations and References”: an urban tree seedling grown for 10 years takes up "
            "0.060 t of CO₂, i.e. 6 kg a year."
        ),
    ),
    Equivalence(
        "forest_m2",
        _("%(n)s m² of Guangdong forest for a year"),
        per="kg_co2e/m**2",
        parameter="forest_sink",
        qualifier="guangdong_average",
    ),
)


@dataclass(frozen=True)
class Equivalent:
    key: str
    label: Any
    amount: Decimal  # how many everyday units the kg equal
    source: str  # footnote text

    @property
    def text(self) -> str:
        return str(self.label) % {"n": number_format(self.amount, decimal_pos=1, force_grouping=True)}


def figure(item: Equivalence, *, centre_id: int | None, on: date) -> tuple[Decimal, str] | None:
    """kg CO₂e per everyday unit, and the footnote; None when the registry has no value in force."""
    if item.parameter:
        found = parameter_lookup(
            code=item.parameter,
            qualifier=item.qualifier,
            regions=[Parameter.Region.CENTRE, Parameter.Region.GUANGDONG, Parameter.Region.NATIONAL],
            centre_id=centre_id,
            on=on,
        )
        if found is None:
            return None
        # a yearly sink per area: the area that absorbs the kg in one year
        per_year = formulas.convert(found.value, found.unit, item.per + "/year")
        return per_year, found.source_line
    assert item.value is not None
    return formulas.convert(item.value, item.unit, item.per), str(item.source)


def equivalents(kg: Decimal, *, centre_id: int | None, on: date) -> list[Equivalent]:
    """``kg`` CO₂e in everyday terms, one entry per row of :data:`EQUIVALENCES` that has a figure."""
    out = []
    for item in EQUIVALENCES:
        found = figure(item, centre_id=centre_id, on=on)
        if found is None or found[0] <= 0:
            continue
        per_unit, source = found
        amount = (kg / per_unit).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        out.append(Equivalent(item.key, item.label, amount, source))
    return out
