"""LCA engine speed: a synthetic product system of 10,000 processes and ~100,000 exchanges.

    .venv/bin/python benchmarks/lca.py                  # 10,000 processes, 1,000 Monte Carlo draws
    .venv/bin/python benchmarks/lca.py --processes 2000 --draws 100   # quick smoke run

Times ``tanpuhui.labels.engine.solve`` (supply, inventory, contributions) against a bare
``scipy.sparse.linalg.spsolve`` of the same matrices in the same run (target: engine ≥ 0.5× the bare
speed), then ``engine.monte_carlo`` (draws/s), and prints the peak resident memory (target < 1 GB) and
the load average. No database. Each process makes its own product and takes ~9 inputs from
lower-numbered processes (an upper-triangular, always solvable system) plus one emission.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
from scipy.sparse.linalg import spsolve

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tanpuhui.labels import engine
from tanpuhui.labels.engine import Exchange


def system(n: int, per_process: int, seed: int = 1) -> tuple[list[Exchange], list[Exchange]]:
    rng = np.random.default_rng(seed)
    tech = [Exchange(j, j, 1.0) for j in range(n)]
    for j in range(1, n):
        for i in rng.choice(j, size=min(per_process, j), replace=False):
            tech.append(Exchange(int(i), j, -float(rng.uniform(0.001, 0.01))))
    bio = [Exchange(0, j, float(rng.uniform(0.1, 2.0))) for j in range(n)]
    return tech, bio


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=10_000)
    parser.add_argument("--draws", type=int, default=1_000)
    parser.add_argument("--default-order", action="store_true", help="also time spsolve's COLAMD order")
    args = parser.parse_args()
    n = args.processes
    tech, bio = system(n, 9)
    print(f"processes {n}, exchanges {len(tech) + len(bio):,}, load average {os.getloadavg()}")
    a = engine.matrix(tech, (n, n))
    b = engine.matrix(bio, (1, n))
    demand = np.zeros(n)
    demand[n - 1] = 1.0

    t = time.perf_counter()
    bare = b @ spsolve(a, demand, permc_spec="NATURAL")
    bare_s = time.perf_counter() - t
    if args.default_order:
        t = time.perf_counter()
        spsolve(a, demand)
        print(f"bare spsolve with its default COLAMD ordering: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    ours = engine.solve(a, b, demand).inventory
    ours_s = time.perf_counter() - t
    assert np.allclose(bare, ours)
    print(
        f"bare spsolve {bare_s * 1000:.1f} ms; engine.solve {ours_s * 1000:.1f} ms; speed ratio {bare_s / ours_s:.2f}×"
    )

    t = time.perf_counter()
    scores = engine.monte_carlo(
        tech,
        bio,
        (n, n, 1),
        demand,
        tech_gsd=[1.0] * n + [1.2] * (len(tech) - n),
        bio_gsd=[1.1] * len(bio),
        characterisation=np.ones(1),
        draws=args.draws,
    )
    mc_s = time.perf_counter() - t
    print(
        f"Monte Carlo {args.draws} draws in {mc_s:.1f} s = {args.draws / mc_s:.1f} draws/s; "
        f"score {float(ours[0]):.4f}, p2.5–p97.5 {np.percentile(scores, 2.5):.4f}–{np.percentile(scores, 97.5):.4f}"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak_mb:.0f} MB; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
