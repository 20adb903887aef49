"""Section 2: deep linear networks.

Every local minimum is global; one hidden layer gives saddles
with a negative eigenvalue, two or more give flat saddles.

The room holds the computation (``deep_linear``), the figures (``figures``), the
verdicts (``verdicts``) and, here, the registry entries (imported without torch).
"""

from landscape.base.registry import Claim, ClaimKind, Experiment, Figure, ScoreInput

EXPERIMENTS = (
    Experiment(
        name="deep_linear_toy",
        section=2,
        figures=(Figure("deep_linear_toy"),),
        score_inputs={
            "table": ScoreInput(
                "deep_linear_toy_table",
                0,
                (
                    "layers",
                    "where",
                    "critical",
                    "eig_1",
                    "eig_2",
                    "eig_3",
                    "max_abs_diff",
                    "matches_derived",
                ),
            ),
        },
        claims=(
            Claim(
                "2.toy_saddle",
                2,
                "At the origin of (1 - w1 w2)^2 the Hessian eigenvalues are -2 and 2: a strict "
                "saddle.",
                "{-2, 2}",
                "Kawaguchi 2016, Cor. 2.4 with d = 1 (the toy itself is ours)",
                ClaimKind.CHECK,
            ),
            Claim(
                "2.toy_flat_saddle",
                2,
                "At the origin of (1 - w1 w2 w3)^2 the Hessian is zero: a flat saddle.",
                "all eigenvalues 0",
                "Kawaguchi 2016, Cor. 2.4 and App. C.1, with d = 1 (the toy itself is ours)",
                ClaimKind.CHECK,
            ),
        ),
    ),
    Experiment(
        name="deep_linear_optimum",
        section=2,
        options=("deep_linear.gap_tolerance",),
        options_type="landscape.experiments.deep_linear.verdicts:OptimumDecision",
        figures=(Figure("deep_linear_optimum"),),
        score_inputs={
            "runs": ScoreInput(
                "deep_linear_optimum_table",
                "runs",
                ("status", "rel_gap", "n_negative", "at_optimum"),
            ),
        },
        claims=(
            Claim(
                "2.no_bad_minima",
                2,
                "Every converged deep linear network reaches the closed-form global optimum.",
                "relative gap < 1e-6 and index 0",
                "Kawaguchi 2016, Thm. 2.3 (ii); Baldi & Hornik 1989, Sec. 2",
            ),
        ),
    ),
    Experiment(
        name="deep_linear_saddles",
        section=2,
        figures=(Figure("deep_linear_saddles"),),
        score_inputs={
            "table": ScoreInput(
                "deep_linear_saddles_table",
                0,
                ("depth", "source", "status", "kind", "loss", "matches_analytic"),
            ),
        },
        claims=(
            Claim(
                "2.one_layer_strict_saddles",
                2,
                "With one hidden layer, every non-global critical point of a deep linear "
                "network has a negative Hessian eigenvalue.",
                "every such point has index > 0",
                "Baldi & Hornik 1989, Sec. 2; Kawaguchi 2016, Thm. 2.3 (iv), Cor. 2.4",
            ),
            Claim(
                "2.flat_saddles",
                2,
                "With two or more hidden layers, there are saddles whose Hessian has no "
                "negative eigenvalue (only zeros and positive values).",
                "flat saddles exist",
                "Kawaguchi 2016, Cor. 2.4 and App. C.1",
            ),
            Claim(
                "2.saddles_analytic",
                2,
                "The critical values of a deep linear network are those of the closed form, one"
                " per subset of the target's singular directions.",
                "every certified point's loss is 1/2 sum_{i not in I} s_i^2 for some subset I",
                "Baldi & Hornik 1989; Kawaguchi 2016",
            ),
        ),
    ),
)
