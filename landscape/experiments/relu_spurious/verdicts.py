"""The verdicts of relu spurious: each claim's rule as a pure function of the tables.

A verdict function takes the tables (by the registry entry's input names), the
:class:`~landscape.base.options.Numerics` and the entry's typed verdict options, and returns
score rows whose ``verdict`` is an :class:`~landscape.base.verdicts.Outcome`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from landscape.base.options import Numerics
from landscape.base.verdicts import Outcome, Rows, Tables, outcome
from landscape.experiments.relu_spurious.census_stats import (
    DECISIVE_FACTOR,
    cochran_armitage,
    overparameterisation_tests,
    published_comparison,
)

# Section 3b: Safran & Shamir 2018's own census files (ItaySafran/OneLayerGDconvergence,
# Results/newExp-k-n.mat, `magnitude`; config relu_spurious.published) put the share of their 1,000
# gradient-descent runs ending at a spurious family at 34.6% for k = n = 10 and above it for every
# larger k (0.3% at k = n = 6, 21.8% at 9): "common" is tested from FROM_K on. A rate whose 95%
# Wilson upper end is below COMMON contradicts "common" (tens of percent).
FROM_K = 10


COMMON = 0.10


@dataclass(frozen=True)
class SpuriousDecision:
    """The options of 3b's verdicts: config ``relu_spurious.published`` and ``.decide``."""

    published: Sequence[Mapping[str, Any]]  # Safran & Shamir's rates, one row per (k, n)
    decide: Mapping[str, Any]  # the levels fixed before the run (the schema says each)


def score_relu_spurious(tables: Tables, numerics: Numerics, options: SpuriousDecision) -> Rows:
    """Section 3b, four rows: spurious minima exist; the published rates; rising; lower at k + 1.

    Every rate counts certified minima
    (:func:`landscape.experiments.relu_spurious.relu.certify_minima`); the
    tests are
    :mod:`landscape.experiments.relu_spurious.census_stats`'s, at the levels
    ``relu_spurious.decide`` fixes before
    the run.
    """
    table = tables["summary"]
    decide = options.decide
    return [
        _spurious_exist_row(table),
        _published_rates_row(table, options.published, decide["published_alpha"]),
        _rises_with_k_row(table, decide["trend_alpha"]),
        _overparameterisation_row(
            table, decide["min_certified"], decide["overparameterisation_alpha"]
        ),
    ]


def _rates(rows: pd.DataFrame) -> str:
    return ", ".join(f"k={r.k}: {r.certified}/{r.runs}" for r in rows.itertuples())


def _spurious_exist_row(table: pd.DataFrame) -> dict[str, Any]:
    """3.spurious_minima: certified spurious minima are common at every k = n >= FROM_K.

    Holds when every tested case's 95% Wilson lower end is above 0 (the rate counts certified
    minima: ||g||^2 and a smallest Hessian eigenvalue above the derived tolerance); fails when
    some case's upper end is below :data:`COMMON` (the data rule out "common"); else undecided.
    """
    square = table[table["k"] == table["n"]].sort_values("k")
    over = table[table["n"] == table["k"] + 1].sort_values("k")
    tested = square[square["k"] >= FROM_K]
    positive = (tested["ci_low"] > 0) & (tested["certified"] > 0)
    if tested.empty:
        found = Outcome.NOT_MEASURED
    elif positive.all():
        found = Outcome.HOLDS
    elif (tested["ci_high"] < COMMON).any():
        found = Outcome.FAILS
    else:
        found = Outcome.UNDECIDED
    return {
        "claim_id": "3.spurious_minima",
        "measured": f"certified spurious minima, n = k: {_rates(square)}; n = k + 1: "
        f"{_rates(over)}",
        "tolerance": f"95% Wilson lower bound > 0 at every k = n >= {FROM_K} (an upper bound "
        f"< {COMMON:g} contradicts)",
        "verdict": outcome(found),
    }


def _published_outcome(comp: pd.DataFrame) -> Outcome:
    """Fails when a case differs; holds when none does and one could have; else undecided."""
    if comp.empty:
        return Outcome.NOT_MEASURED
    if comp["differs"].any():
        return Outcome.FAILS
    return Outcome.HOLDS if comp["decisive"].any() else Outcome.UNDECIDED


def _published_rates_row(table: pd.DataFrame, published: list, alpha: float) -> dict[str, Any]:
    """3.spurious_published_rates: no published rate differs from ours (Holm-corrected Fisher).

    A case whose test could not have told the published rate from twice or half it
    (``census_stats.could_differ``) is reported as not decisive; with no decisive case and
    no difference the row is inconclusive.
    """
    comp, missing = published_comparison(table, published, alpha)
    measured = "; ".join(
        f"k={r.k}, n={r.n}: published {r.published:.3f} of {r.published_runs}, measured "
        f"{r.rate:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}], Holm p = {r.p_holm:.2g}"
        f"{' (differs)' if r.differs else ''}{'' if r.decisive else ' (not decisive)'}"
        for r in comp.itertuples()
    )
    if comp.empty:
        measured = f"no published rate for the {len(table)} cases run"
    if missing:
        measured += f"; entries for cases not run: {', '.join(f'k={k}, n={n}' for k, n in missing)}"
    return {
        "claim_id": "3.spurious_published_rates",
        "measured": measured,
        "tolerance": f"two-sided Fisher per case, Holm-corrected p >= {alpha:g} for every case, "
        f"at least one case decisive (able to tell x{DECISIVE_FACTOR:g} or /{DECISIVE_FACTOR:g})",
        "verdict": outcome(_published_outcome(comp)),
    }


def _rises_with_k_row(table: pd.DataFrame, alpha: float) -> dict[str, Any]:
    """3.spurious_rate_rises_with_k: one-sided Cochran-Armitage over the n = k cases.

    Holds at p < alpha; fails when the trend statistic is not positive (a fall, or one rate
    throughout, all 0 say, which is no rise); a positive trend short of significance is
    undecided. Fewer than three values of k measure nothing.
    """
    square = table[table["k"] == table["n"]].sort_values("k")
    z, p = cochran_armitage(square["certified"], square["runs"], square["k"])
    if len(square) < 3:
        found = Outcome.NOT_MEASURED
    elif np.isfinite(p) and p < alpha:
        found = Outcome.HOLDS
    elif not np.isfinite(z) or z <= 0:
        found = Outcome.FAILS
    else:
        found = Outcome.UNDECIDED
    return {
        "claim_id": "3.spurious_rate_rises_with_k",
        "measured": f"n = k: {_rates(square)}; Cochran-Armitage z = {z:.2f}, one-sided p = {p:.2g}",
        "tolerance": f"p < {alpha:g}, at least 3 values of k (z <= 0 contradicts)",
        "verdict": outcome(found),
    }


def _overparameterisation_outcome(tests: pd.DataFrame) -> Outcome:
    """Holds when every decided k is lower, fails when a decided k's rate does not fall.

    A decided k whose n = k + 1 rate is not below its n = k rate contradicts; a fall short of
    significance, or no k decided (too few certified minima), is undecided.
    """
    if tests.empty:
        return Outcome.NOT_MEASURED
    decided = tests[tests["decided"]]
    if decided.empty:
        return Outcome.UNDECIDED
    if decided["lower"].all():
        return Outcome.HOLDS
    rate_square = decided["certified_square"] / decided["runs_square"]
    rate_over = decided["certified_over"] / decided["runs_over"]
    return Outcome.FAILS if (rate_over >= rate_square).any() else Outcome.UNDECIDED


def _overparameterisation_row(
    table: pd.DataFrame, min_certified: int, alpha: float
) -> dict[str, Any]:
    """3.spurious_overparameterisation_lowers_rate: one-sided Fisher at every decided k."""
    tests = overparameterisation_tests(table, min_certified, alpha)
    measured = "; ".join(
        f"k={r.k}: {r.certified_square}/{r.runs_square} vs {r.certified_over}/{r.runs_over}, "
        f"p = {r.p_value:.2g}{'' if r.decided else ' (not decided)'}"
        for r in tests.itertuples()
    )
    return {
        "claim_id": "3.spurious_overparameterisation_lowers_rate",
        "measured": measured or "no k with both n = k and n = k + 1",
        "tolerance": f"Fisher p < {alpha:g} at every k whose n = k case has >= {min_certified} "
        "certified minima (a rate at n = k + 1 not below n = k's contradicts)",
        "verdict": outcome(_overparameterisation_outcome(tests)),
    }
