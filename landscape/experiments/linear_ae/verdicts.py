"""The verdicts of linear ae: each claim's rule as a pure function of the tables.

A verdict function takes the tables (by the registry entry's input names), the
:class:`~landscape.base.options.Numerics` and the entry's typed verdict options, and returns
score rows whose ``verdict`` is an :class:`~landscape.base.verdicts.Outcome`.
"""

from __future__ import annotations

import pandas as pd
from scipy.stats import fisher_exact

from landscape.base.options import Numerics
from landscape.base.verdicts import ALPHA, Outcome, Rows, Tables, outcome
from landscape.engine.critical import Status
from landscape.engine.stats import wilson_interval
from landscape.experiments.linear_ae.linear_ae import PUBLISHED_RATES
from landscape.experiments.relu_spurious.census_stats import (
    could_differ,
)


def score_linear_ae_critical_points(tables: Tables, numerics: Numerics, options: None) -> Rows:
    """One row per finder against Frye et al. 2019's rate, and 2.linear_ae_exact.

    Two-sided: their rate is an estimate from 100 or 60 runs (thesis Table 3.1), so a finder
    replicates when a two-sided Fisher exact test of its certified count against theirs does not
    differ at level :data:`ALPHA`, and the test could have told their rate from twice or half it
    (:func:`landscape.experiments.relu_spurious.census_stats.could_differ`); a rate clearly above
    theirs is as
    much a failure to reproduce as one below.
    """
    table = tables["table"]
    rows = [
        _finder_rate_row(table, method, *published) for method, published in PUBLISHED_RATES.items()
    ]
    sweep = tables["sweep"].groupby("pinv_rtol")[["certified", "runs"]].sum()
    rows[0]["measured"] += "; pinv_rtol sweep (held-out seeds): " + ", ".join(
        f"{rtol:g}: {r.certified / r.runs:.0%}" for rtol, r in sweep.iterrows()
    )
    certified = table[table["status"] == Status.CRITICAL]
    matched = int(certified["matches_analytic"].sum())
    rows.append(
        {
            "claim_id": "2.linear_ae_exact",
            "measured": f"{matched}/{len(certified)} certified points match (all finders)",
            "tolerance": "loss 1e-6 relative, index exact",
            "verdict": outcome(matched == len(certified) if len(certified) else None),
        }
    )
    return rows


def _finder_rate_row(table: pd.DataFrame, method: str, rate: float, their_runs: int) -> dict:
    """2.linear_ae_<method>: does its certified count differ from their ``rate`` of runs?"""
    runs = table[table["method"] == method]
    k, n = int((runs["status"] == Status.CRITICAL).sum()), len(runs)
    claim_id = f"2.linear_ae_{method}"
    found, measured = Outcome.NOT_MEASURED, f"no {method} search"
    if n:
        low, high = wilson_interval(k, n)
        theirs = round(rate * their_runs)
        p = float(fisher_exact([[k, n - k], [theirs, their_runs - theirs]]).pvalue)
        decisive = could_differ(rate, their_runs, n, ALPHA)
        measured = (
            f"{k}/{n} = {k / n:.1%} certified (95% CI {low:.1%}-{high:.1%}); theirs "
            f"{theirs}/{their_runs}; Fisher p = {p:.2g}"
            f"{'' if decisive else ' (not decisive)'}"
        )
        found = Outcome.FAILS if p < ALPHA else Outcome.HOLDS if decisive else Outcome.UNDECIDED
    return {
        "claim_id": claim_id,
        "measured": measured,
        "tolerance": f"two-sided Fisher exact test against the published {rate:.0%} of "
        f"{their_runs} runs, p >= {ALPHA}",
        "verdict": outcome(found),
    }
