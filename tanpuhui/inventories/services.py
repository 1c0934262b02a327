"""Inventory operations (typed, keyword-only, raising ``common.errors``): compile a draft, calculate
it, hand it through review to publication, and correct a published one with a new revision."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tanpuhui.accounts.models import Role, User
from tanpuhui.common.errors import Conflict, Forbidden, ServiceError, Unprocessable, ValidationFailed
from tanpuhui.common.services import audit_record
from tanpuhui.inventories import calc, units
from tanpuhui.inventories import catalogue as cat
from tanpuhui.inventories.models import (
    ActivityRow,
    Calculation,
    Factor,
    FactorSet,
    GwpSet,
    Inventory,
    NotationKey,
    ReviewComment,
    SectorMapping,
    SectorNode,
    TownDesk,
)
from tanpuhui.methodology import formulas, registry
from tanpuhui.pilots.models import Place

FIRST_YEAR = 2005
# Above this a value is a typing error, not a town (a town burning 10 Mt of coal is a province).
ABSURD = {
    cat.FUEL: Decimal("1e7"),
    cat.ELECTRICITY: Decimal("1e8"),
    cat.WASTE: Decimal("1e7"),
    cat.LIVESTOCK: Decimal("1e7"),
    cat.FERTILISER: Decimal("1e6"),
    cat.FOREST: Decimal("1e8"),
    cat.PROCESS: Decimal("1e8"),
}
GRID_UNCERTAINTY_PCT = Decimal(5)  # MEE's grid factors carry no stated range; 5 % is our assumption
GRID_REGION = "south_china_grid"


def draft_check(inventory: Inventory, actor: User) -> None:
    """The walls of a draft: only a statistician of its town, only while it is a draft."""
    if not TownDesk.objects.filter(user=actor, town_id=inventory.town_id).exists():
        raise Forbidden(_("Only the town's own statisticians edit its inventory."), code="not_your_town")
    if inventory.status != Inventory.Status.DRAFT:
        raise Conflict(
            _("Only a draft can be changed; a published inventory is corrected with a new revision."),
            code="inventory_not_draft",
            fields={"status": [inventory.status]},
        )


def inventory_create(
    *, actor: User, town: Place, year: int, factor_set: FactorSet | None = None, gwp_code: str = "SAR"
) -> Inventory:
    if not TownDesk.objects.filter(user=actor, town=town).exists():
        raise Forbidden(_("Only the town's own statisticians open its inventory."), code="not_your_town")
    last = timezone.localdate().year - 1
    if not FIRST_YEAR <= year <= last:
        raise ValidationFailed(
            _("The year is outside the range an inventory can be compiled for."),
            code="year_out_of_range",
            fields={"year": [f"From {FIRST_YEAR} to {last}."]},
        )
    gwp = GwpSet.objects.filter(code=gwp_code).first()
    if gwp is None:
        raise ValidationFailed(_("Unknown GWP set."), fields={"gwp": [f"One of {_gwp_codes()}."]})
    factor_set = factor_set or FactorSet.objects.get(code=cat.CHINA_2011)
    if Inventory.objects.filter(town=town, year=year).exists():
        raise Conflict(
            _("This town already has an inventory for this year; correct it with a new revision."),
            code="inventory_exists",
            fields={"year": [str(year)]},
        )
    return Inventory.objects.create(
        town=town, centre=town.centre, year=year, factor_set=factor_set, gwp_set=gwp, created_by=actor
    )


def _gwp_codes() -> str:
    return ", ".join(GwpSet.objects.values_list("code", flat=True))


@dataclass(frozen=True)
class RowInput:
    category: str
    subject: str
    quantity: Any
    unit: str
    source: str
    quality_note: str = ""
    uncertainty_pct: Any = None
    own_ncv: Any = None
    own_ef_co2: Any = None
    own_source: str = ""


def row_check(data: RowInput) -> tuple[dict[str, Any], dict[str, str]]:
    """The row's values ready to store, or its errors by field (the import reports them per cell)."""
    errors: dict[str, str] = {}
    category = cat.CATEGORY.get((data.category or "").strip())
    subject = (data.subject or "").strip()
    if category is None:
        errors["category"] = _("Unknown activity category.")
    elif category.kind == cat.FUEL and subject not in cat.FUEL_BY_CODE:
        errors["subject"] = _("Unknown fuel.")
    elif category.kind != cat.FUEL and subject not in cat.SUBTYPES.get(category.kind, ()):
        errors["subject"] = _("One of: %(choices)s.") % {
            "choices": ", ".join(cat.SUBTYPES.get(category.kind, ()))
        }
    quantity = _decimal(data.quantity)
    if quantity is None:
        errors["quantity"] = _("Not a number.")
    elif quantity < 0:
        errors["quantity"] = _("Must be zero or more.")
    amount = None
    if category is not None and "subject" not in errors and quantity is not None and quantity >= 0:
        canonical = (
            cat.FUEL_BY_CODE[subject].unit if category.kind == cat.FUEL else cat.KIND_UNITS[category.kind]
        )
        try:
            amount = units.convert(quantity, data.unit, canonical)
        except units.UnitMismatch:
            errors["unit"] = _("Does not convert to %(unit)s.") % {"unit": canonical}
        else:
            if amount > ABSURD[category.kind]:
                errors["quantity"] = _("Implausibly large for a town.")
    if not (data.source or "").strip():
        errors["source"] = _("Say where the value comes from.")
    extra: dict[str, Decimal | None] = {}
    for name in ("uncertainty_pct", "own_ncv", "own_ef_co2"):
        raw = getattr(data, name)
        if raw in (None, ""):
            extra[name] = None
            continue
        value = _decimal(raw)
        if value is None or value <= 0 or (name == "uncertainty_pct" and value > 500):
            errors[name] = _("A positive number.") if name != "uncertainty_pct" else _("Between 0 and 500.")
        extra[name] = value
    if (extra["own_ncv"] or extra["own_ef_co2"]) and not data.own_source.strip():
        errors["own_source"] = _("Own factors need their source.")
    if errors:
        return {}, errors
    assert category is not None and quantity is not None and amount is not None
    return {
        "category": category.code,
        "subject": subject,
        "quantity": quantity,
        "unit": data.unit.strip(),
        "amount": amount.quantize(Decimal("0.00000001")),
        "uncertainty_pct": extra["uncertainty_pct"] or Decimal(5),
        "own_ncv": extra["own_ncv"],
        "own_ef_co2": extra["own_ef_co2"],
        "own_source": data.own_source.strip(),
        "source": data.source.strip(),
        "quality_note": (data.quality_note or "").strip(),
    }, {}


def _decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def row_put(*, inventory: Inventory, actor: User, data: RowInput, import_ref: str = "") -> ActivityRow:
    """Add the row, or replace the value of the same category and fuel (never a second row)."""
    draft_check(inventory, actor)
    values, errors = row_check(data)
    if errors:
        raise ValidationFailed(
            _("The activity row is not valid."), code="invalid_row", fields=_listed(errors)
        )
    row, _created = ActivityRow.objects.update_or_create(
        inventory=inventory,
        category=values.pop("category"),
        subject=values.pop("subject"),
        defaults={**values, "entered_by": actor, "import_ref": import_ref},
    )
    _stale(inventory)
    return row


def rows_replace(
    *, inventory: Inventory, actor: User, rows: list[dict[str, Any]], town: dict[str, Any], import_ref: str
) -> int:
    """All of an import at once (already checked): upsert every row, in one transaction."""
    draft_check(inventory, actor)
    with transaction.atomic():
        for values in rows:
            values = dict(values)
            ActivityRow.objects.update_or_create(
                inventory=inventory,
                category=values.pop("category"),
                subject=values.pop("subject"),
                defaults={**values, "entered_by": actor, "import_ref": import_ref},
            )
        if town:
            Inventory.objects.filter(pk=inventory.pk).update(**town)
        _stale(inventory)
    return len(rows)


def _listed(errors: dict[str, str]) -> dict[str, list[str]]:
    return {k: [v] for k, v in errors.items()}


def _stale(inventory: Inventory) -> None:
    Inventory.objects.filter(pk=inventory.pk).update(calculation=None)
    inventory.calculation = None


def town_figures_set(
    *, inventory: Inventory, actor: User, population: int | None = None, gdp_e4yuan: Decimal | None = None
) -> Inventory:
    draft_check(inventory, actor)
    if (population is not None and population <= 0) or (gdp_e4yuan is not None and gdp_e4yuan <= 0):
        raise ValidationFailed(_("Population and GDP are positive."), fields={"population": ["> 0"]})
    Inventory.objects.filter(pk=inventory.pk).update(population=population, gdp_e4yuan=gdp_e4yuan)
    _stale(inventory)
    return Inventory.objects.get(pk=inventory.pk)


def notation_key_set(
    *, inventory: Inventory, actor: User, tree: str, code: str, key: str, explanation: str
) -> NotationKey:
    draft_check(inventory, actor)
    if not SectorNode.objects.filter(tree=tree, code=code).exists():
        raise ValidationFailed(_("Unknown sector."), fields={"code": ["Unknown sector of this tree."]})
    if key not in NotationKey.Key.values:
        raise ValidationFailed(
            _("Unknown notation key."), fields={"key": [", ".join(NotationKey.Key.values)]}
        )
    if not explanation.strip():
        raise ValidationFailed(_("Say why."), fields={"explanation": ["Required."]})
    note, _created = NotationKey.objects.update_or_create(
        inventory=inventory, tree=tree, code=code, defaults={"key": key, "explanation": explanation.strip()}
    )
    _stale(inventory)
    return note


# ---- Calculation ---------------------------------------------------------------------------------


def _set_chain(factor_set: FactorSet) -> list[FactorSet]:
    chain = [factor_set]
    while chain[-1].base_id is not None:
        chain.append(FactorSet.objects.get(pk=chain[-1].base_id))
    return chain


def _factor_table(factor_set: FactorSet) -> dict[tuple[str, str, str], dict[str, str]]:
    """(subject, parameter, sector) → factor, the set's own value winning over its base's."""
    table: dict[tuple[str, str, str], dict[str, str]] = {}
    for member in reversed(_set_chain(factor_set)):
        for f in Factor.objects.filter(factor_set=member):
            table[(f.subject, f.parameter, f.sector)] = {
                "value": format(f.value.normalize(), "f"),
                "u": format(f.uncertainty_pct.normalize(), "f"),
                "unit": f.unit,
                "set": f"{member.code} {member.version}",
            }
    return table


FUEL_PARAMETERS = ("ncv", "carbon_content", "oxidation", "ef_co2", "ef_ch4", "ef_n2o")


def _row_factors(row: ActivityRow, table: dict, kind: str) -> dict[str, dict[str, str]]:
    found = {}
    for (subject, parameter, sector), factor in table.items():
        if subject != row.subject or sector not in ("", row.category):
            continue
        if parameter in found and sector == "":
            continue  # a sector-specific value wins
        found[parameter] = factor
    if kind == cat.FUEL and "carbon_content" in found:
        found.pop("ef_co2", None)  # the set gives CO₂ by carbon content and oxidation
    return found


def _grid_factor(year: int) -> dict[str, str]:
    try:
        resolved = registry.factor(code="grid_ef", on=date(year, 12, 31), region=GRID_REGION)
    except ServiceError as exc:
        raise Unprocessable(
            _("No grid emission factor is published for %(year)s.") % {"year": year},
            code="grid_factor_unavailable",
            fields={"year": [str(year)]},
        ) from exc
    value = formulas.convert(resolved.value, resolved.unit, "t_co2e/MWh")
    return {
        "value": format(value, "f"),
        "u": format(GRID_UNCERTAINTY_PCT, "f"),
        "unit": "t/MWh",
        "set": f"methodology parameter {resolved.id}: {resolved.source}",
    }


def calculation_inputs(*, inventory: Inventory) -> dict[str, Any]:
    """Everything the result depends on, values as strings (canonical JSON is then reproducible)."""
    table = _factor_table(inventory.factor_set)
    rows = list(inventory.rows.all())
    grid = (
        _grid_factor(inventory.year)
        if any(cat.CATEGORY[r.category].kind == cat.ELECTRICITY for r in rows)
        else None
    )
    out_rows = []
    for row in rows:
        kind = cat.CATEGORY[row.category].kind
        factors = {"grid_ef": grid} if kind == cat.ELECTRICITY and grid else _row_factors(row, table, kind)
        out_rows.append(
            {
                "category": row.category,
                "subject": row.subject,
                "kind": kind,
                "amount": format(row.amount.normalize(), "f"),
                "u": format(row.uncertainty_pct.normalize(), "f"),
                "own_ncv": None if row.own_ncv is None else format(row.own_ncv.normalize(), "f"),
                "own_ef_co2": None if row.own_ef_co2 is None else format(row.own_ef_co2.normalize(), "f"),
                "factors": factors,
            }
        )
    nodes = list(SectorNode.objects.all())
    parents = {tree: {n.code: n.parent_code for n in nodes if n.tree == tree} for tree in cat.TREES}
    has_children = {(n.tree, n.parent_code) for n in nodes}
    leaves = {
        tree: [n.code for n in nodes if n.tree == tree and (tree, n.code) not in has_children]
        for tree in cat.TREES
    }
    previous = (
        Inventory.objects.filter(
            town_id=inventory.town_id, year=inventory.year - 1, status=Inventory.Status.PUBLISHED
        )
        .exclude(calculation=None)
        .order_by("-revision")
        .first()
    )
    gwp = inventory.gwp_set
    return {
        "inventory": {"town": inventory.town.code, "year": inventory.year, "revision": inventory.revision},
        "factor_set": f"{inventory.factor_set.code} {inventory.factor_set.version}",
        "gwp_set": gwp.code,
        "gwp": {
            "ch4": format(gwp.ch4.normalize(), "f"),
            "ch4_fossil": format(gwp.ch4_fossil.normalize(), "f"),
            "n2o": format(gwp.n2o.normalize(), "f"),
        },
        "rows": out_rows,
        "mapping": {
            m.category: {"provincial": m.provincial_code, "gpc": m.gpc_code, "gpc_scope": m.gpc_scope}
            for m in SectorMapping.objects.all()
        },
        "parents": parents,
        "leaves": leaves,
        "notation_keys": [
            {"tree": k.tree, "code": k.code, "key": k.key, "why": k.explanation}
            for k in inventory.notation_keys.order_by("tree", "code")
        ],
        "population": inventory.population,
        "gdp_e4yuan": None if inventory.gdp_e4yuan is None else format(inventory.gdp_e4yuan.normalize(), "f"),
        "previous": (
            {"year": previous.year, "basic_plus": previous_result(previous)["basic_plus"]}
            if previous
            else None
        ),
    }


def previous_result(inventory: Inventory) -> dict[str, Any]:
    assert inventory.calculation is not None
    return json.loads(inventory.calculation.result)


def inventory_calculate(*, inventory: Inventory, gwp_code: str | None = None) -> Calculation:
    """A new stored calculation (never a change to an old one). ``gwp_code``: the same inputs under
    another GWP set (a published inventory may be recalculated this way; its own stays as it was)."""
    gwp = inventory.gwp_set if gwp_code is None else GwpSet.objects.filter(code=gwp_code).first()
    if gwp is None:
        raise ValidationFailed(_("Unknown GWP set."), fields={"gwp": [f"One of {_gwp_codes()}."]})
    if not inventory.rows.exists():
        raise Unprocessable(
            _("The inventory has no activity data."), code="empty_inventory", fields={"rows": ["Empty."]}
        )
    original = inventory.gwp_set
    inventory.gwp_set = gwp
    try:
        inputs = calculation_inputs(inventory=inventory)
    finally:
        inventory.gwp_set = original
    try:
        result = calc.compute(inputs)
    except calc.MissingFactor as exc:
        raise Unprocessable(str(exc), code="factor_unavailable", fields={"rows": [str(exc)]}) from exc
    text = calc.canonical(result)
    calculation = Calculation.objects.create(
        inventory=inventory,
        factor_set=inventory.factor_set,
        gwp_set=gwp,
        inputs=calc.canonical(inputs),
        result=text,
        sha256=calc.digest(text),
    )
    if gwp_code is None and not inventory.is_published:
        Inventory.objects.filter(pk=inventory.pk).update(calculation=calculation)
        inventory.calculation = calculation
    return calculation


def calculation_verify(*, calculation: Calculation) -> bool:
    """Recompute from the stored inputs: the same bytes as stored."""
    text = calc.canonical(calc.compute(json.loads(calculation.inputs)))
    return text == calculation.result and calc.digest(text) == calculation.sha256


# ---- Workflow ------------------------------------------------------------------------------------


def inventory_submit(*, inventory: Inventory, actor: User) -> Inventory:
    draft_check(inventory, actor)
    with transaction.atomic():
        locked = Inventory.objects.select_for_update().get(pk=inventory.pk)
        if locked.calculation_id is None:
            inventory_calculate(inventory=locked)
        locked.submit()
        locked.submitted_at = timezone.now()
        locked.save()
        audit_record(actor=actor, action="inventory.submit", target=locked)
    return locked


def _reviewer(actor: User, inventory: Inventory) -> None:
    if TownDesk.objects.filter(user=actor, town_id=inventory.town_id).exists():
        raise Forbidden(_("A town's statistician does not review its own inventory."), code="own_town")


def _transition(*, inventory: Inventory, actor: User, name: str, source: str) -> Inventory:
    _reviewer(actor, inventory)
    with transaction.atomic():
        locked = Inventory.objects.select_for_update().get(pk=inventory.pk)
        if locked.status != source:
            raise Conflict(
                _("The inventory is %(status)s.") % {"status": locked.get_status_display()},
                code="wrong_status",
                fields={"status": [locked.status]},
            )
        getattr(locked, name)()
        if name == "review":
            locked.reviewed_by = actor
        if name == "publish":
            locked.published_at = timezone.now()
        locked.save()
        audit_record(actor=actor, action=f"inventory.{name}", target=locked)
    return locked


def inventory_send_back(*, inventory: Inventory, actor: User) -> Inventory:
    return _transition(inventory=inventory, actor=actor, name="send_back", source=Inventory.Status.SUBMITTED)


def inventory_review(*, inventory: Inventory, actor: User) -> Inventory:
    return _transition(inventory=inventory, actor=actor, name="review", source=Inventory.Status.SUBMITTED)


def inventory_publish(*, inventory: Inventory, actor: User) -> Inventory:
    if not actor.is_superuser and not actor.has_role(
        Role.CENTRE_REVIEWER, Role.PROVINCIAL_OFFICER, Role.CENTRE_OPERATOR
    ):
        raise Forbidden(_("Only the city centre publishes."), code="not_reviewer")
    return _transition(inventory=inventory, actor=actor, name="publish", source=Inventory.Status.REVIEWED)


def comment_add(*, inventory: Inventory, actor: User, text: str, row_id: int | None = None) -> ReviewComment:
    _reviewer(actor, inventory)
    if inventory.status != Inventory.Status.SUBMITTED:
        raise Conflict(_("Comments are written while the inventory is under review."), code="wrong_status")
    if not text.strip():
        raise ValidationFailed(_("Write the comment."), fields={"text": ["Required."]})
    row = None
    if row_id is not None:
        row = inventory.rows.filter(pk=row_id).first()
        if row is None:
            raise ValidationFailed(_("No such line in this inventory."), fields={"row": ["Unknown line."]})
    return ReviewComment.objects.create(
        inventory=inventory,
        row=row,
        line=f"{row.category}/{row.subject}" if row else "",
        author=actor,
        text=text.strip(),
    )


def inventory_revise(*, inventory: Inventory, actor: User, reason: str) -> Inventory:
    """A correction of a published inventory: the next revision, a draft with the same data."""
    if not TownDesk.objects.filter(user=actor, town_id=inventory.town_id).exists():
        raise Forbidden(_("Only the town's own statisticians correct its inventory."), code="not_your_town")
    if not inventory.is_published:
        raise Conflict(_("Only a published inventory is corrected by a revision."), code="not_published")
    if not reason.strip():
        raise ValidationFailed(_("Say why the inventory is corrected."), fields={"reason": ["Required."]})
    if Inventory.objects.filter(supersedes=inventory).exists():
        raise Conflict(_("This revision has already been corrected."), code="already_revised")
    with transaction.atomic():
        draft = Inventory.objects.create(
            town=inventory.town,
            centre=inventory.centre,
            year=inventory.year,
            revision=inventory.revision + 1,
            supersedes=inventory,
            reason=reason.strip(),
            factor_set=inventory.factor_set,
            gwp_set=inventory.gwp_set,
            population=inventory.population,
            gdp_e4yuan=inventory.gdp_e4yuan,
            created_by=actor,
        )
        ActivityRow.objects.bulk_create(
            ActivityRow(
                inventory=draft,
                **{
                    f.name: getattr(row, f.name)
                    for f in ActivityRow._meta.concrete_fields
                    if f.name not in ("id", "inventory", "created_at", "updated_at")
                },
            )
            for row in inventory.rows.all()
        )
        NotationKey.objects.bulk_create(
            NotationKey(inventory=draft, tree=k.tree, code=k.code, key=k.key, explanation=k.explanation)
            for k in inventory.notation_keys.all()
        )
        audit_record(actor=actor, action="inventory.revise", target=draft)
    return draft
