"""The verdicts of deep linear: each claim's rule as a pure function of the tables.

A verdict function takes the tables (by the registry entry's input names), the
:class:`~landscape.base.options.Numerics` and the entry's typed verdict options, and returns
score rows whose ``verdict`` is an :class:`~landscape.base.verdicts.Outcome`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from landscape.base.options import Numerics
from landscape.base.verdicts import Rows, Tables, outcome
from landscape.engine.critical import Status


def _origin(table: pd.DataFrame, layers: int) -> pd.Series | None:
    """The row of the origin of the k-layer toy loss (None when the table lacks it)."""
    rows = table[(table["layers"] == layers) & (table["where"] == "origin")]
    return rows.iloc[0] if len(rows) else None


def score_deep_linear_toy(tables: Tables, numerics: Numerics, options: None) -> Rows:
    """2.toy_saddle and 2.toy_flat_saddle (checks: Hessians of closed forms at the origin)."""
    table = tables["table"]
    two, three = _origin(table, 2), _origin(table, 3)
    missing = "no row for the origin in the table"
    return [
        {
            "claim_id": "2.toy_saddle",
            "measured": missing
            if two is None
            else f"eigenvalues {two.eig_1:g}, {two.eig_2:g} "
            f"(autograd; closed form agrees to {two.max_abs_diff:.2g}); gradient zero: "
            f"{bool(two.critical)}",
            "tolerance": "exact",
            "verdict": outcome(None if two is None else bool(two.matches_derived and two.critical)),
        },
        {
            "claim_id": "2.toy_flat_saddle",
            "measured": missing
            if three is None
            else f"eigenvalues {three.eig_1:g}, "
            f"{three.eig_2:g}, {three.eig_3:g} (closed form agrees to {three.max_abs_diff:.2g}); "
            f"gradient zero: {bool(three.critical)}",
            "tolerance": "exact",
            "verdict": outcome(
                None if three is None else bool(three.matches_derived and three.critical),
            ),
        },
    ]


@dataclass(frozen=True)
class OptimumDecision:
    """The options of 2b's verdict: config ``deep_linear.gap_tolerance``."""

    gap_tolerance: float  # a certified minimum within this of the optimum's loss is global


def score_deep_linear_optimum(tables: Tables, numerics: Numerics, options: OptimumDecision) -> Rows:
    """2.no_bad_minima: every certified deep linear network is at the closed-form optimum."""
    table = tables["runs"]
    certified = table[table["status"] == Status.CRITICAL]
    minima = certified[certified["n_negative"] == 0]
    at = int(certified["at_optimum"].sum())
    bad = minima[~minima["at_optimum"].astype(bool)]  # certified, no descent direction, above
    others = table[table["status"] != Status.CRITICAL]["status"].value_counts().to_dict()
    tol = options.gap_tolerance
    near = certified[(certified["rel_gap"] < tol) & (certified["n_negative"] > 0)]
    measured = (
        f"{at}/{len(certified)} certified runs at the optimum (gap < {tol:g}, index 0); "
        f"largest certified gap {certified['rel_gap'].max():.2g}; "
        f"{len(bad)} certified minima above it; "
        f"{len(near)} certified at the optimum's loss but with eigenvalues below -tol "
        f"(as many as {int(near['n_negative'].max()) if len(near) else 0}); not certified: "
        + (", ".join(f"{n} {s}" for s, n in others.items()) or "none")
        + f" (of {len(table)} runs)"
    )
    return [
        {
            "claim_id": "2.no_bad_minima",
            "measured": measured,
            "tolerance": f"relative gap < {tol:g}; index 0 at the derived tolerance "
            "(factor * P * eps * max|lambda| + sqrt(M ||g||))",
            "verdict": outcome(at == len(certified) if len(certified) else None),
        }
    ]


def score_deep_linear_saddles(tables: Tables, numerics: Numerics, options: None) -> Rows:
    """2.one_layer_strict_saddles, 2.flat_saddles and 2.saddles_analytic.

    Only flat saddles other than the origin decide 2.flat_saddles: the origin's Hessian is zero by
    construction for two or more hidden layers, so counting it could not fail. The others
    (analytic, or found by Newton-MR) have a spectrum that is computed, not constructed.
    """
    table = tables["table"]
    saddles = table[table["kind"].isin(["strict saddle", "flat saddle"])]
    one = saddles[saddles["depth"] == 1]
    deep = saddles[saddles["depth"] >= 2]
    strict_one = int((one["kind"] == "strict saddle").sum())
    flat = deep[deep["kind"] == "flat saddle"]
    flat_found = flat[~flat["source"].str.startswith("analytic")]
    found = table[~table["source"].str.startswith("analytic")]
    searched = found[found["status"] == Status.CRITICAL]
    uncertified = len(found) - len(searched)
    origin_loss = table.loc[table["source"] == "analytic {}", "loss"].max()
    away = flat[flat["loss"] < origin_loss * (1 - 1e-9)]  # flat saddles other than the origin
    matched = int(searched["matches_analytic"].sum())
    deep_points = table[table["depth"] >= 2]  # every point with 2+ hidden layers
    return [
        {
            "claim_id": "2.one_layer_strict_saddles",
            "measured": f"{strict_one}/{len(one)} non-global critical points with one hidden "
            "layer have a negative eigenvalue (analytic and found)",
            "tolerance": "exact count; negative = below -tol, tol relative to the problem's "
            "curvature scale",
            "verdict": outcome(strict_one == len(one) if len(one) else None),
        },
        {
            "claim_id": "2.flat_saddles",
            "measured": f"{len(flat)} flat saddles (non-global, no negative eigenvalue) with 2 or "
            f"more hidden layers ({len(away)} away from the origin), {len(flat_found)} of them "
            f"found by Newton-MR; depth 1: "
            f"{int((one['kind'] == 'flat saddle').sum())}",
            "tolerance": "exact count of flat saddles other than the origin (whose Hessian is "
            "zero by construction); as above",
            "verdict": outcome(len(away) > 0 if len(deep_points) else None),
        },
        {
            "claim_id": "2.saddles_analytic",
            "measured": f"{matched}/{len(searched)} certified points found by Newton-MR have an "
            "analytic critical value 1/2 sum_{i not in I} s_i^2"
            f" ({uncertified} of {len(found)} searches not certified, not counted)",
            "tolerance": "relative loss error < 1e-6",
            "verdict": outcome(matched == len(searched) if len(searched) else None),
        },
    ]
