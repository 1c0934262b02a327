"""The calculation: a pure function of stored inputs (rows with the factor values they resolved to,
GWPs, the grid factor, population and GDP, the mapping, notation keys and last year's total) to the
result. Decimal arithmetic throughout, quantised once at the end, written as canonical JSON: the same
inputs always give the same bytes (``Calculation.sha256``).

Tier 1: fuel × NCV × factor per gas (IPCC 2006 vol. 2 eq. 2.1; the provincial guideline's CO₂ as
NCV × carbon content × oxidation × 44/12). Tier 2: a row's own NCV or CO₂ factor replaces the default.
Uncertainty: IPCC 2006 vol. 1 ch. 3 approach 1 — per row √(U_AD² + U_EF²) (eq. 3.2 for a product),
the total √Σ(U·E)² / |ΣE| (eq. 3.1 for a sum).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from tanpuhui.inventories import catalogue as cat

C_TO_CO2 = Decimal(44) / Decimal(12)
C_TO_CH4 = Decimal(16) / Decimal(12)
N_TO_N2O = Decimal(44) / Decimal(28)
TONNES = Decimal("0.000001")
PCT = Decimal("0.01")
ZERO = Decimal(0)


class MissingFactor(ValueError):
    """A row needs a factor its set (and the set's base) does not hold."""


@dataclass
class _Gas:
    t: Decimal
    u_pct: Decimal  # combined uncertainty of this gas's figure for the row


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _sqrt_sum_sq(*pcts: Decimal) -> Decimal:
    return sum((p * p for p in pcts), ZERO).sqrt()


def _param(row: dict, name: str) -> tuple[Decimal, Decimal]:
    factor = row["factors"].get(name)
    if factor is None:
        raise MissingFactor(f"{row['category']}/{row['subject']}: no {name}")
    return _d(factor["value"]), _d(factor["u"])


def _fuel(row: dict) -> dict[str, _Gas]:
    amount, u_ad = _d(row["amount"]), _d(row["u"])
    if row.get("own_ncv") is not None:
        ncv, u_ncv = _d(row["own_ncv"]), ZERO
    else:
        ncv, u_ncv = _param(row, "ncv")
    tj = amount * ncv / 1000
    if row.get("own_ef_co2") is not None:
        co2, u_co2 = tj * _d(row["own_ef_co2"]) / 1000, u_ncv
    elif "carbon_content" in row["factors"]:
        cc, u_cc = _param(row, "carbon_content")
        ox, u_ox = _param(row, "oxidation")
        co2, u_co2 = tj * cc * ox * C_TO_CO2, _sqrt_sum_sq(u_ncv, u_cc, u_ox)
    else:
        ef, u_ef = _param(row, "ef_co2")
        co2, u_co2 = tj * ef / 1000, _sqrt_sum_sq(u_ncv, u_ef)
    ch4, u_ch4 = _param(row, "ef_ch4")
    n2o, u_n2o = _param(row, "ef_n2o")
    return {
        "co2": _Gas(co2, _sqrt_sum_sq(u_ad, u_co2)),
        "ch4": _Gas(tj * ch4 / 1000, _sqrt_sum_sq(u_ad, u_ncv, u_ch4)),
        "n2o": _Gas(tj * n2o / 1000, _sqrt_sum_sq(u_ad, u_ncv, u_n2o)),
    }


def _product(amount: Decimal, u_ad: Decimal, *factors: tuple[Decimal, Decimal]) -> _Gas:
    value = amount
    for f, _u in factors:
        value *= f
    return _Gas(value, _sqrt_sum_sq(u_ad, *(u for _f, u in factors)))


def _other(row: dict) -> dict[str, _Gas]:
    amount, u_ad = _d(row["amount"]), _d(row["u"])
    kind, category = row["kind"], row["category"]
    p = lambda name: _param(row, name)  # noqa: E731
    if kind == cat.ELECTRICITY:
        return {"co2": _product(amount, u_ad, p("grid_ef"))}
    if kind == cat.LIVESTOCK:
        ef, u = p("enteric_ch4" if category == "enteric" else "manure_ch4")
        return {"ch4": _product(amount, u_ad, (ef / 1000, u))}
    if kind == cat.FERTILISER:
        return {"n2o": _product(amount, u_ad, p("ef1_n2o_n"), (N_TO_N2O, ZERO))}
    if kind == cat.FOREST:
        return {
            "co2": _product(
                -amount,
                u_ad,
                p("density"),
                p("bef"),
                (1 + p("root")[0], p("root")[1]),
                p("carbon_fraction"),
                (C_TO_CO2, ZERO),
            )
        }
    if kind == cat.PROCESS:
        return {"co2": _product(amount, u_ad, p("ef_co2"))}
    if kind == cat.WASTE:
        if category in ("landfill", "landfill_outside"):
            ox, u_ox = p("ox")
            return {
                "ch4": _product(
                    amount, u_ad, p("doc"), p("docf"), p("mcf"), p("f"), (C_TO_CH4, ZERO), (1 - ox, u_ox)
                )
            }
        if category == "composting":
            ch4, u_ch4 = p("compost_ch4")
            n2o, u_n2o = p("compost_n2o")
            return {
                "ch4": _product(amount, u_ad, (ch4 / 1000, u_ch4)),
                "n2o": _product(amount, u_ad, (n2o / 1000, u_n2o)),
            }
        n2o, u_n2o = p("incin_n2o")
        return {
            "co2": _product(amount, u_ad, p("dm"), p("cf"), p("fcf"), p("of"), (C_TO_CO2, ZERO)),
            "n2o": _product(amount, u_ad, (n2o / 1000, u_n2o)),
        }
    raise MissingFactor(f"{category}: unknown kind {kind}")


def _q(value: Decimal, places: Decimal = TONNES) -> str:
    text = format(value.quantize(places), "f")
    return "0" if Decimal(text) == 0 else text


def _combined_u(parts: list[tuple[Decimal, Decimal]]) -> Decimal:
    """Approach 1 for a sum: √Σ(U_i·E_i)² / |ΣE_i| (in %)."""
    total = sum((e for e, _u in parts), ZERO)
    if total == 0:
        return ZERO
    return sum(((u * e) ** 2 for e, u in parts), ZERO).sqrt() / abs(total)


def compute(inputs: dict) -> dict:
    """The result of ``inputs`` (see ``services.calculation_inputs`` for their shape)."""
    with localcontext() as ctx:
        ctx.prec = 34
        return _compute(inputs)


def _compute(inputs: dict) -> dict:
    gwp = {k: _d(v) for k, v in inputs["gwp"].items()}
    mapping = inputs["mapping"]
    rows_out = []
    by_gas = {g: ZERO for g in cat.GASES}
    co2e_by_gas = {g: ZERO for g in cat.GASES}
    provincial: dict[str, Decimal] = {}
    gpc: dict[str, dict[str, Decimal]] = {}
    u_parts: list[tuple[Decimal, Decimal]] = []
    for row in inputs["rows"]:
        gases = _fuel(row) if row["kind"] == cat.FUEL else _other(row)
        ch4_gwp = gwp["ch4_fossil"] if row["kind"] == cat.FUEL else gwp["ch4"]
        weights = {"co2": Decimal(1), "ch4": ch4_gwp, "n2o": gwp["n2o"]}
        co2e = sum((gas.t * weights[g] for g, gas in gases.items()), ZERO)
        u_row = _combined_u([(gas.t * weights[g], gas.u_pct) for g, gas in gases.items()])
        u_parts.append((co2e, u_row))
        for g, gas in gases.items():
            by_gas[g] += gas.t
            co2e_by_gas[g] += gas.t * weights[g]
        where = mapping[row["category"]]
        for code in _ancestors(where["provincial"], inputs["parents"]["provincial"]):
            provincial[code] = provincial.get(code, ZERO) + co2e
        scope = f"scope{where['gpc_scope']}"
        for code in _ancestors(where["gpc"], inputs["parents"]["gpc"]):
            node = gpc.setdefault(code, {"scope1": ZERO, "scope2": ZERO, "scope3": ZERO})
            node[scope] += co2e
        rows_out.append(
            {
                "category": row["category"],
                "subject": row["subject"],
                "gases": {g: _q(gas.t) for g, gas in gases.items()},
                "co2e": _q(co2e),
                "uncertainty_pct": _q(u_row, PCT),
                "provincial": where["provincial"],
                "gpc": where["gpc"],
                "scope": where["gpc_scope"],
            }
        )

    def gpc_total(rule: dict[str, tuple[int, ...]]) -> Decimal:
        return sum(
            (gpc.get(top, {}).get(f"scope{s}", ZERO) for top, scopes in rule.items() for s in scopes), ZERO
        )

    basic, basic_plus = gpc_total(cat.BASIC), gpc_total(cat.BASIC_PLUS)
    direct = sum((v for k, v in provincial.items() if "." not in k and k != "6"), ZERO)
    indirect = provincial.get("6", ZERO)
    population = inputs.get("population")
    gdp = inputs.get("gdp_e4yuan")
    previous = inputs.get("previous")
    reported = {row["provincial"] for row in rows_out}, {row["gpc"] for row in rows_out}
    keys = {(k["tree"], k["code"]): k for k in inputs["notation_keys"]}
    completeness = []
    for tree, leaves, seen in (
        (cat.PROVINCIAL, inputs["leaves"]["provincial"], reported[0]),
        (cat.GPC, inputs["leaves"]["gpc"], reported[1]),
    ):
        for code in leaves:
            if code in seen:
                continue
            key = keys.get((tree, code))
            completeness.append(
                {
                    "tree": tree,
                    "code": code,
                    "key": key["key"] if key else "",
                    "why": key["why"] if key else "",
                }
            )
    result = {
        "rows": rows_out,
        "by_gas": {g: _q(t) for g, t in by_gas.items()},
        "co2e_by_gas": {g: _q(t) for g, t in co2e_by_gas.items()},
        "provincial": {code: _q(v) for code, v in sorted(provincial.items())},
        "provincial_direct": _q(direct),
        "provincial_indirect": _q(indirect),
        "gpc": {code: {s: _q(v) for s, v in node.items()} for code, node in sorted(gpc.items())},
        "basic": _q(basic),
        "basic_plus": _q(basic_plus),
        "per_capita": _q(basic_plus / population, Decimal("0.0001")) if population else None,
        "per_gdp": _q(basic_plus / _d(gdp), Decimal("0.0001")) if gdp else None,
        "yoy_pct": (
            _q((basic_plus - _d(previous["basic_plus"])) * 100 / _d(previous["basic_plus"]), PCT)
            if previous and _d(previous["basic_plus"]) != 0
            else None
        ),
        "uncertainty_pct": _q(_combined_u(u_parts), PCT),
        "completeness": completeness,
    }
    return result


def _ancestors(code: str, parents: dict[str, str]) -> list[str]:
    chain = [code]
    while parents.get(chain[-1]):
        chain.append(parents[chain[-1]])
    return chain


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
