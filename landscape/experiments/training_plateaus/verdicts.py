"""The verdicts of training plateaus: each claim's rule as a pure function of the tables.

A verdict function takes the tables (by the registry entry's input names), the
:class:`~landscape.base.options.Numerics` and the entry's typed verdict options, and returns
score rows whose ``verdict`` is an :class:`~landscape.base.verdicts.Outcome`.
"""

from __future__ import annotations

from landscape.base.options import Numerics
from landscape.base.verdicts import Rows, Tables, outcome
from landscape.engine.critical import is_local_minimum


def score_training_plateaus(tables: Tables, numerics: Numerics, options: None) -> Rows:
    """1.stopped_not_minimum: plateau points with negative eigenvalues exist."""
    summary = tables["summary"]
    stuck = summary[summary["point"] == "plateau"]
    n = len(stuck)
    pairs = zip(stuck.status, stuck.definiteness, strict=True)
    minima = sum(is_local_minimum(s, d) for s, d in pairs)
    negative = stuck[stuck["n_negative"] > 0]
    if n == 0:
        measured = "no plateau found: the loss never stalled by the configured criterion"
        holds = None
    else:
        worst = f"; largest index {stuck['index'].max():.4f}" if len(negative) else ""
        measured = (
            f"{len(negative)}/{n} plateau points have negative eigenvalues{worst}; "
            f"{minima}/{n} are certified local minima"
        )
        holds = len(negative) > 0
    return [
        {
            "claim_id": "1.stopped_not_minimum",
            "measured": measured,
            "tolerance": "exact counts; negative = below -eig_tol; minimum = |g|^2 <= threshold "
            "and positive definite Hessian",
            "verdict": outcome(holds),
        }
    ]
