"""The verdicts of symmetry: each claim's rule as a pure function of the tables.

A verdict function takes the tables (by the registry entry's input names), the
:class:`~landscape.base.options.Numerics` and the entry's typed verdict options, and returns
score rows whose ``verdict`` is an :class:`~landscape.base.verdicts.Outcome`.
"""

from __future__ import annotations

import numpy as np

from landscape.base.options import Numerics
from landscape.base.verdicts import Rows, Tables, outcome

# Section 0. A loss difference this small relative to the loss is float64 round-off (1000 eps),
# and a path "rises" when its highest point exceeds its ends by more than RISE times the loss.
ROUND_OFF = 1e3 * np.finfo(np.float64).eps


RISE = 1e-6


def score_symmetry(tables: Tables, numerics: Numerics, options: None) -> Rows:
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
            "verdict": outcome(bool(relative <= ROUND_OFF) if len(table) else None),
        },
        {
            "claim_id": "0.permutation_barrier",
            "measured": f"{rises}/{len(table)} paths rise above their ends "
            f"(median barrier {table['barrier'].median():.3g})",
            "tolerance": f"barrier > {RISE:g} x loss on every path",
            "verdict": outcome(rises == len(table) if len(table) else None),
        },
    ]
