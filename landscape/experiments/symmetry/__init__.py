"""Section 0: non-convexity from symmetry.

Permuting the hidden units of a layer leaves the loss
unchanged, and the straight path between a minimum and its permuted twin crosses a barrier.

The room holds the computation (``symmetry``), the figures (``figures``), the
verdicts (``verdicts``) and, here, the registry entries (imported without torch).
"""

from landscape.base.registry import Claim, ClaimKind, Experiment, Figure, ScoreInput

EXPERIMENTS = (
    Experiment(
        name="symmetry",
        section=0,
        figures=(Figure("symmetry"),),
        score_inputs={
            "table": ScoreInput("symmetry_tables", "table", ("loss", "abs_delta_loss", "barrier")),
        },
        claims=(
            Claim(
                "0.permutation_invariance",
                0,
                "Permuting the hidden units of a layer leaves the loss unchanged.",
                "|dL| at float64 round-off",
                "Goodfellow, Bengio & Courville 2016, Sec. 8.2.2",
                ClaimKind.CHECK,
            ),
            Claim(
                "0.permutation_barrier",
                0,
                "The straight path between a trained network and its permuted twin crosses a "
                "barrier.",
                "barrier > 0",
                "Goodfellow, Bengio & Courville 2016, Sec. 8.2.2",
            ),
        ),
    ),
)
