"""The verdicts of toys: each claim's rule as a pure function of the tables.

A verdict function takes the tables (by the registry entry's input names), the
:class:`~landscape.base.options.Numerics` and the entry's typed verdict options, and returns
score rows whose ``verdict`` is an :class:`~landscape.base.verdicts.Outcome`.
"""

from __future__ import annotations

from landscape.base.options import Numerics
from landscape.base.verdicts import Rows, Tables, outcome
from landscape.base.vocabulary import MINIMA


def score_toy_critical_points(tables: Tables, numerics: Numerics, options: None) -> Rows:
    """1.toy_classification (a check: the gallery's points are known by construction)."""
    table = tables["table"]
    k, n = int(table["matches"].sum()), len(table)
    return [
        {
            "claim_id": "1.toy_classification",
            "measured": f"{k}/{n} known critical points classified as derived",
            "tolerance": "exact (eigenvalue signs with the stated tolerance)",
            "verdict": outcome(k == n if n else None),
        }
    ]


def score_newton_vs_gd(tables: Tables, numerics: Numerics, options: None) -> Rows:
    """1.newton_attracted (a check: Newton's fixed points) and 1.gd_escapes_saddles."""
    runs = tables["runs"]
    # Section 1b: a descent method should stay at MINIMA's kinds and leave every other one.
    near = runs[~runs["near_kind"].isin(MINIMA)]  # saddles, maxima, degenerate points
    newton = near[near["method"] == "newton"]
    gd = near[near["method"] == "gd"]
    k_newton, k_gd = int(newton["returned"].sum()), int(gd["escaped"].sum())
    all_newton = runs[runs["method"] == "newton"]
    return [
        {
            "claim_id": "1.newton_attracted",
            "measured": f"{k_newton}/{len(newton)} Newton runs started near saddles, maxima and "
            f"degenerate points end certified at that point "
            f"({int(all_newton['returned'].sum())}/{len(all_newton)} over all starts)",
            "tolerance": "exact count; certified = |g|^2 <= threshold, same kind of point",
            "verdict": outcome(k_newton == len(newton) if len(newton) else None),
        },
        {
            "claim_id": "1.gd_escapes_saddles",
            "measured": f"{k_gd}/{len(gd)} gradient-descent runs from the same starts escape "
            "(to a minimum, or diverging where the function is unbounded below)",
            "tolerance": "exact count; escaped = ends > 5 perturbation radii away, or diverged",
            "verdict": outcome(k_gd == len(gd) if len(gd) else None),
        },
    ]
