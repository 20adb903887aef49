"""Section 1: "training stopped" is not "local minimum".

The Hessian spectrum where training
plateaus.

The room holds the computation (``training_plateaus``), the figures (``figures``), the
verdicts (``verdicts``) and, here, the registry entries (imported without torch).
"""

from landscape.base.registry import Claim, Experiment, Figure, ScoreInput

EXPERIMENTS = (
    Experiment(
        name="training_plateaus",
        section=1,
        figures=(Figure("training_plateaus"),),
        score_inputs={
            "summary": ScoreInput(
                "training_plateaus_tables",
                "summary",
                ("point", "status", "definiteness", "n_negative", "index"),
            ),
        },
        claims=(
            Claim(
                "1.stopped_not_minimum",
                1,
                "Where training looks stuck (a loss plateau) is not thereby a local minimum.",
                "plateau points with negative Hessian eigenvalues exist: near saddles (not "
                "certified critical points), not minima",
                "Dauphin et al. 2014, Sec. 1-3; Saxe et al. 2014, Sec. 1 (plateaus near saddles)",
            ),
        ),
    ),
)
