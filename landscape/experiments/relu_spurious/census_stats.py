"""Section 3b's census against Safran & Shamir 2018: the tests behind its three verdicts.

The claim (Safran & Shamir 2018, abstract; their census files, relu_spurious.published): the
probability that gradient descent ends in a spurious local minimum is "quite high, and
increasing with the network size", and "mild over-parameterization appears to drastically
reduce" it. Each part is a test on the census's certified counts
(:data:`landscape.experiments.relu_spurious.relu.CASE_COLUMNS`: ``certified`` of ``runs``):

- **Published rates**: per case, a two-sided Fisher exact test of the published count
  (rate x their runs) against ours, Holm's step-down correction over the cases compared (Holm
  1979), at a family-wise level (:func:`published_comparison`). Their rate is itself an
  estimate: asking it to fall inside our interval would fail about one case in six at equal
  true rates, and a table of 30 cases almost surely.
- **Rising with k**: the Cochran-Armitage test for a linear trend in proportions (Armitage 1955;
  Agresti, *Categorical Data Analysis*, 3rd ed., Section 5.3.5), one-sided, over the n = k cases
  (:func:`cochran_armitage`).
- **Lower at n = k + 1**: per k, Fisher's exact test on the 2 x 2 table (certified, not) x
  (n = k, n = k + 1), one-sided (:func:`overparameterisation_tests`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import fisher_exact, norm

COMPARISON_COLUMNS = [
    "k",
    "n",
    "published",
    "published_runs",
    "certified",
    "runs",
    "rate",
    "ci_low",
    "ci_high",
    "p_value",
    "p_holm",
    "differs",
    "decisive",
]
# A published comparison is decisive when, at its run counts, the same test would have told
# the published rate from this factor times it (or from it divided by this factor).
DECISIVE_FACTOR = 2.0
LOWER_COLUMNS = [
    "k",
    "certified_square",
    "runs_square",
    "certified_over",
    "runs_over",
    "p_value",
    "decided",
    "lower",
]


def cochran_armitage(
    successes: Sequence[int], trials: Sequence[int], scores: Sequence[float]
) -> tuple[float, float]:
    """The Cochran-Armitage trend statistic and its one-sided p-value (rising rates).

    With x_i successes of n_i trials at score s_i, N = sum n_i, p = sum x_i / N and
    s_bar = sum n_i s_i / N:

        T = sum x_i (s_i - s_bar),   Var T = p (1 - p) sum n_i (s_i - s_bar)^2,
        z = T / sqrt(Var T),

    and the p-value is P(Z >= z) for a standard normal Z (Agresti 2013, Section 5.3.5).

    Args:
        successes: x_i per group.
        trials: n_i per group (> 0).
        scores: s_i per group (here k).

    Returns:
        (z, one-sided p); (nan, nan) when the variance is 0 (every rate 0, or every rate 1, or
        a single score).
    """
    x, n, s = (np.asarray(a, dtype=float) for a in (successes, trials, scores))
    total = n.sum()
    if not total > 0:
        return float("nan"), float("nan")
    p = x.sum() / total
    s_bar = (n * s).sum() / total
    var = p * (1 - p) * (n * (s - s_bar) ** 2).sum()
    if not var > 0:
        return float("nan"), float("nan")
    z = float((x * (s - s_bar)).sum() / math.sqrt(var))
    return z, float(norm.sf(z))


def published_comparison(
    table: pd.DataFrame, published: Sequence[dict], alpha: float
) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """Each published (k, n, rate, runs) against the measured case: does the rate differ?

    Args:
        table: Case summaries (``landscape.experiments.relu_spurious.relu.CASE_COLUMNS``).
        published: Entries {k, n, rate, runs} (config ``relu_spurious.published``).
        alpha: Family-wise level of the Holm-corrected tests.

    Returns:
        (one row per published case that was run, :data:`COMPARISON_COLUMNS`; the (k, n) of
        the entries whose case was not run). ``decisive`` says whether the case's test had the
        power to differ: a measured rate :data:`DECISIVE_FACTOR` times the published one, or
        that factor below it, would have given p < ``alpha`` at the same run counts
        (:func:`could_differ`).

    Raises:
        ValueError: When two entries name the same (k, n).
    """
    keys = [(int(e["k"]), int(e["n"])) for e in published]
    if len(set(keys)) < len(keys):
        twice = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"relu_spurious.published names (k, n) = {twice} more than once")
    rows, missing = [], []
    for entry in published:
        case = table[(table["k"] == entry["k"]) & (table["n"] == entry["n"])]
        if case.empty:
            missing.append((int(entry["k"]), int(entry["n"])))
            continue
        c = case.iloc[0]
        theirs = round(float(entry["rate"]) * int(entry["runs"]))
        counts = [
            [theirs, int(entry["runs"]) - theirs],
            [int(c["certified"]), int(c["runs"] - c["certified"])],
        ]
        rows.append(
            {
                "k": int(c["k"]),
                "n": int(c["n"]),
                "published": float(entry["rate"]),
                "published_runs": int(entry["runs"]),
                "certified": int(c["certified"]),
                "runs": int(c["runs"]),
                "rate": float(c["certified_fraction"]),
                "ci_low": float(c["ci_low"]),
                "ci_high": float(c["ci_high"]),
                "p_value": float(fisher_exact(counts).pvalue),
                "decisive": could_differ(
                    float(entry["rate"]), int(entry["runs"]), int(c["runs"]), alpha
                ),
            }
        )
    out = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    out["decisive"] = out["decisive"].astype(bool)
    out["p_holm"] = holm(out["p_value"].to_numpy())
    out["differs"] = out["p_holm"] < alpha
    return out, missing


def could_differ(rate: float, published_runs: int, runs: int, alpha: float) -> bool:
    """Whether a two-sided Fisher test at these run counts could tell ``rate`` from another.

    The other rate is :data:`DECISIVE_FACTOR` times larger (capped at 1) or smaller; the
    test is at level ``alpha``. A test that could not is no evidence of agreement: its case
    is reported, not counted.
    """
    theirs = round(rate * published_runs)
    for other in (min(1.0, rate * DECISIVE_FACTOR), rate / DECISIVE_FACTOR):
        ours = round(other * runs)
        counts = [[theirs, published_runs - theirs], [ours, runs - ours]]
        if fisher_exact(counts).pvalue < alpha:
            return True
    return False


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (Holm 1979): reject where adjusted p < alpha.

    The i-th smallest of m p-values is multiplied by m - i + 1 (i from 1), then made
    non-decreasing in that order and capped at 1.
    """
    order = np.argsort(p)
    scaled = p[order] * (len(p) - np.arange(len(p)))
    adjusted = np.empty_like(p, dtype=float)
    adjusted[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return adjusted


def overparameterisation_tests(
    table: pd.DataFrame, min_certified: int, alpha: float
) -> pd.DataFrame:
    """Per k with both n = k and n = k + 1: is the n = k + 1 rate lower (one-sided Fisher)?

    Args:
        table: Case summaries (``landscape.experiments.relu_spurious.relu.CASE_COLUMNS``).
        min_certified: A k is decided only when its n = k case has at least this many certified
            minima (config ``relu_spurious.decide.min_certified``).
        alpha: Level of each test.

    Returns:
        One row per k (:data:`LOWER_COLUMNS`); ``lower`` is the test's outcome where ``decided``.
    """
    square = table[table["n"] == table["k"]].set_index("k")
    over = table[table["n"] == table["k"] + 1].set_index("k")
    rows = []
    for k in sorted(set(square.index) & set(over.index)):
        a, b = square.loc[k], over.loc[k]
        counts = [
            [int(a["certified"]), int(a["runs"] - a["certified"])],
            [int(b["certified"]), int(b["runs"] - b["certified"])],
        ]
        p = float(fisher_exact(counts, alternative="greater").pvalue)
        decided = int(a["certified"]) >= min_certified
        rows.append(
            {
                "k": int(k),
                "certified_square": counts[0][0],
                "runs_square": int(a["runs"]),
                "certified_over": counts[1][0],
                "runs_over": int(b["runs"]),
                "p_value": p,
                "decided": decided,
                "lower": decided and p < alpha,
            }
        )
    return pd.DataFrame(rows, columns=LOWER_COLUMNS)
