"""The verdicts of counting: each claim's rule as a pure function of the tables.

A verdict function takes the tables (by the registry entry's input names), the
:class:`~landscape.base.options.Numerics` and the entry's typed verdict options, and returns
score rows whose ``verdict`` is an :class:`~landscape.base.verdicts.Outcome`.
"""

from __future__ import annotations

from landscape.base.options import Numerics
from landscape.base.verdicts import Rows, Tables, outcome


def score_counting_argument(tables: Tables, numerics: Numerics, options: None) -> Rows:
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
            "verdict": outcome(len(below) == len(goe) if len(goe) else None),
        }
    ]
