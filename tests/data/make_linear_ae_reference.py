"""Regenerate ``linear_ae_reference.csv``: the three finders on a small linear autoencoder.

Run from the repository root: ``python tests/data/make_linear_ae_reference.py``. The table is
the float64 reference ``tests/test_critical.py`` compares every finder against; regenerate it
only for a deliberate change of a finder, and say so in the commit.
"""

from pathlib import Path

from landscape.base.options import Numerics
from landscape.experiments.linear_ae.linear_ae import LinearAEOptions, run_validation

# A reduced budget: a few iterations of each finder on a 6-2-6 autoencoder.
OPTIONS = LinearAEOptions(
    n_samples=500,
    input_dim=6,
    hidden=2,
    trajectories=2,
    snapshots=3,
    train_steps=100,
    max_iter=8,
    gradient_norm_max_iter=40,
    noise_std=0.01,
)
REFERENCE_COLUMNS = [
    "method",
    "start",
    "status",
    "loss",
    "grad_norm_sq",
    "n_negative",
    "iterations",
]

if __name__ == "__main__":
    table, _ = run_validation(OPTIONS, Numerics(), log=lambda _: None)
    out = Path(__file__).with_name("linear_ae_reference.csv")
    table[REFERENCE_COLUMNS].to_csv(out, index=False, float_format="%.17g")
    print(f"wrote {out}: {len(table)} rows")
