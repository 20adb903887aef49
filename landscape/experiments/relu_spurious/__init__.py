"""Section 3b: spurious local minima of a ReLU teacher-student problem (Safran & Shamir 2018).

The census of gradient-descent ends, and its statistics against the authors' files.

The room holds the computation (``relu``, ``census_stats``), the figures (``figures``), the
verdicts (``verdicts``) and, here, the registry entries (imported without torch).
"""

from landscape.base.registry import Claim, Experiment, Figure, ScoreInput

# Safran & Shamir 2018's census results, from the authors' files (tools/safran_shamir_rates.py).
SAFRAN_SHAMIR_FILES = (
    "Safran & Shamir 2018, abstract; their census files, ItaySafran/OneLayerGDconvergence@0719662 "
    "Results/newExp-k-n.mat"
)

EXPERIMENTS = (
    Experiment(
        name="relu_spurious",
        section=3,
        figures=(Figure("relu_spurious"),),
        score_inputs={
            "summary": ScoreInput(
                "relu_spurious_table",
                "summary",
                "landscape.experiments.relu_spurious.relu:CASE_COLUMNS",
            ),
        },
        options=("relu_spurious.published", "relu_spurious.decide"),
        options_type="landscape.experiments.relu_spurious.verdicts:SpuriousDecision",
        claims=(
            Claim(
                "3.spurious_minima",
                3,
                "Two-layer ReLU teacher-student networks (k = n >= 6) have spurious local minima.",
                "certified spurious-minimum rate > 0 for k = n >= 10 (theirs: 34.6% at k = n = 10, "
                "more above)",
                SAFRAN_SHAMIR_FILES,
            ),
            Claim(
                "3.spurious_published_rates",
                3,
                "Gradient descent from Xavier initialisation ends in a spurious minimum at the "
                "published rate of each (k, n).",
                "relu_spurious.published (their per-case rates)",
                SAFRAN_SHAMIR_FILES,
            ),
            Claim(
                "3.spurious_rate_rises_with_k",
                3,
                "The probability of ending in a spurious minimum increases with the network size.",
                "a rising trend in k at n = k (one-sided Cochran-Armitage)",
                SAFRAN_SHAMIR_FILES,
            ),
            Claim(
                "3.spurious_overparameterisation_lowers_rate",
                3,
                "Mild over-parameterisation (n = k + 1) reduces the spurious-minimum rate.",
                "a lower rate at n = k + 1 than n = k, per k (one-sided Fisher)",
                SAFRAN_SHAMIR_FILES,
            ),
        ),
    ),
)
