"""Every verdict rule on small synthetic tables: one input per outcome it can give.

Replications must be able to give ``replicated``, ``not replicated`` and ``not run``, and
``inconclusive`` wherever their rule can be undecided (measured, but the data cannot decide); checks
give ``check passed``, ``check failed`` and ``not run``. Each case builds the smallest table that
decides the rule, so a change to a rule's logic breaks one of these.
"""

import numpy as np
import pandas as pd
import pytest

from landscape.base.options import Numerics
from landscape.base.verdicts import ClaimKind
from landscape.engine.stats import wilson_interval
from landscape.experiments.relu_spurious.census_stats import cochran_armitage, holm
from landscape.pipeline.scorecard import Verdict
from landscape.pipeline.sections import EXPERIMENTS, by_name

NUMERICS = Numerics()
PASS = {ClaimKind.REPLICATION: Verdict.REPLICATED, ClaimKind.CHECK: Verdict.CHECK_PASSED}
FAIL = {ClaimKind.REPLICATION: Verdict.NOT_REPLICATED, ClaimKind.CHECK: Verdict.CHECK_FAILED}


def verdicts(name: str, tables: dict, settings: dict | None = None) -> dict[str, str]:
    rows = by_name(name).score(tables, NUMERICS, settings or {})
    return {r["claim_id"]: r["verdict"] for r in rows}


def expect(name: str, claim: str, outcome: str, tables: dict, settings: dict | None = None):
    kind = next(c.kind for c in by_name(name).claims if c.claim_id == claim)
    want = {
        "pass": PASS[kind],
        "fail": FAIL[kind],
        "not run": Verdict.NOT_RUN,
        "undecided": Verdict.INCONCLUSIVE,
    }[outcome]
    assert verdicts(name, tables, settings)[claim] == want, (claim, outcome)


# Section 0 ----------------------------------------------------------------------------------


def symmetry(delta: float, barrier: float, rows: int = 2) -> dict:
    return {
        "table": pd.DataFrame(
            {"loss": [1.0] * rows, "abs_delta_loss": [delta] * rows, "barrier": [barrier] * rows}
        )
    }


@pytest.mark.parametrize(
    "claim, outcome, tables",
    [
        ("0.permutation_invariance", "pass", symmetry(1e-16, 0.1)),
        ("0.permutation_invariance", "fail", symmetry(1e-6, 0.1)),
        ("0.permutation_invariance", "not run", symmetry(1e-16, 0.1, rows=0)),
        ("0.permutation_barrier", "pass", symmetry(0.0, 0.1)),
        ("0.permutation_barrier", "fail", symmetry(0.0, 1e-9)),
        ("0.permutation_barrier", "not run", symmetry(0.0, 0.1, rows=0)),
    ],
)
def test_symmetry(claim, outcome, tables):
    expect("symmetry", claim, outcome, tables)


# Section 1 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "matches, outcome", [([True, True], "pass"), ([True, False], "fail"), ([], "not run")]
)
def test_toy_critical_points(matches, outcome):
    tables = {"table": pd.DataFrame({"matches": matches}, dtype=bool)}
    expect("toy_critical_points", "1.toy_classification", outcome, tables)


def newton_runs(returned: bool, escaped: bool, kind: str = "indefinite") -> dict:
    return {
        "runs": pd.DataFrame(
            {
                "method": ["newton", "gd"],
                "near_kind": [kind, kind],
                "returned": [returned, False],
                "escaped": [False, escaped],
            }
        )
    }


@pytest.mark.parametrize(
    "claim, outcome, tables",
    [
        ("1.newton_attracted", "pass", newton_runs(True, True)),
        ("1.newton_attracted", "fail", newton_runs(False, True)),
        ("1.newton_attracted", "not run", newton_runs(True, True, "positive definite")),
        ("1.gd_escapes_saddles", "pass", newton_runs(True, True)),
        ("1.gd_escapes_saddles", "fail", newton_runs(True, False)),
        ("1.gd_escapes_saddles", "not run", newton_runs(True, True, "positive semidefinite")),
    ],
)
def test_newton_vs_gd(claim, outcome, tables):
    expect("newton_vs_gd", claim, outcome, tables)


def plateaus(n_negative: list[int], point: str = "plateau") -> dict:
    n = len(n_negative)
    return {
        "summary": pd.DataFrame(
            {
                "point": [point] * n,
                "status": ["not converged"] * n,
                "definiteness": ["indefinite"] * n,
                "n_negative": n_negative,
                "index": [0.1] * n,
            }
        )
    }


@pytest.mark.parametrize(
    "tables, outcome",
    [
        (plateaus([0, 3]), "pass"),
        (plateaus([0, 0]), "fail"),
        (plateaus([3], point="end"), "not run"),
    ],
)
def test_training_plateaus(tables, outcome):
    expect("training_plateaus", "1.stopped_not_minimum", outcome, tables)


# Section 2 ----------------------------------------------------------------------------------


def toy(two_ok: bool, three_ok: bool) -> dict:
    return {
        "table": pd.DataFrame(
            {
                "layers": [2, 3],
                "where": ["origin", "origin"],
                "critical": [True, True],
                "eig_1": [-2.0, 0.0],
                "eig_2": [2.0, 0.0],
                "eig_3": [np.nan, 0.0],
                "max_abs_diff": [0.0, 0.0],
                "matches_derived": [two_ok, three_ok],
            }
        )
    }


@pytest.mark.parametrize(
    "claim, outcome, tables",
    [
        ("2.toy_saddle", "pass", toy(True, True)),
        ("2.toy_saddle", "fail", toy(False, True)),
        ("2.toy_flat_saddle", "pass", toy(True, True)),
        ("2.toy_flat_saddle", "fail", toy(True, False)),
        ("2.toy_saddle", "not run", {"table": toy(True, True)["table"].iloc[1:]}),
        ("2.toy_flat_saddle", "not run", {"table": toy(True, True)["table"].iloc[:1]}),
    ],
)
def test_deep_linear_toy(claim, outcome, tables):
    expect("deep_linear_toy", claim, outcome, tables)


def optimum(status: list[str], at: list[bool]) -> dict:
    n = len(status)
    return {
        "runs": pd.DataFrame(
            {"status": status, "rel_gap": [0.0] * n, "n_negative": [0] * n, "at_optimum": at}
        )
    }


@pytest.mark.parametrize(
    "tables, outcome",
    [
        (optimum(["critical", "critical"], [True, True]), "pass"),
        (optimum(["critical", "critical"], [True, False]), "fail"),
        (optimum(["not converged", "diverged"], [False, False]), "not run"),
    ],
)
def test_deep_linear_optimum(tables, outcome):
    settings = {"deep_linear.gap_tolerance": 1e-6}
    expect("deep_linear_optimum", "2.no_bad_minima", outcome, tables, settings)


def saddles(rows: list[tuple]) -> dict:
    cols = ["depth", "source", "status", "kind", "loss", "matches_analytic"]
    return {"table": pd.DataFrame(rows, columns=cols)}


ORIGIN = [
    (1, "analytic {}", "critical", "strict saddle", 5.0, True),
    (2, "analytic {}", "critical", "flat saddle", 5.0, True),
]
FOUND_FLAT = (2, "origin", "critical", "flat saddle", 2.0, True)  # below the origin's loss
AT_ORIGIN = (2, "trajectory", "critical", "flat saddle", 5.0, True)  # the origin, found again
FOUND_STRICT = (1, "trajectory", "critical", "strict saddle", 2.0, True)


@pytest.mark.parametrize(
    "claim, outcome, rows",
    [
        ("2.one_layer_strict_saddles", "pass", ORIGIN),
        (
            "2.one_layer_strict_saddles",
            "fail",
            [*ORIGIN, (1, "origin", "critical", "flat saddle", 1.0, True)],
        ),
        ("2.one_layer_strict_saddles", "not run", ORIGIN[1:]),
        ("2.flat_saddles", "pass", [*ORIGIN, FOUND_FLAT]),
        (
            "2.flat_saddles",
            "pass",
            [*ORIGIN, (2, "analytic {0}", "critical", "flat saddle", 2.0, True)],
        ),
        # The origin cannot decide, analytic or found: its Hessian is zero by construction.
        (
            "2.flat_saddles",
            "fail",
            [*ORIGIN, AT_ORIGIN, (2, "origin", "critical", "strict saddle", 2.0, True)],
        ),
        ("2.flat_saddles", "not run", ORIGIN[:1]),
        ("2.saddles_analytic", "pass", [*ORIGIN, FOUND_STRICT]),
        ("2.saddles_analytic", "fail", [*ORIGIN, FOUND_STRICT[:-1] + (False,)]),
        (
            "2.saddles_analytic",
            "not run",
            [*ORIGIN, (1, "origin", "not converged", "not certified", 2.0, False)],
        ),
    ],
)
def test_deep_linear_saddles(claim, outcome, rows):
    expect("deep_linear_saddles", claim, outcome, saddles(rows))


SWEEP = pd.DataFrame(
    {
        "pinv_rtol": [1e-4, 1e-4],
        "seed": [1, 2],
        "method": "newton_mr",
        "certified": [8, 9],
        "runs": [10, 10],
        "fraction": [0.8, 0.9],
    }
)


def linear_ae(newton: int, of: int, matches: bool = True, method: str = "newton_mr") -> dict:
    status = ["critical"] * newton + ["not converged"] * (of - newton)
    table = pd.DataFrame(
        {"method": [method] * of, "status": status, "matches_analytic": [matches] * of}
    )
    return {"table": table, "sweep": SWEEP}


@pytest.mark.parametrize(
    "claim, outcome, tables",
    [
        ("2.linear_ae_newton_mr", "pass", linear_ae(80, 100)),
        ("2.linear_ae_newton_mr", "fail", linear_ae(60, 100)),
        # two-sided: a rate well above the published one does not replicate it either
        ("2.linear_ae_newton_mr", "fail", linear_ae(99, 100)),
        # 3 of 4: no test at 4 runs could tell 80% from 40% or 100%
        ("2.linear_ae_newton_mr", "undecided", linear_ae(3, 4)),
        ("2.linear_ae_newton_mr", "not run", linear_ae(3, 3, method="gradient_norm")),
        ("2.linear_ae_damped_newton", "pass", linear_ae(45, 100, method="damped_newton")),
        ("2.linear_ae_damped_newton", "fail", linear_ae(66, 100, method="damped_newton")),
        ("2.linear_ae_damped_newton", "undecided", linear_ae(1, 3, method="damped_newton")),
        ("2.linear_ae_damped_newton", "not run", linear_ae(3, 3)),
        ("2.linear_ae_gradient_norm", "pass", linear_ae(35, 100, method="gradient_norm")),
        ("2.linear_ae_gradient_norm", "fail", linear_ae(4, 100, method="gradient_norm")),
        ("2.linear_ae_gradient_norm", "undecided", linear_ae(1, 4, method="gradient_norm")),
        ("2.linear_ae_gradient_norm", "not run", linear_ae(3, 3)),
        ("2.linear_ae_exact", "pass", linear_ae(3, 4)),
        ("2.linear_ae_exact", "fail", linear_ae(3, 4, matches=False)),
        ("2.linear_ae_exact", "not run", linear_ae(0, 4)),
    ],
)
def test_linear_ae_critical_points(claim, outcome, tables):
    expect("linear_ae_critical_points", claim, outcome, tables)


# Section 3 ----------------------------------------------------------------------------------


def trap(grad_norm_sq: float = 1e-30, lowest: float = 0.0, loss: float = 0.11) -> dict:
    ends = pd.DataFrame(
        {
            "init": ["trap", "lecun"],
            "seed": [0, 1],
            "loss": [loss, 0.0],
            "global_min_loss": [0.0, 0.0],
            "grad_norm_sq": [grad_norm_sq, 0.0],
            "n_negative": [0, 0],
            "nullity": [8, 0],
            "lambda_min": [0.0, 0.1],
            "eig_tol": [1e-15] * 2,
            "kink_margin": [0.1] * 2,
            "dead_units": [2, 0],
        }
    )
    perturb = pd.DataFrame(
        {"radius": [0.1], "directions": [10], "min_loss_change": [lowest], "max_loss_change": [1.0]}
    )
    return {"ends": ends, "perturbations": perturb}


@pytest.mark.parametrize(
    "tables, outcome",
    [
        (trap(), "pass"),
        (trap(lowest=-1e-3), "fail"),
        (trap(loss=0.001), "fail"),
        (trap(grad_norm_sq=1e-8), "fail"),  # above numerics.grad_norm_sq_threshold = 1e-10
        ({**trap(), "ends": trap()["ends"].iloc[1:]}, "not run"),  # no trap row
    ],
)
def test_relu_trap(tables, outcome):
    expect("relu_trap", "3.relu_trap", outcome, tables)


def test_relu_trap_follows_the_configured_threshold():
    """numerics.grad_norm_sq_threshold, not a constant, decides whether the gradient is zero."""
    loose = Numerics(grad_norm_sq_threshold=1e-6)
    rows = by_name("relu_trap").score(trap(grad_norm_sq=1e-8), loose, {})
    assert rows[0]["verdict"] == Verdict.REPLICATED and "1e-06" in rows[0]["tolerance"]


def census(cases: list[tuple[int, int, int]], runs: int = 100) -> dict:
    """Case summaries from (k, n, certified) triples, rates and Wilson intervals as the census."""
    rows = []
    for k, n, certified in cases:
        low, high = wilson_interval(certified, runs)
        rows.append(
            {
                "k": k,
                "n": n,
                "runs": runs,
                "spurious": certified,
                "certified": certified,
                "certified_fraction": certified / runs,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return {"summary": pd.DataFrame(rows)}


CENSUS_DECIDE = {
    "published_alpha": 0.05,
    "trend_alpha": 0.05,
    "overparameterisation_alpha": 0.05,
    "min_certified": 10,
}


def census_settings(published: list | None = None) -> dict:
    return {"relu_spurious.published": published or [], "relu_spurious.decide": CENSUS_DECIDE}


RISING = [(6, 6, 2), (8, 8, 12), (10, 10, 30), (12, 12, 50)]


def pub(k: int, rate: float) -> dict:
    """A published entry for (k, k), from 1,000 runs."""
    return {"k": k, "n": k, "rate": rate, "runs": 1000}


@pytest.mark.parametrize(
    "claim, cases, published, runs, outcome",
    [
        ("3.spurious_minima", [(10, 10, 3), (12, 12, 5)], None, 100, "pass"),
        # 0 of 100: the Wilson upper end 3.7% rules out "common" (tens of percent)
        ("3.spurious_minima", [(10, 10, 0), (12, 12, 5)], None, 100, "fail"),
        # 0 of 11: the upper end 26% cannot rule it out
        ("3.spurious_minima", [(10, 10, 0), (12, 12, 5)], None, 11, "undecided"),
        ("3.spurious_minima", [(6, 6, 3), (8, 8, 3)], None, 100, "not run"),
        ("3.spurious_published_rates", RISING, [pub(10, 0.25), pub(12, 0.42)], 100, "pass"),
        ("3.spurious_published_rates", RISING, [pub(10, 0.33), pub(12, 0.9)], 100, "fail"),
        # 3 of 10 against 30%: agreement, but 6 of 10 or 1.5 of 10 would have agreed too
        ("3.spurious_published_rates", [(10, 10, 3)], [pub(10, 0.3)], 10, "undecided"),
        ("3.spurious_published_rates", RISING, [pub(20, 0.5)], 100, "not run"),
        ("3.spurious_published_rates", RISING, None, 100, "not run"),
        ("3.spurious_rate_rises_with_k", RISING, None, 100, "pass"),
        ("3.spurious_rate_rises_with_k", [(6, 6, 30), (8, 8, 31), (10, 10, 29)], None, 100, "fail"),
        ("3.spurious_rate_rises_with_k", [(6, 6, 50), (8, 8, 30), (10, 10, 10)], None, 100, "fail"),
        ("3.spurious_rate_rises_with_k", [(6, 6, 0), (8, 8, 0), (10, 10, 0)], None, 100, "fail"),
        # a rise too small for 100 runs a case
        (
            "3.spurious_rate_rises_with_k",
            [(6, 6, 28), (8, 8, 30), (10, 10, 32)],
            None,
            100,
            "undecided",
        ),
        ("3.spurious_rate_rises_with_k", [(6, 6, 2), (8, 8, 30)], None, 100, "not run"),
        (
            "3.spurious_overparameterisation_lowers_rate",
            [(8, 8, 5), (8, 9, 5), (10, 10, 30), (10, 11, 5), (12, 12, 50), (12, 13, 20)],
            None,
            100,
            "pass",
        ),
        # k = 12: 55 at n = 13 against 50 at n = 12, no fall
        (
            "3.spurious_overparameterisation_lowers_rate",
            [(10, 10, 30), (10, 11, 5), (12, 12, 50), (12, 13, 55)],
            None,
            100,
            "fail",
        ),
        # k = 12: 45 against 50, a fall short of significance
        (
            "3.spurious_overparameterisation_lowers_rate",
            [(10, 10, 30), (10, 11, 5), (12, 12, 50), (12, 13, 45)],
            None,
            100,
            "undecided",
        ),
        # k = 8 has 5 certified minima at n = k, below decide.min_certified = 10
        (
            "3.spurious_overparameterisation_lowers_rate",
            [(8, 8, 5), (8, 9, 0)],
            None,
            100,
            "undecided",
        ),
        ("3.spurious_overparameterisation_lowers_rate", RISING, None, 100, "not run"),
    ],
)
def test_relu_spurious(claim, cases, published, runs, outcome):
    expect("relu_spurious", claim, outcome, census(cases, runs), census_settings(published))


def test_zero_certified_minima_are_never_a_positive_rate():
    """0/11: the Wilson formula's lower end is 3e-17 in floating point; the row must not pass."""
    tables = census([(10, 10, 0), (12, 12, 5)], runs=11)
    expect("relu_spurious", "3.spurious_minima", "undecided", tables, census_settings())
    assert tables["summary"]["ci_low"].iloc[0] == 0.0


def test_published_entries_name_each_case_once():
    twice = [pub(10, 0.3), pub(10, 0.31)]
    with pytest.raises(ValueError, match=r"\(k, n\) = \[\(10, 10\)\] more than once"):
        verdicts("relu_spurious", census(RISING), census_settings(twice))


def test_holm_adjusted_p_values_by_hand():
    adjusted = holm(np.array([0.01, 0.04, 0.03, 0.5]))
    assert np.allclose(adjusted, [0.04, 0.09, 0.09, 0.5])


def test_census_trend_statistic_by_hand():
    """Cochran-Armitage on two groups: z^2 equals the Pearson chi-square of the 2 x 2 table."""
    z, p = cochran_armitage([10, 30], [100, 100], [0, 1])
    chi2 = 200 * (10 * 70 - 90 * 30) ** 2 / (100 * 100 * 40 * 160)
    assert z == pytest.approx(np.sqrt(chi2), rel=1e-12) and 0 < p < 0.001
    assert np.isnan(cochran_armitage([0, 0, 0], [100, 100, 100], [1, 2, 3])[1])


# Section 4 ----------------------------------------------------------------------------------


def counting(goe_high: float, sizes: tuple[int, ...] = (2, 3)) -> dict:
    rows = [("network", 24, -7.2, np.nan, np.nan)]
    rows += [("goe", n, n * np.log10(0.5), 0.01, goe_high) for n in sizes]
    cols = ["kind", "n_params", "log10_p_independent", "goe_rate", "goe_high"]
    return {"table": pd.DataFrame(rows, columns=cols)}


@pytest.mark.parametrize(
    "tables, outcome",
    [(counting(0.05), "pass"), (counting(0.5), "fail"), (counting(0.05, sizes=()), "not run")],
)
def test_counting_argument(tables, outcome):
    expect("counting_argument", "4.counting_argument", outcome, tables)


def index_cases(
    slope: float, points: int = 12, roundoff_slope: float | None = None, shuffle: bool = False
) -> dict:
    """Certified points whose index grows with the loss at ``slope``.

    At every tolerance but round-off, where it grows at ``roundoff_slope`` (default ``slope``).
    ``shuffle`` reorders the losses so that rho is small and positive (0.27, one-sided p = 0.2).
    """
    loss = np.linspace(0.1, 1.0, points)
    n_params = 1000

    def counts(s: float) -> np.ndarray:
        return np.round(np.clip(0.5 + s * (loss - 0.5), 0, 1) * n_params).astype(int)

    derived = counts(slope)
    roundoff = counts(slope if roundoff_slope is None else roundoff_slope)
    if shuffle:  # the indices stay; the losses move
        loss = loss[[2, 5, 10, 1, 7, 3, 0, 9, 8, 11, 6, 4]]
    return {
        "table": pd.DataFrame(
            {
                "network": [f"n{i}" for i in range(points)],
                "method": "newton_mr",
                "snapshot_step": 0,
                "dataset": "digits",
                "architecture": "16-4-10",
                "loss_function": "mse",
                "status": "critical",
                "loss": loss,
                "n_params": n_params,
                "index": derived / n_params,
                "n_negative": derived,
                "eig_tol": 1e-6,
                "n_negative_roundoff": roundoff,
                "n_negative_derived": derived,
                "n_negative_rel1e6": derived,
                "n_negative_rel1e4": derived,
            }
        )
    }


@pytest.mark.parametrize(
    "tables, outcome",
    [
        (index_cases(0.5), "pass"),
        (index_cases(-0.5), "fail"),
        (index_cases(-0.5, roundoff_slope=0.5), "fail"),
        # a rise too weak for 12 points: rho > 0, p > 0.05
        (index_cases(0.5, shuffle=True), "undecided"),
        # certified points, too few to test
        (index_cases(0.5, points=5), "undecided"),
        (index_cases(0.5, points=0), "not run"),
    ],
)
def test_index_vs_loss(tables, outcome):
    expect("index_vs_loss", "4.index_grows_with_loss", outcome, tables)


def test_index_vs_loss_is_decided_at_the_derived_tolerance_and_counts_agreement():
    """Rising at round-off only: not replicated, and the row says 3 of 4 tolerances agree."""
    row = by_name("index_vs_loss").score(index_cases(-0.5, roundoff_slope=0.5), NUMERICS, {})[0]
    assert row["verdict"] == Verdict.NOT_REPLICATED
    assert "same verdict at 3/4 tolerances" in row["measured"]
    assert "round-off: holds" in row["measured"] and "derived" in row["tolerance"]
    row = by_name("index_vs_loss").score(index_cases(0.5), NUMERICS, {})[0]
    assert "same verdict at 4/4 tolerances" in row["measured"]


PUB, CERT = "published procedure", "certified"
DECIDE = {"index_fit.decide": {"alternatives": [0.75, 3.0], "eps_c_rtol": 0.2}}
# (status, p interval, eps_c interval) of one phi's fit
FIT_IN = ("fitted", (1.2, 1.8), (0.27, 0.29))


def published_fits(rows: dict, phis=(0.25, 0.5), runs: int = 64) -> dict:
    """Fit tables: ``rows[procedure]`` lists one (status, p interval, eps_c interval) per phi.

    eps_c intervals are given at phi = 0.25 and scaled to each phi's (1 - phi)^2 / 2.
    """
    records = []
    for procedure, fits in rows.items():
        for phi, (status, (p_lo, p_hi), (c_lo, c_hi)) in zip(phis, fits, strict=True):
            scale = (1 - phi) ** 2 / (1 - 0.25) ** 2
            fitted = status == "fitted"
            records.append(
                {
                    "procedure": procedure,
                    "phi": phi,
                    "runs": runs,
                    "kept": 40 if fitted else 3,
                    "critical": 10,
                    "gradient_flat": 5,
                    "points": 6 if fitted else 1,
                    "status": status,
                    "eps_c": (c_lo + c_hi) / 2 * scale if fitted else np.nan,
                    "eps_c_low": c_lo * scale if fitted else np.nan,
                    "eps_c_high": c_hi * scale if fitted else np.nan,
                    "rms_fixed": 0.001,
                    "exponent": (p_lo + p_hi) / 2 if fitted else np.nan,
                    "exponent_low": p_lo if fitted else np.nan,
                    "exponent_high": p_hi if fitted else np.nan,
                    "three_halves_inside": str(p_lo <= 1.5 <= p_hi) if fitted else "",
                }
            )
    mlp = pd.DataFrame(
        {
            "group": ["digits 16-4-10 tanh mse"],
            "points": [12],
            "status": ["fitted"],
            "exponent": [1.4],
            "exponent_low": [1.0],
            "exponent_high": [2.0],
            "eps_c_source": ["fitted"],
        }
    )
    return {"published_fits": pd.DataFrame(records), "fits": mlp}


TOO_FEW = ("too few points", (0, 0), (0, 0))
P_OUT = ("fitted", (2.2, 2.9), (0.27, 0.29))
P_WIDE = ("fitted", (0.6, 2.0), (0.27, 0.29))


@pytest.mark.parametrize(
    "procedure, fits, outcome",
    [
        (PUB, [FIT_IN, FIT_IN], "pass"),
        (PUB, [FIT_IN, P_OUT], "fail"),
        # a phi with too few points cannot decide: no phi is dropped after looking
        (PUB, [FIT_IN, TOO_FEW], "undecided"),
        (PUB, [TOO_FEW, TOO_FEW], "undecided"),
        # 3/2 inside an interval that also holds 0.75: the data cannot tell
        (PUB, [FIT_IN, P_WIDE], "undecided"),
        (CERT, [FIT_IN, FIT_IN], "pass"),
        (CERT, [P_OUT, TOO_FEW], "fail"),
        (CERT, [TOO_FEW, TOO_FEW], "undecided"),
    ],
)
def test_index_fit(procedure, fits, outcome):
    claim = {PUB: "published_procedure", CERT: "certified"}[procedure]
    other = CERT if procedure == PUB else PUB
    tables = published_fits({procedure: fits, other: [TOO_FEW, TOO_FEW]})
    expect("index_fit", f"4.three_halves_law_{claim}", outcome, tables, DECIDE)


def test_index_fit_rows_are_not_run_without_runs():
    tables = published_fits({PUB: [TOO_FEW, TOO_FEW], CERT: [TOO_FEW, TOO_FEW]}, runs=0)
    for claim in (
        "three_halves_law_published_procedure",
        "three_halves_law_certified",
        "critical_energy_quadratic_law",
        "critical_energy_below_linear",
    ):
        expect("index_fit", f"4.{claim}", "not run", tables, DECIDE)


@pytest.mark.parametrize(
    "eps_c, quadratic, linear",
    [
        ((0.27, 0.29), "pass", "pass"),  # (1 - phi)^2 / 2 = 0.281 at phi = 1/4
        ((0.20, 0.215), "fail", "pass"),  # wholly below 0.8 x 0.281 = 0.225
        ((0.24, 0.30), "pass", "pass"),
        ((0.21, 0.30), "undecided", "pass"),  # straddles the band's edge
        ((0.39, 0.41), "fail", "fail"),  # above (1 - phi) / 2 = 0.375 too
        ((0.36, 0.39), "fail", "undecided"),  # straddles (1 - phi) / 2
    ],
)
def test_critical_energy_rows(eps_c, quadratic, linear):
    fit = ("fitted", (1.2, 1.8), eps_c)
    tables = published_fits({PUB: [fit, fit], CERT: [TOO_FEW, TOO_FEW]})
    expect("index_fit", "4.critical_energy_quadratic_law", quadratic, tables, DECIDE)
    expect("index_fit", "4.critical_energy_below_linear", linear, tables, DECIDE)


def test_critical_energy_rows_wait_for_every_phi():
    tables = published_fits({PUB: [FIT_IN, TOO_FEW], CERT: [TOO_FEW, TOO_FEW]})
    expect("index_fit", "4.critical_energy_quadratic_law", "undecided", tables, DECIDE)
    expect("index_fit", "4.critical_energy_below_linear", "undecided", tables, DECIDE)


def test_index_fit_reports_4b_groups_beside_the_certified_row():
    tables = published_fits({PUB: [FIT_IN, FIT_IN], CERT: [FIT_IN, FIT_IN]})
    rows = by_name("index_fit").score(tables, NUMERICS, DECIDE)
    certified = next(r for r in rows if r["claim_id"] == "4.three_halves_law_certified")
    assert "4b groups, not deciding: digits 16-4-10 tanh mse" in certified["measured"]
    assert "(1-phi)^2/2 = 0.281" in rows[2]["measured"]


def test_every_registered_experiment_has_a_scorer_and_a_test():
    """A new registry entry without a verdict function (or without tests here) fails."""
    tested = {name[len("test_") :] for name in globals() if name.startswith("test_")}
    for exp in EXPERIMENTS:
        assert callable(exp.verdict_function()), exp.name
        assert exp.name in tested, f"no verdict tests for {exp.name}"


# --- the rows (landscape.experiments.dauphin.verdicts) -------------------------------------------


def _ends(error, high, low=None, status="critical", stage="newton", setting="s"):
    """An ends table of len(error) rows: one setting, P = 100."""
    from landscape.experiments.dauphin.dauphin import END_COLUMNS

    n = len(error)
    low = high if low is None else low
    table = pd.DataFrame({c: np.nan for c in END_COLUMNS}, index=range(n))
    table["setting"], table["stage"], table["status"] = setting, stage, status
    table["n_params"], table["start"] = 100, range(n)
    table["error"] = np.asarray(error, float)
    table["loss"] = np.arange(n) / 7.0  # distinct points
    table["n_negative_roundoff"] = np.asarray(high, float)
    table["n_negative_derived"] = np.asarray(low, float)
    table["index_roundoff"] = table["n_negative_roundoff"] / 100
    return table


RISE = np.arange(20.0)


def _score(ends, min_points=10):
    from landscape.base.options import Numerics
    from landscape.experiments.dauphin.verdicts import DauphinDecision, score_dauphin

    rows = score_dauphin({"ends": ends}, Numerics(), DauphinDecision(min_points=min_points))
    names = {
        "4.error_grows_with_index_published_procedure": "published",
        "4.error_grows_with_index_certified": "certified",
    }
    return {names[r["claim_id"]]: r["verdict"] for r in rows}


@pytest.mark.parametrize(
    ("ends", "published", "certified"),
    [
        # error rises with the index at both tolerances: both rows replicate
        (lambda: _ends(RISE, RISE), "holds", "holds"),
        # error falls as the index grows: both contradict
        (lambda: _ends(RISE, RISE[::-1]), "fails", "fails"),
        # the derived index is flat (constant) where the round-off one rises: certified undecided
        (lambda: _ends(RISE, RISE, low=np.zeros(20)), "holds", "undecided"),
        # a rise with noise short of significance on 10 points: undecided
        (lambda: _ends(RISE[:10], [1, 0, 3, 2, 1, 5, 0, 4, 3, 2]), "undecided", "undecided"),
        # their ends not converged: their row decides, the certified row has no point
        (lambda: _ends(RISE, RISE, status="not converged"), "holds", "undecided"),
        # nothing ran
        (lambda: _ends([], []), "not measured", "not measured"),
    ],
)
def test_dauphin(ends, published, certified):
    """Each Dauphin row gives each of its outcomes on a synthetic ends table."""
    got = _score(ends())
    assert got == {"published": published, "certified": certified}


def test_one_contradicting_setting_fails_the_row():
    table = pd.concat([_ends(RISE, RISE), _ends(RISE, RISE[::-1], setting="t")], ignore_index=True)
    assert _score(table) == {"published": "fails", "certified": "fails"}


def test_their_row_reads_their_ends_only_and_certified_counts_a_point_once():
    from landscape.experiments.dauphin.dauphin import distinct_certified

    theirs = _ends(RISE, RISE[::-1], status="not converged")  # would contradict
    ours = _ends(RISE, RISE, stage="newton_mr")
    table = pd.concat([theirs, ours, ours], ignore_index=True)
    assert len(distinct_certified(table)) == 20
    assert _score(table) == {"published": "fails", "certified": "holds"}


def test_a_certified_end_and_its_continuation_count_once():
    from landscape.experiments.dauphin.dauphin import distinct_certified

    theirs = _ends(RISE, RISE, low=RISE)  # certified by their Newton method
    ours = _ends(RISE, RISE, low=RISE - 1, stage="newton_mr")  # polished again: fewer certain
    kept = distinct_certified(pd.concat([ours, theirs], ignore_index=True))
    assert len(kept) == 20 and (kept["stage"] == "newton").all()
