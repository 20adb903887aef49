"""Measurement: section 4c's searches in Pennington & Bahri's setting at budgets above the default.

With gradient-norm minimisation at 500 iterations and dense Newton-MR at 60 (the settings before
2026-11-30), the default run had too few points to fit the 3/2 law in their setting (4 and 0
gradient-norm ends under the cutoff, 0 and 1 certified saddles). This asks whether a larger
budget or the matrix-free solver changes that, on starts held out from every config
(``--seed 100``): the same problem (``memorisation_problem``), snapshots (``starting_points``)
and certification as ``memorisation_case`` (``memorisation_search_options``), with the
iterations and solver given here. As in ``memorisation_case``, the k-th phi's data use seed + k:
runs are paired only when given the same ``--phis`` list.

Prints, per phi and method, the end points by status, how many pass Pennington & Bahri's cutoff
(||grad eps||^2 <= ``index_fit.published_cutoff``, eps = loss / n) and, of those, how many
have a round-off index in (0, ``index_fit.max_index``] (the points their fit uses), and the
certified points of small index (the certified fit's). Writes
``results/bench/memorisation_budget.csv`` (every end point). Run from the repository root:
``.venv/bin/python bench/memorisation_budget.py --method newton_mr --solver minres``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from landscape.base.options import Numerics
from landscape.base.vocabulary import Status
from landscape.experiments.index_fit.memorisation import (
    memorisation_problem,
    memorisation_search_options,
    published_points,
    with_energy,
)
from landscape.experiments.index_vs_loss.index_vs_loss import SearchOptions, search
from landscape.pipeline.config import load_config

ROOT = Path(__file__).resolve().parents[1]


def parse_args() -> argparse.Namespace:
    """The command line: phis, method, solver, budget, starts and seed."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--phis", type=float, nargs="+", default=[0.25, 0.5])
    p.add_argument("--method", choices=["newton_mr", "gradient_norm"], default="newton_mr")
    p.add_argument("--solver", choices=["eigh", "minres"], default="minres")
    p.add_argument("--iterations", type=int, default=300, help="Newton-MR or gradient-norm")
    p.add_argument("--minres-maxiter", type=int, default=50)
    p.add_argument("--networks", type=int, default=4, help="gradient-descent trajectories")
    p.add_argument("--seed", type=int, default=100, help="held out: configs use 0 and up")
    return p.parse_args()


def summary(table: pd.DataFrame, cfg: dict, method: str) -> dict:
    """One row: statuses, ends under the cutoff and points each fit could use."""
    cut = published_points(table, cfg["published_cutoff"], method)  # index at round-off
    cut = cut[cut["energy"] >= cfg["min_loss"]]
    small_roundoff = (cut["index"] > 0) & (cut["index"] <= cfg["max_index"])
    small = (table["index"] > 0) & (table["index"] <= cfg["max_index"])
    return {
        **table["status"].value_counts().to_dict(),
        "under_cutoff": len(cut),
        "under_cutoff_small_index": int(small_roundoff.sum()),
        "cutoff_energy_range": f"{cut['energy'].min():.3f}-{cut['energy'].max():.3f}"
        if len(cut)
        else "",
        "certified_small_index": int((small & (table["status"] == Status.CRITICAL)).sum()),
        "median_grad_norm_sq": float(table["grad_norm_sq"].median()),
    }


def main() -> None:
    """Search at the given budget per phi; print the summary, write every end point."""
    args = parse_args()
    config = load_config(ROOT / "config.yaml")
    cfg, numerics = config["index_fit"], Numerics.from_config(config["numerics"])
    opts = replace(
        memorisation_search_options(SearchOptions.from_config({**cfg, "seed": args.seed})),
        methods=(args.method,),
        networks=args.networks,
        max_iter=args.iterations,
        gradient_norm_max_iter=args.iterations,
        solver=args.solver,
        minres_maxiter=args.minres_maxiter,
    )
    tables, rows = [], []
    for k, phi in enumerate(args.phis):
        problem = memorisation_problem(cfg["width"], phi, args.seed + k)
        start = time.perf_counter()
        table, _ = search(problem, opts, numerics, print)
        table = with_energy(table, cfg["width"]).assign(phi=phi)
        rows.append(
            {
                "phi": phi,
                "method": args.method,
                "solver": args.solver,
                "iterations": args.iterations,
                "starts": len(table),
                "seconds": round(time.perf_counter() - start, 1),
                **summary(table, cfg, args.method),
            }
        )
        tables.append(table)
    print(pd.DataFrame(rows).to_string(index=False))
    out = ROOT / "results" / "bench" / "memorisation_budget.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    pd.concat(tables).to_csv(out, index=False)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
