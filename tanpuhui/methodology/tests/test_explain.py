"""The story of a figure, formula by formula: inputs stated, the answer computed by hand."""

from decimal import Decimal as D

import pytest
from django.utils import translation

from tanpuhui.methodology import explain


def tell(lang="zh-hans", **kwargs):
    with translation.override(lang):
        return explain.story(**kwargs)


def test_metro_reads_as_the_issue_asks():
    # 1 trip × 0.5155 kg per trip (Huang et al. 2017, Guangzhou average method) = 0.5155 kg.
    told = tell(behaviour="metro", formula="transit_per_trip", config={}, params={"trip_factor": D("0.5155")},
                quantity=D("1.0000"))  # fmt: skip
    assert told.lines == ["你乘坐地铁 1 次 × 每次 0.5155 千克 = 0.5155 千克"]
    assert told.figure == D("0.5155")
    english = tell("en", behaviour="metro", formula="transit_per_trip", config={},
                   params={"trip_factor": D("0.5155")}, quantity=D("12"))  # fmt: skip
    assert english.lines == ["You took the metro 12 trips × 0.5155 kg per trip = 6.186 kg"]


def test_electricity_saving_against_the_baseline():
    # Baseline 300 kWh − 250 kWh used = 50 kWh × 0.4042 kg/kWh = 20.21 kg.
    told = tell(behaviour="electricity_saving", formula="utility_saving_kwh", config={},
                params={"factor": D("0.4042")}, quantity=D("250"), baseline=D("300"))  # fmt: skip
    assert told.figure == D("20.2100")
    assert told.lines[0] == "这一期你用电 250 千瓦时，基线是 300 千瓦时。"
    assert "基线是你前两年同一时期的平均用量" in told.lines[1]
    assert told.lines[-1] == "你节约了 50 千瓦时 × 每千瓦时 0.4042 千克 = 20.21 千克"


def test_electricity_tiers_credit_the_tier_reached():
    # Saved 26.1 of a 216 kWh baseline = 12.08 %: tier 10 % → 216 × 0.10 × 0.4042 = 8.73072 ≈ 8.7307 kg.
    told = tell(behaviour="electricity_saving", formula="utility_saving_kwh",
                config={"tiers": ["0.05", "0.10", "0.15"]}, params={"factor": D("0.4042")},
                quantity=D("189.9"), baseline=D("216"))  # fmt: skip
    assert told.figure == D("8.7307")
    assert "达到 10% 这一档" in told.lines[2]
    assert told.lines[-1] == "216 千瓦时 × 10% × 每千瓦时 0.4042 千克 ≈ 8.7307 千克"


def test_no_saving_and_no_baseline_say_so():
    more = tell(behaviour="gas_saving", formula="utility_saving_m3", config={}, params={"factor": D("2.1622")},
                quantity=D("11.2"), baseline=D("10.4"), baseline_from_history=False)  # fmt: skip
    assert more.figure == D("0") and "没有低于基线" in more.lines[-1] and "默认基线" in more.lines[1]
    none = tell(behaviour="gas_saving", formula="utility_saving_m3", config={}, params={"factor": D("2.1622")},
                quantity=D("11.2"), baseline=None)  # fmt: skip
    assert none.lines == ["这一期没有基线，所以不计减排量。"]


def test_walking_steps_in_grams_and_the_daily_cap():
    # 8,273 steps × 0.02 g = 165.46 g ≈ 0.1655 kg (under the 296 g cap).
    told = tell(behaviour="walking", formula="walking_steps", config={},
                params={"step_factor": D("0.00002"), "daily_cap": D("0.296"), "max_daily_steps": D("60000")},
                quantity=D("8273"))  # fmt: skip
    assert told.lines == ["你走了 8,273 步 × 每步 0.02 克 ≈ 0.1655 千克"]
    # 20,000 steps × 0.02 g = 400 g, capped at 296 g.
    capped = tell(behaviour="walking", formula="walking_steps", config={},
                  params={"step_factor": D("0.00002"), "daily_cap": D("0.296"), "max_daily_steps": D("60000")},
                  quantity=D("20000"))  # fmt: skip
    assert capped.figure == D("0.2960") and capped.lines[-1] == "每天最多计 0.296 千克，所以计入 0.296 千克。"


@pytest.mark.parametrize(
    ("formula", "params", "kwargs", "figure"),
    [
        # 2.6 km × 0.272 kg/km × 31 % = 0.219232 ≈ 0.2192 kg
        ("active_travel", {"substituted_factor": D("0.272"), "substitution_share": D("0.31"),
                           "max_daily_km": D("100"), "max_speed_kmh": D("25")}, {"quantity": D("2.6")}, D("0.2192")),
        # 1 m³ saved × 0.29 kWh/m³ × 0.4042 kg/kWh = 0.117218 ≈ 0.1172 kg
        ("water_saving_supply_energy", {"supply_intensity": D("0.29"), "grid_ef": D("0.4042")},
         {"quantity": D("10.1"), "baseline": D("11.1")}, D("0.1172")),
        # 0.6117 ha·yr × 1,715.6 kg = 1,049.43252 ≈ 1,049.4325 kg
        ("forest_sink", {"sink_per_ha": D("1715.6")}, {"quantity": D("0.6117")}, D("1049.4325")),
        # no distance: 2 trips × 5 km × (0.272 − 0.061) = 2.11 kg
        ("transit_distance", {"baseline_factor": D("0.272"), "mode_factor": D("0.061"), "default_distance": D("5")},
         {"quantity": D("2")}, D("2.1100")),
    ],
)  # fmt: skip
def test_every_formula_tells_a_story_that_adds_up(formula, params, kwargs, figure):
    for lang in ("zh-hans", "en"):
        told = tell(lang, behaviour="", formula=formula, config={}, params=params, **kwargs)
        assert told.figure == figure and told.lines
        text = " ".join(told.lines)
        assert "_" not in text and "**" not in text and formula not in text
        assert ("千克" if lang == "zh-hans" else "kg") in told.lines[-1]


def test_unknown_formula_tells_nothing():
    assert tell(behaviour="metro", formula="nope", config={}, params={}, quantity=D(1)).lines == []
