"""The verdicts of relu trap: each claim's rule as a pure function of the tables.

A verdict function takes the tables (by the registry entry's input names), the
:class:`~landscape.base.options.Numerics` and the entry's typed verdict options, and returns
score rows whose ``verdict`` is an :class:`~landscape.base.verdicts.Outcome`.
"""

from __future__ import annotations

from landscape.base.options import Numerics
from landscape.base.verdicts import Rows, Tables, outcome

# Section 3a: the trap's loss must exceed the global minimum (0) by at least GAP; a random
# perturbation "lowers" the loss only by more than TRAP_ROUND_OFF; an initialisation "reaches"
# the global minimum when its loss is at most GLOBAL_LOSS.
GAP = 0.01


TRAP_ROUND_OFF = 1e-12


GLOBAL_LOSS = 1e-10


def score_relu_trap(tables: Tables, numerics: Numerics, options: None) -> Rows:
    """3.relu_trap: the trap is a local minimum above the global one that others escape."""
    ends, perturb = tables["ends"], tables["perturbations"]
    threshold = numerics.grad_norm_sq_threshold
    if not (ends["init"] == "trap").any():
        return [
            {
                "claim_id": "3.relu_trap",
                "measured": "no trap end point in the table",
                "tolerance": "",
                "verdict": outcome(None),
            }
        ]
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
            "verdict": outcome(bool(all(checks.values()))),
        }
    ]
