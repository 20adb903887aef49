"""The replication scorecard: every claim of the mission, its published reference, and a verdict.

Claims are registered in :mod:`landscape.pipeline.sections`, each with its reference value, source
and kind (a replication or a check). Section rules write small
score files (columns :data:`SCORE_COLUMNS`), one row per claim they measured; :func:`assemble`
joins them with the registry into ``results/scorecard.csv`` (columns :data:`SCORECARD_COLUMNS`).
A registered claim that no score file measured gets the verdict ``not run``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import pandas as pd

from landscape.base.io import DataFileError, read_table
from landscape.base.registry import Claim
from landscape.base.verdicts import Outcome, Verdict, classify
from landscape.pipeline import sections

# What each verdict class means: the scorecard's legend, in the report and the README.
MEANING = {
    Verdict.REPLICATED: "the data support the published claim at the rule's level",
    Verdict.NOT_REPLICATED: "the data contradict the published claim",
    Verdict.INCONCLUSIVE: "measured, but the data cannot decide (too few points, an interval "
    "too wide to tell the claim from its alternatives, a test without the power to differ)",
    Verdict.CHECK_PASSED: "a check (cannot fail by construction: an identity, a closed form, a "
    "point built to be what it is) came out right",
    Verdict.CHECK_FAILED: "a check came out wrong: the machinery is broken",
    Verdict.NOT_RUN: "nothing measured this claim in this config",
}

VERDICTS = tuple(Verdict)
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


def _registered() -> dict[str, Claim]:
    """Every claim of the registry now (read afresh, so an added entry is seen)."""
    return {c.claim_id: c for c in sections.claims()}


def verdict(claim_id: str, holds: bool | Outcome | None) -> Verdict:
    """The verdict of a claim whose rule found ``holds``.

    Args:
        claim_id: A registered claim; its kind picks the verdict class.
        holds: The rule's :class:`Outcome`, or a bool (True holds, False fails) or None
            (nothing measured) for a rule that cannot be undecided.

    Returns:
        ``replicated`` / ``not replicated`` / ``inconclusive`` for a replication,
        ``check passed`` / ``check failed`` / ``inconclusive`` for a check, ``not run`` when
        nothing was measured.

    Raises:
        KeyError: For an unregistered claim id.
    """
    return classify(_registered()[claim_id].kind, holds)


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
    unknown = sorted(set(df["claim_id"]) - set(_registered()))
    if unknown:
        raise DataFileError(
            f"{where}: unknown claim ids {unknown}; register them in their room's "
            "landscape/experiments/<room>/__init__.py"
        )
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
    for c in sections.claims():
        m = measured.get(c.claim_id, {"measured": "", "tolerance": "", "verdict": Verdict.NOT_RUN})
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
