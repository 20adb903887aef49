"""Does the error rise with the index, when each index is only known as an interval?

Dauphin et al. (2014, Sec. 3 and Fig. 1) claim that critical points "concentrate along a
monotonically increasing curve in the eps-alpha plane" (training error against index). At a
certified point the index is read at a tolerance; where eigenvalues fall between the round-off
tolerance and the derived one (:mod:`landscape.engine.critical`), their sign is not decided and
the index is an interval [low, high]: ``low`` counts the eigenvalues below minus the derived
tolerance (certainly negative), ``high`` those below minus the round-off tolerance (possibly
negative).

The rule (ours, fixed before any run): Kendall's tau_b between index and error (tau_b, because
indices are integers with many ties; Kendall 1945), one-sided, at each end of the interval:

* an end **holds** when tau_b > 0 at p < alpha, and **fails** when tau_b <= 0 (the data lean
  against a rise); otherwise (tau_b > 0 short of significance, or a constant index) it is
  undecided;
* the claim is **replicated** when both ends hold, **not replicated** when both fail, and
  **inconclusive** otherwise: an answer that depends on how the undecided eigenvalues are
  read is no answer. With fewer than ``min_points`` points nothing is tested (undecided), and
  with none nothing was measured.

At a point where low = high (a spectral gap at the tolerance) both ends are the same test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscape.base.verdicts import Outcome


@dataclass(frozen=True)
class EndTest:
    """Kendall's tau_b of one end of the index interval against the error."""

    tau: float  # NaN where not tested
    p_value: float  # one-sided, H1: tau > 0
    outcome: Outcome


@dataclass(frozen=True)
class IntervalTrend:
    """Both ends' tests and the claim's outcome."""

    points: int
    low: EndTest  # index = certainly negative eigenvalues
    high: EndTest  # index = possibly negative eigenvalues
    outcome: Outcome


def kendall_end(error: np.ndarray, index: np.ndarray, alpha: float) -> EndTest:
    """One end's test (module docstring); a constant index or error is undecided."""
    from scipy.stats import kendalltau

    if np.unique(index).size < 2 or np.unique(error).size < 2:
        return EndTest(float("nan"), float("nan"), Outcome.UNDECIDED)
    tau, p = kendalltau(index, error, variant="b", alternative="greater")
    tau, p = float(tau), float(p)
    if tau > 0 and p < alpha:
        found = Outcome.HOLDS
    elif tau <= 0:
        found = Outcome.FAILS
    else:
        found = Outcome.UNDECIDED
    return EndTest(tau, p, found)


def interval_trend(
    error: np.ndarray, low: np.ndarray, high: np.ndarray, min_points: int, alpha: float
) -> IntervalTrend:
    """The rise of ``error`` with an index known as [low, high] at each point.

    Args:
        error: Training error of each point (k,), e.g. in percent.
        low: Its fewest negative eigenvalues (k,), at the derived tolerance.
        high: Its most (k,), at the round-off tolerance; high >= low.
        min_points: Points needed to test.
        alpha: One-sided significance level.

    Returns:
        Both ends' tests and the outcome (module docstring).

    Raises:
        ValueError: Arrays of different lengths, or some high < low.
    """
    error, low, high = (np.asarray(a, float) for a in (error, low, high))
    if not len(error) == len(low) == len(high):
        raise ValueError(
            f"error, low and high differ in length: {len(error)}, {len(low)}, {len(high)}"
        )
    if np.any(high < low):
        raise ValueError("an index interval has high < low")
    untested = EndTest(float("nan"), float("nan"), Outcome.UNDECIDED)
    if len(error) == 0:
        return IntervalTrend(0, untested, untested, Outcome.NOT_MEASURED)
    if len(error) < min_points:
        return IntervalTrend(len(error), untested, untested, Outcome.UNDECIDED)
    ends = kendall_end(error, low, alpha), kendall_end(error, high, alpha)
    outcomes = {end.outcome for end in ends}
    found = outcomes.pop() if len(outcomes) == 1 and Outcome.UNDECIDED not in outcomes else None
    return IntervalTrend(len(error), *ends, found or Outcome.UNDECIDED)
