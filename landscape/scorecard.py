"""The replication scorecard: every claim of the mission, its published reference, and a verdict.

Claims are registered here, each with its reference value and source. Section rules write small
score files (columns :data:`SCORE_COLUMNS`), one row per claim they measured; :func:`assemble`
joins them with the registry into ``results/scorecard.csv`` (columns :data:`SCORECARD_COLUMNS`).
A registered claim that no score file measured gets the verdict ``not run``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from landscape.io import DataFileError, read_table

REPLICATED = "replicated"
NOT_REPLICATED = "not replicated"
NOT_RUN = "not run"
VERDICTS = (REPLICATED, NOT_REPLICATED, NOT_RUN)
SCORE_COLUMNS = ["claim_id", "measured", "tolerance", "verdict"]
SCORECARD_COLUMNS = [
    "claim_id",
    "section",
    "claim",
    "measured",
    "reference",
    "tolerance",
    "verdict",
]


@dataclass(frozen=True)
class Claim:
    """One published claim the pipeline checks."""

    claim_id: str  # stable identifier, "<section>.<name>"
    section: int  # the lecture's section, 0-4
    claim: str  # the claim in one sentence
    reference: str  # the published value or statement
    source: str  # where it is published (paper, figure or table)


CLAIMS: tuple[Claim, ...] = (
    Claim(
        "0.permutation_invariance",
        0,
        "Permuting the hidden units of a layer leaves the loss unchanged.",
        "|dL| at float64 round-off",
        "Goodfellow, Bengio & Courville 2016, Sec. 8.2.2",
    ),
    Claim(
        "0.permutation_barrier",
        0,
        "The straight path between a trained network and its permuted twin crosses a barrier.",
        "barrier > 0",
        "Goodfellow, Bengio & Courville 2016, Sec. 8.2.2",
    ),
    Claim(
        "1.toy_classification",
        1,
        "Hessian eigenvalues tell minima, maxima, saddles and degenerate points apart.",
        "every known critical point of the gallery classified as derived by hand",
        "second-order test; e.g. Goodfellow, Bengio & Courville 2016, Sec. 4.3.1",
    ),
    Claim(
        "1.newton_attracted",
        1,
        "Newton's method converges to the nearby critical point whatever its kind, saddles and "
        "maxima included.",
        "every Newton run started near a saddle, maximum or degenerate point ends there",
        "Dauphin et al. 2014, Sec. 3; Nocedal & Wright 2006, Ch. 3",
    ),
    Claim(
        "1.gd_escapes_saddles",
        1,
        "Gradient descent started near a saddle or maximum (a small perturbation) escapes it.",
        "every such gradient-descent run ends away from the point",
        "Dauphin et al. 2014, Sec. 3; Lee et al. 2016",
    ),
    Claim(
        "1.stopped_not_minimum",
        1,
        "Where training looks stuck (a loss plateau) is not thereby a local minimum.",
        "plateau points with negative Hessian eigenvalues exist (saddles, not minima)",
        "Dauphin et al. 2014, Sec. 1 and Fig. 1; Saxe et al. 2014 (plateaus near saddles)",
    ),
    Claim(
        "2.toy_saddle",
        2,
        "At the origin of (1 - w1 w2)^2 the Hessian eigenvalues are -2 and 2: a strict saddle.",
        "{-2, 2}",
        "Kawaguchi 2016, Sec. 2 (one-unit deep linear network)",
    ),
    Claim(
        "2.toy_flat_saddle",
        2,
        "At the origin of (1 - w1 w2 w3)^2 the Hessian is zero: a flat saddle.",
        "all eigenvalues 0",
        "Kawaguchi 2016, Sec. 2",
    ),
    Claim(
        "2.no_bad_minima",
        2,
        "Every converged deep linear network reaches the closed-form global optimum.",
        "relative gap < 1e-6 and index 0",
        "Kawaguchi 2016, Thm. 2.3; Baldi & Hornik 1989",
    ),
    Claim(
        "2.one_layer_strict_saddles",
        2,
        "With one hidden layer, every non-global critical point of a deep linear network has a "
        "negative Hessian eigenvalue.",
        "every such point has index > 0",
        "Baldi & Hornik 1989; Kawaguchi 2016, Thm. 2.3 (iv)",
    ),
    Claim(
        "2.flat_saddles",
        2,
        "With two or more hidden layers, there are saddles whose Hessian has no negative "
        "eigenvalue (only zeros and positive values).",
        "flat saddles exist",
        "Kawaguchi 2016, Thm. 2.3 (iv) and Sec. 2",
    ),
    Claim(
        "2.saddles_analytic",
        2,
        "The critical values of a deep linear network are those of the closed form, one per "
        "subset of the target's singular directions.",
        "every certified point's loss is 1/2 sum_{i not in I} s_i^2 for some subset I",
        "Baldi & Hornik 1989; Kawaguchi 2016",
    ),
    Claim(
        "2.linear_ae_newton_mr",
        2,
        "Newton-MR finds certified critical points of the deep linear autoencoder.",
        "success rate 80%",
        "Frye et al. 2019, Sec. 4",
    ),
    Claim(
        "2.linear_ae_exact",
        2,
        "Every certified critical point of the linear autoencoder has an analytic loss and index.",
        "loss to 1e-6 relative and index exact, on all certified points",
        "Baldi & Hornik 1989; Frye et al. 2019, Sec. 4",
    ),
    Claim(
        "3.relu_trap",
        3,
        "A ReLU network can be trapped at a strict local minimum above the global one.",
        "gradient 0, no descent direction, loss above the global minimum",
        "Swirszcz, Czarnecki & Pascanu 2016",
    ),
    Claim(
        "3.spurious_minima",
        3,
        "Two-layer ReLU teacher-student networks (k = n >= 6) have spurious local minima.",
        "spurious-minimum rate > 0 for k = n >= 6, rising with k; n = k + 1 lowers it",
        "Safran & Shamir 2018, Table 1",
    ),
    Claim(
        "4.counting_argument",
        4,
        "Were each Hessian eigenvalue positive with probability 1/2, a critical point would be a "
        "minimum with probability 2^-N; random symmetric matrices are rarer still.",
        "2^-N; GOE P(all positive) below 2^-N",
        "Dauphin et al. 2014, Sec. 2; Dean & Majumdar 2006",
    ),
    Claim(
        "4.index_grows_with_loss",
        4,
        "At critical points the fraction of negative eigenvalues grows with the loss.",
        "positive rank correlation of index with loss",
        "Dauphin et al. 2014, Fig. 1",
    ),
    Claim(
        "4.three_halves_law",
        4,
        "Near the minima the index follows alpha0 |1 - eps/eps_c|^(3/2).",
        "exponent 3/2",
        "Pennington & Bahri 2017, Sec. 4",
    ),
)
CLAIMS_BY_ID = {c.claim_id: c for c in CLAIMS}


def score_table(rows: Iterable[dict]) -> pd.DataFrame:
    """Build a per-section score table, checking claim ids and verdicts.

    Args:
        rows: Dicts with keys :data:`SCORE_COLUMNS`.

    Returns:
        The table, in the column order of :data:`SCORE_COLUMNS`.
    """
    df = pd.DataFrame(list(rows), columns=SCORE_COLUMNS)
    _check_scores(df, "score rows")
    return df


def _check_scores(df: pd.DataFrame, where: str) -> None:
    unknown = sorted(set(df["claim_id"]) - set(CLAIMS_BY_ID))
    if unknown:
        raise DataFileError(f"{where}: unknown claim ids {unknown}; register them in CLAIMS")
    bad = sorted(set(df["verdict"]) - set(VERDICTS))
    if bad:
        raise DataFileError(f"{where}: verdicts {bad} are not among {list(VERDICTS)}")


def assemble(score_files: Iterable[str | os.PathLike]) -> pd.DataFrame:
    """Join per-section score files with the registry into the scorecard.

    Args:
        score_files: Tables with the columns :data:`SCORE_COLUMNS`.

    Returns:
        One row per registered claim, in registry order; unmeasured claims are ``not run``.

    Raises:
        DataFileError: If a file is unreadable, names an unknown claim or verdict, or two files
            measure the same claim.
    """
    measured: dict[str, dict] = {}
    for path in score_files:
        df = read_table(path, SCORE_COLUMNS)
        _check_scores(df, str(path))
        for row in df.to_dict("records"):
            if row["claim_id"] in measured:
                raise DataFileError(f"{path}: claim '{row['claim_id']}' is measured twice")
            measured[row["claim_id"]] = row
    rows = []
    for c in CLAIMS:
        m = measured.get(c.claim_id, {"measured": "", "tolerance": "", "verdict": NOT_RUN})
        rows.append(
            {
                "claim_id": c.claim_id,
                "section": c.section,
                "claim": c.claim,
                "measured": m["measured"],
                "reference": f"{c.reference} ({c.source})",
                "tolerance": m["tolerance"],
                "verdict": m["verdict"],
            }
        )
    return pd.DataFrame(rows, columns=SCORECARD_COLUMNS)


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a binomial rate (95% for z = 1.96).

    Args:
        successes: Number of successes k.
        trials: Number of trials n (> 0).
        z: Normal quantile.

    Returns:
        (low, high).
    """
    if trials <= 0:
        raise ValueError("a rate needs at least one trial")
    rate = successes / trials
    denom = 1 + z * z / trials
    centre = (rate + z * z / (2 * trials)) / denom
    half = z * ((rate * (1 - rate) + z * z / (4 * trials)) / trials) ** 0.5 / denom
    return max(0.0, centre - half), min(1.0, centre + half)
