"""Section 1: the Hessian at critical points of two-parameter toys.

Minima, maxima and saddles
told apart by their eigenvalues; Newton's method is drawn to any critical point while gradient
descent escapes saddles.

The room holds the computation (``toys``), the figures (``figures``), the
verdicts (``verdicts``) and, here, the registry entries (imported without torch).
"""

from landscape.base.registry import Claim, ClaimKind, Experiment, Figure, ScoreInput

EXPERIMENTS = (
    Experiment(
        name="toy_critical_points",
        section=1,
        figures=(Figure("toy_critical_points"),),
        score_inputs={
            "table": ScoreInput("toy_critical_points_table", 0, ("matches",)),
        },
        claims=(
            Claim(
                "1.toy_classification",
                1,
                "Hessian eigenvalues tell minima, maxima, saddles and degenerate points apart.",
                "every known critical point of the gallery classified as derived by hand",
                "second-order test; e.g. Goodfellow, Bengio & Courville 2016, Sec. 4.3.1",
                ClaimKind.CHECK,
            ),
        ),
    ),
    Experiment(
        name="newton_vs_gd",
        section=1,
        figures=(Figure("newton_vs_gd"),),
        score_inputs={
            "runs": ScoreInput(
                "newton_vs_gd_tables", "runs", ("method", "near_kind", "returned", "escaped")
            ),
        },
        claims=(
            Claim(
                "1.newton_attracted",
                1,
                "Newton's method converges to the nearby critical point whatever its kind, "
                "saddles and maxima included.",
                "every Newton run started near a saddle, maximum or degenerate point ends there",
                "Dauphin et al. 2014, Sec. 4 and Fig. 2; Nocedal & Wright 2006, Ch. 3",
                ClaimKind.CHECK,
            ),
            Claim(
                "1.gd_escapes_saddles",
                1,
                "Gradient descent started near a saddle or maximum (a small perturbation) "
                "escapes it.",
                "every such gradient-descent run ends away from the point",
                "Dauphin et al. 2014, Sec. 4; Lee et al. 2016 (arXiv:1710.07406, Cor. 2)",
            ),
        ),
    ),
)
