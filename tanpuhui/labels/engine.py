"""A thin life-cycle inventory solver over SciPy's sparse LU (see docs/labels.md for why not bw2calc).

A product system is a square **technosphere** matrix ``A`` (products × processes: outputs positive,
inputs negative), a **biosphere** matrix ``B`` (elementary flows × processes) and a final demand ``f``
(products). The supply (scaling) vector is ``s = A⁻¹ f``, the inventory ``g = B s``. Intermediate
products and loops are handled by the solve itself, not by summing flat factors.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import MatrixRankWarning, spsolve

# A technosphere is close to triangular with the processes' own outputs on the diagonal: in the natural
# column order SuperLU's factors stay nearly as sparse as A, while COLAMD's reordering (spsolve's
# default) fills them in — 27 ms against 23 s for the 10,000-process benchmark (docs/labels.md).
PERMUTATION = "NATURAL"


class SingularSystem(ValueError):
    """The technosphere has no unique solution (e.g. a loop that produces nothing net)."""


@dataclass(frozen=True)
class Exchange:
    row: int  # product (technosphere) or flow (biosphere) index
    col: int  # process index
    amount: float


@dataclass(frozen=True)
class Solution:
    supply: np.ndarray  # scaling of each process
    inventory: np.ndarray  # elementary flows, g = B s
    contributions: np.ndarray  # flows × processes, B · diag(s)


def matrix(exchanges: Sequence[Exchange], shape: tuple[int, int]) -> sparse.csc_matrix:
    if not exchanges:
        return sparse.csc_matrix(shape, dtype=float)
    rows = np.fromiter((e.row for e in exchanges), dtype=np.int64, count=len(exchanges))
    cols = np.fromiter((e.col for e in exchanges), dtype=np.int64, count=len(exchanges))
    data = np.fromiter((e.amount for e in exchanges), dtype=float, count=len(exchanges))
    return sparse.csc_matrix((data, (rows, cols)), shape=shape)  # duplicates are summed


def supply(technosphere: sparse.spmatrix, demand: np.ndarray) -> np.ndarray:
    """``A⁻¹ f``; raises ``SingularSystem`` when the system has no (finite) unique solution."""
    a = sparse.csc_matrix(technosphere)
    if a.shape[0] != a.shape[1]:
        raise SingularSystem(f"The technosphere must be square, not {a.shape[0]}×{a.shape[1]}.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", MatrixRankWarning)
        try:
            s = spsolve(a, np.asarray(demand, dtype=float), permc_spec=PERMUTATION)
        except (MatrixRankWarning, RuntimeError) as exc:
            raise SingularSystem("The product system has no unique solution (singular matrix).") from exc
    s = np.atleast_1d(np.asarray(s, dtype=float))
    if not np.all(np.isfinite(s)):
        raise SingularSystem("The product system has no unique solution (singular matrix).")
    return s


def solve(technosphere: sparse.spmatrix, biosphere: sparse.spmatrix, demand: np.ndarray) -> Solution:
    s = supply(technosphere, demand)
    b = sparse.csc_matrix(biosphere)
    contributions = b.multiply(s[np.newaxis, :]).toarray() if b.shape[0] else np.zeros((0, s.size))
    return Solution(supply=s, inventory=np.asarray(b @ s).ravel(), contributions=contributions)


def monte_carlo(
    technosphere: Sequence[Exchange],
    biosphere: Sequence[Exchange],
    shape: tuple[int, int, int],
    demand: np.ndarray,
    *,
    tech_gsd: Sequence[float],
    bio_gsd: Sequence[float],
    characterisation: np.ndarray,
    draws: int = 1000,
    seed: int = 0,
) -> np.ndarray:
    """Scores of ``draws`` samples: every exchange varies lognormally around its amount with its
    geometric standard deviation (1 = certain; signs are kept). ``shape`` is (products, processes,
    flows). Returns ``characterisation · g`` per draw."""
    products, processes, flows = shape
    t_rows = np.array([e.row for e in technosphere], dtype=np.int64)
    t_cols = np.array([e.col for e in technosphere], dtype=np.int64)
    t_base = np.array([e.amount for e in technosphere], dtype=float)
    b_rows = np.array([e.row for e in biosphere], dtype=np.int64)
    b_cols = np.array([e.col for e in biosphere], dtype=np.int64)
    b_base = np.array([e.amount for e in biosphere], dtype=float)
    t_sigma = np.log(np.asarray(tech_gsd, dtype=float))
    b_sigma = np.log(np.asarray(bio_gsd, dtype=float))
    rng = np.random.default_rng(seed)
    scores = np.empty(draws)
    for i in range(draws):
        a = sparse.csc_matrix(
            (t_base * rng.lognormal(0.0, t_sigma), (t_rows, t_cols)), shape=(products, processes)
        )
        b = sparse.csc_matrix(
            (b_base * rng.lognormal(0.0, b_sigma), (b_rows, b_cols)), shape=(flows, processes)
        )
        scores[i] = float(characterisation @ (b @ supply(a, demand)))
    return scores
