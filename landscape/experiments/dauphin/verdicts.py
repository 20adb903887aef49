"""The verdicts of Dauphin's experiment: each claim's rule as a pure function of the ends table.

Claim: critical points "concentrate along a monotonically increasing curve in the eps-alpha
plane" (Dauphin et al. 2014, Sec. 3, Fig. 1a/c): training error rises with the index. Two
rules, fixed before any run (ours):

* **their procedure**: over every finite end (they report no cutoff), Kendall's tau_b of the
  error against the index at the round-off tolerance (the full eigendecomposition's own
  accuracy, what they would have read), one-sided, per setting
  (:func:`.interval_trend.kendall_end`);
* **certified**: over the distinct certified ends of either stage (their Newton's ends, and
  Newton-MR continued from them, ours; ||g||^2 <= threshold, polished), the index an interval
  [derived, round-off] and both ends tested (:func:`.interval_trend.interval_trend`).

Each setting gives holds / fails / undecided; the row is ``replicated`` when every setting
holds, ``not replicated`` when one fails, ``inconclusive`` otherwise (one short of significance,
or a setting with fewer than ``min_points`` points), ``not run`` with no ends. The shares of
certified, gradient-flat and not converged ends go into both rows' text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from landscape.base.options import Numerics
from landscape.base.verdicts import ALPHA, Outcome, Rows, Tables
from landscape.engine.critical import Status
from landscape.experiments.dauphin.dauphin import Stage, distinct_certified
from landscape.experiments.dauphin.interval_trend import interval_trend, kendall_end

STAGE_WORDS = {Stage.NEWTON: "their Newton", Stage.CONTINUED: "then Newton-MR (ours)"}


@dataclass(frozen=True)
class DauphinDecision:
    """The rows' rules (config ``dauphin.decide``; ours, fixed before the run)."""

    min_points: int = 10  # points a setting needs to be tested
    alpha: float = ALPHA  # one-sided significance level


def combine(outcomes: list[Outcome]) -> Outcome:
    """Every setting holds: HOLDS; one fails: FAILS; none: NOT_MEASURED; else UNDECIDED."""
    if not outcomes:
        return Outcome.NOT_MEASURED
    if Outcome.FAILS in outcomes:
        return Outcome.FAILS
    if all(o == Outcome.HOLDS for o in outcomes):
        return Outcome.HOLDS
    return Outcome.UNDECIDED


def status_shares(ends: pd.DataFrame) -> str:
    """Per setting and stage: how many ends are certified, gradient-flat, not converged, ..."""
    parts = []
    for (setting, stage), grp in ends.groupby(["setting", "stage"], sort=False):
        counts = grp["status"].value_counts()
        shown = ", ".join(f"{int(counts.get(s, 0))} {s}" for s in Status if counts.get(s, 0))
        parts.append(f"{setting} {STAGE_WORDS.get(stage, stage)}: {shown} of {len(grp)}")
    return "; ".join(parts)


def _procedure_tests(ends: pd.DataFrame, options: DauphinDecision) -> tuple[list, list]:
    """(outcomes, descriptions) of the round-off index test per setting, every finite end."""
    outcomes, parts = [], []
    theirs = ends[ends["stage"] == Stage.NEWTON]
    for setting, grp in theirs.groupby("setting", sort=False):
        grp = grp[grp["status"] != Status.DIVERGED]
        if len(grp) < options.min_points:
            outcomes.append(Outcome.UNDECIDED)
            parts.append(f"{setting}: {len(grp)} finite ends, too few")
            continue
        end = kendall_end(grp["error"].to_numpy(), grp["index_roundoff"].to_numpy(), options.alpha)
        outcomes.append(end.outcome)
        parts.append(f"{setting}: tau_b = {end.tau:.2f} (p = {end.p_value:.2g}, {len(grp)} ends)")
    return outcomes, parts


def _certified_tests(ends: pd.DataFrame, options: DauphinDecision) -> tuple[list, list]:
    """(outcomes, descriptions) of the interval test per setting, distinct certified ends."""
    crit = distinct_certified(ends)
    outcomes, parts = [], []
    for setting in ends["setting"].unique():
        grp = crit[crit["setting"] == setting]
        trend = interval_trend(
            grp["error"].to_numpy(),
            grp["n_negative_derived"].to_numpy(),
            grp["n_negative_roundoff"].to_numpy(),
            options.min_points,
            options.alpha,
        )
        found = Outcome.UNDECIDED if trend.outcome == Outcome.NOT_MEASURED else trend.outcome
        outcomes.append(found)
        if trend.points < options.min_points:
            parts.append(f"{setting}: {trend.points} distinct certified, too few")
        else:
            parts.append(
                f"{setting}: tau_b = {trend.low.tau:.2f} / {trend.high.tau:.2f} at the "
                f"certain / possible index (p = {trend.low.p_value:.2g} / "
                f"{trend.high.p_value:.2g}, {trend.points} points)"
            )
    return outcomes, parts


def score_dauphin(tables: Tables, numerics: Numerics, options: DauphinDecision) -> Rows:
    """The two rows: their procedure, and certified (module docstring)."""
    ends = tables["ends"]
    shares = status_shares(ends) or "no ends"
    rule = (
        f"Kendall tau_b > 0 at one-sided p < {options.alpha} holds, tau_b <= 0 contradicts, "
        f">= {options.min_points} points"
    )
    rows = []
    for claim_id, tests, tolerance in (
        (
            "4.error_grows_with_index_published_procedure",
            _procedure_tests,
            f"index at the round-off tolerance, every finite end; {rule} per setting",
        ),
        (
            "4.error_grows_with_index_certified",
            _certified_tests,
            f"certified ends (||g||^2 <= {numerics.grad_norm_sq_threshold:g}, polished), index "
            f"interval [derived, round-off], both ends; {rule} per setting",
        ),
    ):
        outcomes, parts = tests(ends, options)
        found = combine(outcomes) if len(ends) else Outcome.NOT_MEASURED
        rows.append(
            {
                "claim_id": claim_id,
                "measured": "; ".join(parts) + f". Ends: {shares}",
                "tolerance": tolerance,
                "verdict": found,
            }
        )
    return rows
