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
from landscape.experiments.index_fit.index_fit import Procedure
from landscape.experiments.index_fit.index_means import linear_network_energy, quadratic_law


def _describe_fits(rows: pd.DataFrame) -> str:
    """Each group's exponent and interval, or why it has none."""
    return "; ".join(
        f"{r.group}: p = {r.exponent:.2f} [{r.exponent_low:.2f}, {r.exponent_high:.2f}] "
        f"({r.points} points, eps_c {r.eps_c_source})"
        if r.status == "fitted"
        else f"{r.group}: {r.status} ({r.points} points)"
        for r in rows.itertuples()
    )


def _excludes(rows: pd.DataFrame, alternatives: Sequence[float]) -> pd.Series:
    """Whether each fitted group's exponent interval leaves out every alternative exponent."""
    low, high = rows["exponent_low"].astype(float), rows["exponent_high"].astype(float)
    out = pd.Series(True, index=rows.index)
    for alt in alternatives:
        out &= (alt < low) | (alt > high)
    return out


def _describe_means(rows: pd.DataFrame) -> str:
    """Each phi's fit on the means per index value, or why it has none."""
    parts = []
    for r in rows.itertuples():
        head = (
            f"phi {r.phi:g}: {r.kept}/{r.runs} runs kept, of them {r.critical} critical and "
            f"{r.gradient_flat} gradient-flat after the polish"
        )
        if r.status == "fitted":
            parts.append(
                f"{head}; {r.points} index values: eps_c = {r.eps_c:.3f} [{r.eps_c_low:.3f}, "
                f"{r.eps_c_high:.3f}] (p = 3/2, rms residual {r.rms_fixed:.2g}), p = "
                f"{r.exponent:.2f} [{r.exponent_low:.2f}, {r.exponent_high:.2f}]"
            )
        else:
            parts.append(f"{head}; {r.status} ({r.points} index values)")
    return "; ".join(parts)


def _decide(rows: pd.DataFrame, holds: pd.Series, fails: pd.Series) -> Outcome:
    """HOLDS when every phi is fitted and holds; FAILS when a fitted phi fails; else UNDECIDED.

    NOT_MEASURED when there is no phi, or no run at all.
    """
    if rows.empty or int(rows["runs"].sum()) == 0:
        return Outcome.NOT_MEASURED
    fitted = rows["status"] == "fitted"
    if (fitted & fails).any():
        return Outcome.FAILS
    if (fitted & holds).all():
        return Outcome.HOLDS
    return Outcome.UNDECIDED


def _three_halves_on_means(fits: pd.DataFrame, procedure: Procedure, alternatives) -> dict:
    """3/2 inside every phi's bootstrap interval of p and the alternatives outside (holds)."""
    rows = fits[fits["procedure"] == procedure]
    inside = rows["three_halves_inside"].astype(str) == "True"
    found = _decide(rows, inside & _excludes(rows, alternatives), ~inside)
    alts = ", ".join(f"{a:g}" for a in alternatives)
    tol = "round-off" if procedure == Procedure.PUBLISHED else "derived"
    return {
        "claim_id": procedure.claim_id,
        "measured": _describe_means(rows) if len(rows) else "no phi was run",
        "tolerance": f"every phi fitted (>= min_points index values of >= min_runs runs, "
        f"0 < alpha <= max_index), 3/2 inside the bootstrap interval of the free exponent and "
        f"{alts} outside it; index at the {tol} tolerance",
        "verdict": outcome(found),
    }


def _critical_energy_rows(fits: pd.DataFrame, rtol: float) -> Rows:
    """eps_c ~ (1 - phi)^2 / 2 within rtol, and eps_c below (1 - phi) / 2, on their fits."""
    rows = fits[fits["procedure"] == Procedure.PUBLISHED]
    quad = quadratic_law(rows["phi"].to_numpy(float))
    low, high = rows["eps_c_low"].astype(float), rows["eps_c_high"].astype(float)
    within = (low >= quad * (1 - rtol)) & (high <= quad * (1 + rtol))
    outside = (high < quad * (1 - rtol)) | (low > quad * (1 + rtol))
    linear = linear_network_energy(rows["phi"].to_numpy(float))
    measured = _describe_means(rows) if len(rows) else "no phi was run"
    targets = ", ".join(
        f"phi {p:g}: (1-phi)^2/2 = {q:.3f}, (1-phi)/2 = {ln:.3f}"
        for p, q, ln in zip(rows["phi"], quad, linear, strict=True)
    )
    return [
        {
            "claim_id": "4.critical_energy_quadratic_law",
            "measured": f"{measured}; {targets}",
            "tolerance": f"every phi's bootstrap interval of eps_c within (1-phi)^2/2 x "
            f"[1 - {rtol:g}, 1 + {rtol:g}] (fixed before the run); outside it: fails",
            "verdict": outcome(_decide(rows, within, outside)),
        },
        {
            "claim_id": "4.critical_energy_below_linear",
            "measured": f"{measured}; {targets}",
            "tolerance": "every phi's bootstrap interval of eps_c below (1-phi)/2; wholly above "
            "it: fails",
            "verdict": outcome(_decide(rows, high < linear, low > linear)),
        },
    ]


@dataclass(frozen=True)
class FitDecision:
    """The options of 4c's verdicts: config ``index_fit.decide`` (fixed before the run)."""

    decide: Mapping[str, Any]  # the alternatives to 3/2 and eps_c_rtol


def score_index_fit(tables: Tables, numerics: Numerics, options: FitDecision) -> Rows:
    """The 3/2 law on their procedure and certified, and eps_c against (1 - phi)^2 / 2.

    Every row is decided by Pennington & Bahri's runs (``published_fits``), one group per phi;
    the 4b groups (squared loss and cross-entropy, certified, eps_c fitted) are reported beside
    the certified row, never deciding it (the law is derived for their memorisation task).
    """
    alternatives = options.decide["alternatives"]
    fits = tables["published_fits"]
    published = _three_halves_on_means(fits, Procedure.PUBLISHED, alternatives)
    certified = _three_halves_on_means(fits, Procedure.CERTIFIED, alternatives)
    mlp = tables["fits"]
    fitted = mlp[mlp["status"] == "fitted"]
    if len(fitted):
        certified["measured"] += f"; 4b groups, not deciding: {_describe_fits(fitted)}"
    return [published, certified, *_critical_energy_rows(fits, options.decide["eps_c_rtol"])]
