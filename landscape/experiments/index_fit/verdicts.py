"""The verdicts of index fit: each claim's rule as a pure function of the tables.

A verdict function takes the tables (by the registry entry's input names), the
:class:`~landscape.base.options.Numerics` and the entry's typed verdict options, and returns
score rows whose ``verdict`` is an :class:`~landscape.base.verdicts.Outcome`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from landscape.base.options import Numerics
from landscape.base.verdicts import Outcome, Rows, Tables, outcome
from landscape.engine.critical import Status
from landscape.experiments.index_fit.index_fit import GroupKind, Procedure


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


def _three_halves_row(
    fits: pd.DataFrame, procedure: Procedure, deciding: list[str], alternatives: Sequence[float]
) -> dict:
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
    measured = (
        f"{_describe_fits(decide)}; 3/2 inside {int(inside.sum())}/{len(decide)} "
        f"(and {alts} outside: {int(decisive.sum())}/{len(decide)})"
        if len(decide)
        else f"no group of kinds {deciding}"
    )
    if not apart.empty:
        measured += f"; not deciding: {_describe_fits(apart)}"
    return {
        "claim_id": procedure.claim_id,
        "measured": measured,
        "tolerance": f"every deciding group ({', '.join(deciding)}) fitted with >= min_points "
        f"points, 3/2 inside the percentile bootstrap interval of the free exponent and {alts} "
        "outside it",
        "verdict": outcome(found),
    }


@dataclass(frozen=True)
class FitDecision:
    """The options of 4c's verdicts: config ``index_fit.decide`` (fixed before the run)."""

    decide: Mapping[str, Any]  # the deciding group kinds and the alternatives to 3/2


def score_index_fit(tables: Tables, numerics: Numerics, options: FitDecision) -> Rows:
    """4.three_halves_law_published_procedure and 4.three_halves_law_certified.

    Their procedure's verdict is decided by every memorisation phi (the only groups it runs on);
    the certified one by the group kinds ``index_fit.decide.certified`` names before the run
    (Pennington & Bahri derived the law for squared loss: cross-entropy groups are reported
    apart). The certified row also reports the share of gradient-flat end points
    (Frye et al. 2021 argue that points found by gradient-norm minimisation mostly are).
    """
    decide = options.decide
    alternatives = decide["alternatives"]
    published = _three_halves_row(
        tables["fits"], Procedure.PUBLISHED, [GroupKind.MEMORISATION], alternatives
    )
    certified = _three_halves_row(
        tables["fits"], Procedure.CERTIFIED, decide["certified"], alternatives
    )
    certified["measured"] += f"; {_gradient_flat_share(tables['memorisation'])}"
    return [published, certified]
