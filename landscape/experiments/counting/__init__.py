"""Section 4a: the counting argument.

The share of critical points that are minima falls with the
number of parameters.

The room holds the computation (``counting``), the figures (``figures``), the
verdicts (``verdicts``) and, here, the registry entries (imported without torch).
"""

from landscape.base.registry import Claim, ClaimKind, Experiment, Figure, ScoreInput

EXPERIMENTS = (
    Experiment(
        name="counting_argument",
        section=4,
        figures=(Figure("counting_argument"),),
        score_inputs={
            "table": ScoreInput(
                "counting_argument_table",
                0,
                ("kind", "n_params", "log10_p_independent", "goe_rate", "goe_high"),
            ),
        },
        claims=(
            Claim(
                "4.counting_argument",
                4,
                "Were each Hessian eigenvalue positive with probability 1/2, a critical point "
                "would be a minimum with probability 2^-N; random symmetric matrices are rarer "
                "still.",
                "2^-N; GOE P(all positive) below 2^-N",
                "Dauphin et al. 2014, Sec. 2; Dean & Majumdar 2006",
                ClaimKind.CHECK,
            ),
        ),
    ),
)
