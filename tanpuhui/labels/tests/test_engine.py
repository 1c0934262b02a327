"""The solver against hand-solved systems."""

import numpy as np
import pytest

from tanpuhui.labels import engine
from tanpuhui.labels.engine import Exchange as E


def test_two_processes_product_one_needs_half_of_product_two():
    a = engine.matrix([E(0, 0, 1), E(1, 0, -0.5), E(1, 1, 1)], (2, 2))
    b = engine.matrix([E(0, 0, 2.0), E(0, 1, 4.0)], (1, 2))
    solution = engine.solve(a, b, np.array([1.0, 0.0]))
    assert solution.supply == pytest.approx([1.0, 0.5])
    assert solution.inventory == pytest.approx([2.0 + 0.5 * 4.0])  # 4.0


def test_loop_solved_by_hand():
    # Steam (process 0, product 0) needs 0.2 kWh per MJ; electricity (process 1) needs 0.5 MJ steam per kWh.
    # Demand 1 MJ steam: s0 = 1 + 0.5 s1, s1 = 0.2 s0 → s0 = 1 / (1 − 0.1) = 1.1111…, s1 = 0.2222…
    a = engine.matrix([E(0, 0, 1), E(1, 0, -0.2), E(1, 1, 1), E(0, 1, -0.5)], (2, 2))
    b = engine.matrix([E(0, 0, 0.07), E(0, 1, 0.4)], (1, 2))
    solution = engine.solve(a, b, np.array([1.0, 0.0]))
    assert solution.supply == pytest.approx([10 / 9, 2 / 9])
    assert solution.inventory == pytest.approx([0.07 * 10 / 9 + 0.4 * 2 / 9])


def test_loop_with_no_solution_is_singular():
    # Each process needs one unit of the other per unit made: nothing is produced net.
    a = engine.matrix([E(0, 0, 1), E(1, 0, -1), E(1, 1, 1), E(0, 1, -1)], (2, 2))
    with pytest.raises(engine.SingularSystem):
        engine.supply(a, np.array([1.0, 0.0]))


def test_non_square_is_refused():
    with pytest.raises(engine.SingularSystem):
        engine.supply(engine.matrix([E(0, 0, 1)], (1, 2)), np.array([1.0]))


def test_monte_carlo_centres_on_the_deterministic_result():
    tech = [E(0, 0, 1), E(1, 0, -0.5), E(1, 1, 1)]
    bio = [E(0, 0, 2.0), E(0, 1, 4.0)]
    scores = engine.monte_carlo(
        tech,
        bio,
        (2, 2, 1),
        np.array([1.0, 0.0]),
        tech_gsd=[1, 1.2, 1],
        bio_gsd=[1, 1],
        characterisation=np.ones(1),
    )
    assert scores.size == 1000
    assert np.median(scores) == pytest.approx(4.0, rel=0.02)
    assert scores.min() < 4.0 < scores.max()


def test_certain_inputs_give_no_spread():
    scores = engine.monte_carlo(
        [E(0, 0, 1)],
        [E(0, 0, 3.0)],
        (1, 1, 1),
        np.array([1.0]),
        tech_gsd=[1],
        bio_gsd=[1],
        characterisation=np.ones(1),
        draws=10,
    )
    assert scores == pytest.approx([3.0] * 10)
