"""The verdicts of index vs loss: each claim's rule as a pure function of the tables.

A verdict function takes the tables (by the registry entry's input names), the
:class:`~landscape.base.options.Numerics` and the entry's typed verdict options, and returns
score rows whose ``verdict`` is an :class:`~landscape.base.verdicts.Outcome`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landscape.base.options import Numerics
from landscape.base.verdicts import ALPHA, Outcome, Rows, Tables, outcome
from landscape.engine.critical import Status
from landscape.engine.spectrum import IndexTolerance
from landscape.experiments.index_vs_loss.index_vs_loss import (
    distinct_critical_points,
    index_loss_tests,
    sensitivity_points,
)

# Section 4b: distinct certified critical points a case needs to be tested, and the one-sided
# significance level of its Spearman test.
MIN_POINTS = 10


def _case_outcome(rho: float, p_value: float, alpha: float) -> Outcome:
    """One case's Spearman test: holds at rho > 0 and p < alpha, fails at rho <= 0."""
    if not np.isfinite(rho):
        return Outcome.UNDECIDED
    if rho > 0 and p_value < alpha:
        return Outcome.HOLDS
    return Outcome.FAILS if rho <= 0 else Outcome.UNDECIDED


def _describe_tests(tests: pd.DataFrame) -> tuple[Outcome, str]:
    """(the outcome over every case at one tolerance; a description).

    Holds when every tested case holds; fails when a tested case has rho <= 0; otherwise
    (a positive rho short of significance, or no case with enough points) undecided.
    """
    tested = tests[tests["holds"].notna()]
    parts = [
        f"{r.case}: rho = {r.rho:.2f} (p = {r.p_value:.1g}, {r.points} points)"
        for r in tested.itertuples()
    ]
    skipped = [f"{r.case} ({r.points})" for r in tests[tests["holds"].isna()].itertuples()]
    if skipped:
        parts.append(f"too few to test: {', '.join(skipped)}")
    cases = [_case_outcome(r.rho, r.p_value, ALPHA) for r in tested.itertuples()]
    if tests.empty:
        found = Outcome.NOT_MEASURED
    elif cases and all(c == Outcome.HOLDS for c in cases):
        found = Outcome.HOLDS
    elif Outcome.FAILS in cases:
        found = Outcome.FAILS
    else:
        found = Outcome.UNDECIDED
    return found, "; ".join(parts) or "no case"


def _word(found: Outcome) -> str:
    return "untested" if found == Outcome.NOT_MEASURED else str(found)


def score_index_vs_loss(tables: Tables, numerics: Numerics, options: None) -> Rows:
    """4.index_grows_with_loss: Spearman rho(loss, index) > 0 in every testable case.

    Decided at the derived eigenvalue tolerance (round-off plus sqrt(M ||g||), see
    :mod:`landscape.engine.critical`); the row says at how many of the four
    :class:`~landscape.engine.spectrum.IndexTolerance` the verdict is the same.
    """
    table = tables["table"]
    tests = index_loss_tests(sensitivity_points(table), MIN_POINTS, ALPHA)
    at = {tol: _describe_tests(tests[tests["tolerance"] == tol]) for tol in IndexTolerance}
    verdicts = {tol: holds for tol, (holds, _) in at.items()}
    holds, described = at[IndexTolerance.DERIVED]
    if holds == Outcome.NOT_MEASURED and len(table):
        holds = Outcome.UNDECIDED  # end points, none certified: run, but nothing to test
    agree = sum(v == holds for v in verdicts.values())
    crit = table[table["status"] == Status.CRITICAL]
    n_distinct = len(distinct_critical_points(table))
    others = ", ".join(f"{tol.value}: {_word(v)}" for tol, v in verdicts.items())
    measured = (
        f"{len(crit)} certified end points, {n_distinct} distinct; at the derived "
        f"tolerance: {described}; same verdict at {agree}/{len(verdicts)} tolerances "
        f"({others})"
    )
    median_tol = float(crit["eig_tol"].median()) if len(crit) else float("nan")
    return [
        {
            "claim_id": "4.index_grows_with_loss",
            "measured": measured,
            "tolerance": f"derived eigenvalue tolerance (round-off + sqrt(M ||g||), median "
            f"{median_tol:.2g}); Spearman rho > 0 at one-sided p < {ALPHA} in every case with "
            f">= {MIN_POINTS} distinct certified points",
            "verdict": outcome(holds),
        }
    ]
