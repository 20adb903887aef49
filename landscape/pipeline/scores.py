"""Verdicts: every claim's rule as a pure function of the tables and the typed numerics.

Each ``score_<experiment>`` takes the experiment's tables (a mapping from the input names of
:data:`landscape.pipeline.sections.EXPERIMENTS` to DataFrames), the
:class:`~landscape.base.options.Numerics` and the config values its entry names (``settings``, by
dotted key), and returns score rows (columns
:data:`landscape.pipeline.scorecard.SCORE_COLUMNS`). A rule says whether the claim held (``True``),
failed (``False``) or could not be decided on what was measured (``None``);
:func:`landscape.pipeline.scorecard.verdict` turns that into the claim's verdict class:
``replicated`` / ``not replicated`` for a claim from a paper, ``check passed`` / ``check failed``
for a demonstration that the machinery is right (a claim that cannot fail by construction), and
``not run``. Every rule is tested on inputs that must give each outcome (tests/test_scores.py).
"""

# Over 600 lines: every section's verdict function sits here until each moves into its
# experiment's module as an Outcome-returning scorer (issue 30, item 1, not done).
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import fisher_exact

from landscape.base.options import Numerics
from landscape.base.verdicts import Outcome
from landscape.base.vocabulary import MINIMA
from landscape.engine.critical import Status, is_local_minimum
from landscape.engine.spectrum import IndexTolerance
from landscape.engine.stats import wilson_interval
from landscape.experiments.census_stats import (
    DECISIVE_FACTOR,
    cochran_armitage,
    could_differ,
    overparameterisation_tests,
    published_comparison,
)
from landscape.experiments.index_fit import GroupKind, Procedure
from landscape.experiments.index_vs_loss import (
    distinct_critical_points,
    index_loss_tests,
    sensitivity_points,
)
from landscape.experiments.linear_ae import PUBLISHED_RATES
from landscape.pipeline.scorecard import verdict

Tables = Mapping[str, pd.DataFrame]
Rows = list[dict[str, Any]]

# Section 0. A loss difference this small relative to the loss is float64 round-off (1000 eps),
# and a path "rises" when its highest point exceeds its ends by more than RISE times the loss.
ROUND_OFF = 1e3 * np.finfo(np.float64).eps
RISE = 1e-6
# Section 3a: the trap's loss must exceed the global minimum (0) by at least GAP; a random
# perturbation "lowers" the loss only by more than TRAP_ROUND_OFF; an initialisation "reaches"
# the global minimum when its loss is at most GLOBAL_LOSS.
GAP = 0.01
TRAP_ROUND_OFF = 1e-12
GLOBAL_LOSS = 1e-10
# Section 3b: Safran & Shamir 2018's own census files (ItaySafran/OneLayerGDconvergence,
# Results/newExp-k-n.mat, `magnitude`; config relu_spurious.published) put the share of their 1,000
# gradient-descent runs ending at a spurious family at 34.6% for k = n = 10 and above it for every
# larger k (0.3% at k = n = 6, 21.8% at 9): "common" is tested from FROM_K on. A rate whose 95%
# Wilson upper end is below COMMON contradicts "common" (tens of percent).
FROM_K = 10
COMMON = 0.10
# Section 4b: distinct certified critical points a case needs to be tested, and the one-sided
# significance level of its Spearman test.
MIN_POINTS = 10
ALPHA = 0.05


def score_symmetry(tables: Tables, numerics: Numerics, config: Mapping) -> Rows:
    """0.permutation_invariance (a check: an identity) and 0.permutation_barrier."""
    table = tables["table"]
    relative = (table["abs_delta_loss"] / table["loss"].abs()).max()
    rises = int((table["barrier"] > RISE * table["loss"].abs()).sum())
    return [
        {
            "claim_id": "0.permutation_invariance",
            "measured": f"max |dL| = {table['abs_delta_loss'].max():.3g} "
            f"(relative {relative:.3g}) over {len(table)} twins",
            "tolerance": f"relative |dL| <= {ROUND_OFF:.3g} (1000 eps)",
            "verdict": verdict(
                "0.permutation_invariance", bool(relative <= ROUND_OFF) if len(table) else None
            ),  # fmt: skip
        },
        {
            "claim_id": "0.permutation_barrier",
            "measured": f"{rises}/{len(table)} paths rise above their ends "
            f"(median barrier {table['barrier'].median():.3g})",
            "tolerance": f"barrier > {RISE:g} x loss on every path",
            "verdict": verdict(
                "0.permutation_barrier", rises == len(table) if len(table) else None
            ),
        },
    ]


def score_toy_critical_points(tables: Tables, numerics: Numerics, config: Mapping) -> Rows:
    """1.toy_classification (a check: the gallery's points are known by construction)."""
    table = tables["table"]
    k, n = int(table["matches"].sum()), len(table)
    return [
        {
            "claim_id": "1.toy_classification",
            "measured": f"{k}/{n} known critical points classified as derived",
            "tolerance": "exact (eigenvalue signs with the stated tolerance)",
            "verdict": verdict("1.toy_classification", k == n if n else None),
        }
    ]


def score_newton_vs_gd(tables: Tables, numerics: Numerics, config: Mapping) -> Rows:
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
            "verdict": verdict(
                "1.newton_attracted", k_newton == len(newton) if len(newton) else None
            ),
        },
        {
            "claim_id": "1.gd_escapes_saddles",
            "measured": f"{k_gd}/{len(gd)} gradient-descent runs from the same starts escape "
            "(to a minimum, or diverging where the function is unbounded below)",
            "tolerance": "exact count; escaped = ends > 5 perturbation radii away, or diverged",
            "verdict": verdict("1.gd_escapes_saddles", k_gd == len(gd) if len(gd) else None),
        },
    ]


def score_training_plateaus(tables: Tables, numerics: Numerics, config: Mapping) -> Rows:
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
            "verdict": verdict("1.stopped_not_minimum", holds),
        }
    ]


def _origin(table: pd.DataFrame, layers: int) -> pd.Series | None:
    """The row of the origin of the k-layer toy loss (None when the table lacks it)."""
    rows = table[(table["layers"] == layers) & (table["where"] == "origin")]
    return rows.iloc[0] if len(rows) else None


def score_deep_linear_toy(tables: Tables, numerics: Numerics, config: Mapping) -> Rows:
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
            "verdict": verdict(
                "2.toy_saddle", None if two is None else bool(two.matches_derived and two.critical)
            ),  # fmt: skip
        },
        {
            "claim_id": "2.toy_flat_saddle",
            "measured": missing
            if three is None
            else f"eigenvalues {three.eig_1:g}, "
            f"{three.eig_2:g}, {three.eig_3:g} (closed form agrees to {three.max_abs_diff:.2g}); "
            f"gradient zero: {bool(three.critical)}",
            "tolerance": "exact",
            "verdict": verdict(
                "2.toy_flat_saddle",
                None if three is None else bool(three.matches_derived and three.critical),
            ),  # fmt: skip
        },
    ]


def score_deep_linear_optimum(tables: Tables, numerics: Numerics, config: Mapping) -> Rows:
    """2.no_bad_minima: every certified deep linear network is at the closed-form optimum."""
    table = tables["runs"]
    certified = table[table["status"] == Status.CRITICAL]
    minima = certified[certified["n_negative"] == 0]
    at = int(certified["at_optimum"].sum())
    bad = minima[~minima["at_optimum"].astype(bool)]  # certified, no descent direction, above
    others = table[table["status"] != Status.CRITICAL]["status"].value_counts().to_dict()
    tol = config["deep_linear.gap_tolerance"]
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
            "verdict": verdict("2.no_bad_minima", at == len(certified) if len(certified) else None),
        }
    ]


def score_deep_linear_saddles(tables: Tables, numerics: Numerics, config: Mapping) -> Rows:
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
            "verdict": verdict(
                "2.one_layer_strict_saddles", strict_one == len(one) if len(one) else None
            ),  # fmt: skip
        },
        {
            "claim_id": "2.flat_saddles",
            "measured": f"{len(flat)} flat saddles (non-global, no negative eigenvalue) with 2 or "
            f"more hidden layers ({len(away)} away from the origin), {len(flat_found)} of them "
            f"found by Newton-MR; depth 1: "
            f"{int((one['kind'] == 'flat saddle').sum())}",
            "tolerance": "exact count of flat saddles other than the origin (whose Hessian is "
            "zero by construction); as above",
            "verdict": verdict(
                "2.flat_saddles", len(away) > 0 if len(deep_points) else None
            ),  # fmt: skip
        },
        {
            "claim_id": "2.saddles_analytic",
            "measured": f"{matched}/{len(searched)} certified points found by Newton-MR have an "
            "analytic critical value 1/2 sum_{i not in I} s_i^2"
            f" ({uncertified} of {len(found)} searches not certified, not counted)",
            "tolerance": "relative loss error < 1e-6",
            "verdict": verdict(
                "2.saddles_analytic", matched == len(searched) if len(searched) else None
            ),  # fmt: skip
        },
    ]


def score_linear_ae_critical_points(tables: Tables, numerics: Numerics, config: Mapping) -> Rows:
    """One row per finder against Frye et al. 2019's rate, and 2.linear_ae_exact.

    Two-sided: their rate is an estimate from 100 or 60 runs (thesis Table 3.1), so a finder
    replicates when a two-sided Fisher exact test of its certified count against theirs does not
    differ at level :data:`ALPHA`, and the test could have told their rate from twice or half it
    (:func:`landscape.experiments.census_stats.could_differ`); a rate clearly above theirs is as
    much a failure to reproduce as one below.
    """
    table = tables["table"]
    rows = [_finder_rate_row(table, method, *published)
            for method, published in PUBLISHED_RATES.items()]  # fmt: skip
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
            "verdict": verdict(
                "2.linear_ae_exact", matched == len(certified) if len(certified) else None
            ),  # fmt: skip
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
        measured = (f"{k}/{n} = {k / n:.1%} certified (95% CI {low:.1%}-{high:.1%}); theirs "
                    f"{theirs}/{their_runs}; Fisher p = {p:.2g}"
                    f"{'' if decisive else ' (not decisive)'}")  # fmt: skip
        found = Outcome.FAILS if p < ALPHA else Outcome.HOLDS if decisive else Outcome.UNDECIDED
    return {
        "claim_id": claim_id,
        "measured": measured,
        "tolerance": f"two-sided Fisher exact test against the published {rate:.0%} of "
        f"{their_runs} runs, p >= {ALPHA}",
        "verdict": verdict(claim_id, found),
    }


def score_relu_trap(tables: Tables, numerics: Numerics, config: Mapping) -> Rows:
    """3.relu_trap: the trap is a local minimum above the global one that others escape."""
    ends, perturb = tables["ends"], tables["perturbations"]
    threshold = numerics.grad_norm_sq_threshold
    if not (ends["init"] == "trap").any():
        return [{"claim_id": "3.relu_trap", "measured": "no trap end point in the table",
                 "tolerance": "", "verdict": verdict("3.relu_trap", None)}]  # fmt: skip
    trap = ends[ends["init"] == "trap"].iloc[0]
    contrast = ends[ends["init"] != "trap"]
    reached = int((contrast["loss"] <= GLOBAL_LOSS).sum())
    lowest = float(perturb["min_loss_change"].min())
    checks = {
        "gradient zero": trap["grad_norm_sq"] <= threshold,
        "no negative eigenvalue": trap["n_negative"] == 0,
        "no perturbation lowers the loss": lowest >= -TRAP_ROUND_OFF,
        "above the global minimum": trap["loss"] - trap["global_min_loss"] >= GAP,
        "another initialisation reaches it": reached > 0,
    }
    measured = (
        f"trap loss {trap['loss']:.4g} (global 0), |g|^2 {trap['grad_norm_sq']:.1e}, "
        f"{int(trap['n_negative'])} negative eigenvalues (nullity {int(trap['nullity'])}, "
        f"{int(trap['dead_units'])} dead units), smallest loss change over "
        f"{int(perturb['directions'].iloc[0])} random directions at radii "
        f"{perturb['radius'].max():g}..{perturb['radius'].min():g}: {lowest:.2e}; "
        f"{reached}/{len(contrast)} LeCun-normal initialisations reach loss <= {GLOBAL_LOSS:g}"
    )
    return [
        {
            "claim_id": "3.relu_trap",
            "measured": measured,
            "tolerance": f"|g|^2 <= {threshold:g}; loss changes >= -{TRAP_ROUND_OFF:g}; "
            f"gap >= {GAP}",
            "verdict": verdict("3.relu_trap", bool(all(checks.values()))),
        }
    ]


def score_relu_spurious(tables: Tables, numerics: Numerics, config: Mapping) -> Rows:
    """Section 3b, four rows: spurious minima exist; the published rates; rising; lower at k + 1.

    Every rate counts certified minima (:func:`landscape.experiments.relu.certify_minima`); the
    tests are
    :mod:`landscape.experiments.census_stats`'s, at the levels ``relu_spurious.decide`` fixes before
    the run.
    """
    table = tables["summary"]
    decide = config["relu_spurious.decide"]
    return [
        _spurious_exist_row(table),
        _published_rates_row(table, config["relu_spurious.published"], decide["published_alpha"]),
        _rises_with_k_row(table, decide["trend_alpha"]),
        _overparameterisation_row(
            table, decide["min_certified"], decide["overparameterisation_alpha"]
        ),  # fmt: skip
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
        "verdict": verdict("3.spurious_minima", found),
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
        "verdict": verdict("3.spurious_published_rates", _published_outcome(comp)),
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
        "verdict": verdict("3.spurious_rate_rises_with_k", found),
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


def _overparameterisation_row(table: pd.DataFrame, min_certified: int,
                              alpha: float) -> dict[str, Any]:  # fmt: skip
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
        "verdict": verdict(
            "3.spurious_overparameterisation_lowers_rate", _overparameterisation_outcome(tests)
        ),  # fmt: skip
    }


def score_counting_argument(tables: Tables, numerics: Numerics, config: Mapping) -> Rows:
    """4.counting_argument (a check: 2^-N is arithmetic; the GOE side is a Monte Carlo)."""
    table = tables["table"]
    nets = table[table["kind"] == "network"]
    goe = table[(table["kind"] == "goe") & (table["n_params"] >= 2)]
    # The independent-signs model is optimistic when GOE's rate is below 2^-N (upper 95% bound).
    below = goe[goe["goe_high"] <= 10.0 ** goe["log10_p_independent"]]
    rates = ", ".join(f"N={int(r.n_params)}: {r.goe_rate:.3g}" for r in goe.itertuples())
    return [
        {
            "claim_id": "4.counting_argument",
            "measured": f"2^-N from 10^{nets['log10_p_independent'].max():.1f} (N = "
            f"{int(nets['n_params'].min())}) to 10^{nets['log10_p_independent'].min():.0f} (N = "
            f"{int(nets['n_params'].max())}) for the pipeline's networks; GOE P(all positive) "
            f"below 2^-N for {len(below)}/{len(goe)} sizes ({rates})",
            "tolerance": "GOE: upper end of the 95% Wilson interval",
            "verdict": verdict(
                "4.counting_argument", len(below) == len(goe) if len(goe) else None
            ),  # fmt: skip
        }
    ]


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
    parts = [f"{r.case}: rho = {r.rho:.2f} (p = {r.p_value:.1g}, {r.points} points)"
             for r in tested.itertuples()]  # fmt: skip
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


def score_index_vs_loss(tables: Tables, numerics: Numerics, config: Mapping) -> Rows:
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
    measured = (f"{len(crit)} certified end points, {n_distinct} distinct; at the derived "
                f"tolerance: {described}; same verdict at {agree}/{len(verdicts)} tolerances "
                f"({others})")  # fmt: skip
    median_tol = float(crit["eig_tol"].median()) if len(crit) else float("nan")
    return [
        {
            "claim_id": "4.index_grows_with_loss",
            "measured": measured,
            "tolerance": f"derived eigenvalue tolerance (round-off + sqrt(M ||g||), median "
            f"{median_tol:.2g}); Spearman rho > 0 at one-sided p < {ALPHA} in every case with "
            f">= {MIN_POINTS} distinct certified points",
            "verdict": verdict("4.index_grows_with_loss", holds),
        }
    ]


def _word(found: Outcome) -> str:
    return "untested" if found == Outcome.NOT_MEASURED else str(found)


def _describe_fits(rows: pd.DataFrame) -> str:
    """Each group's exponent and interval, or why it has none."""
    return "; ".join(
        f"{r.group}: p = {r.exponent:.2f} [{r.exponent_low:.2f}, {r.exponent_high:.2f}] "
        f"({r.points} points, eps_c {r.eps_c_source})"
        if r.status == "fitted"
        else f"{r.group}: {r.status} ({r.points} points)"
        for r in rows.itertuples()
    )


def _gradient_flat_share(memorisation: pd.DataFrame) -> str:
    """The share of gradient-flat end points of each memorisation search (Frye et al. 2021)."""
    parts = []
    for method, grp in memorisation.groupby("method", sort=False):
        flat = int((grp["status"] == Status.GRADIENT_FLAT).sum())
        crit = int((grp["status"] == Status.CRITICAL).sum())
        parts.append(f"{method} {flat}/{len(grp)} gradient-flat, {crit} critical")
    return "memorisation ends: " + ", ".join(parts)


def _excludes(rows: pd.DataFrame, alternatives: Sequence[float]) -> pd.Series:
    """Whether each fitted group's exponent interval leaves out every alternative exponent."""
    low, high = rows["exponent_low"].astype(float), rows["exponent_high"].astype(float)
    out = pd.Series(True, index=rows.index)
    for alt in alternatives:
        out &= (alt < low) | (alt > high)
    return out


def _three_halves_row(fits: pd.DataFrame, procedure: Procedure, deciding: list[str],
                      alternatives: Sequence[float]) -> dict:  # fmt: skip
    """One procedure's verdict: each deciding group fitted, 3/2 inside, alternatives outside.

    Holds when every deciding group is fitted with 3/2 inside its interval and the
    alternatives (``index_fit.decide.alternatives``) outside; fails when a fitted deciding
    group's interval leaves 3/2 out. A group with too few points (or a failed fit), or an
    interval too wide to tell 3/2 from an alternative, cannot decide: undecided. Groups of
    kinds not in ``deciding`` are reported apart.
    """
    rows = fits[fits["procedure"] == procedure]
    decide = rows[rows["kind"].isin(deciding)]
    apart = rows[~rows["kind"].isin(deciding) & (rows["status"] == "fitted")]
    fitted = decide["status"] == "fitted"
    inside = fitted & (decide["three_halves_inside"].astype(str) == "True")
    decisive = inside & _excludes(decide, alternatives)
    if decide.empty:
        found = Outcome.NOT_MEASURED
    elif decisive.all():
        found = Outcome.HOLDS
    elif (fitted & ~inside).any():
        found = Outcome.FAILS
    else:
        found = Outcome.UNDECIDED
    alts = ", ".join(f"{a:g}" for a in alternatives)
    measured = (f"{_describe_fits(decide)}; 3/2 inside {int(inside.sum())}/{len(decide)} "
                f"(and {alts} outside: {int(decisive.sum())}/{len(decide)})"
                if len(decide) else f"no group of kinds {deciding}")  # fmt: skip
    if not apart.empty:
        measured += f"; not deciding: {_describe_fits(apart)}"
    return {
        "claim_id": procedure.claim_id,
        "measured": measured,
        "tolerance": f"every deciding group ({', '.join(deciding)}) fitted with >= min_points "
        f"points, 3/2 inside the percentile bootstrap interval of the free exponent and {alts} "
        "outside it",
        "verdict": verdict(procedure.claim_id, found),
    }


def score_index_fit(tables: Tables, numerics: Numerics, config: Mapping) -> Rows:
    """4.three_halves_law_published_procedure and 4.three_halves_law_certified.

    Their procedure's verdict is decided by every memorisation phi (the only groups it runs on);
    the certified one by the group kinds ``index_fit.decide.certified`` names before the run
    (Pennington & Bahri derived the law for squared loss: cross-entropy groups are reported
    apart). The certified row also reports the share of gradient-flat end points
    (Frye et al. 2021 argue that points found by gradient-norm minimisation mostly are).
    """
    decide = config["index_fit.decide"]
    alternatives = decide["alternatives"]
    published = _three_halves_row(tables["fits"], Procedure.PUBLISHED, [GroupKind.MEMORISATION],
                                  alternatives)  # fmt: skip
    certified = _three_halves_row(tables["fits"], Procedure.CERTIFIED, decide["certified"],
                                  alternatives)  # fmt: skip
    certified["measured"] += f"; {_gradient_flat_share(tables['memorisation'])}"
    return [published, certified]
