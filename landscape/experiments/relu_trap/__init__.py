"""Section 3a: a constructed bad local minimum of a ReLU network.

The room holds the computation (``relu_trap``), the figures (``figures``), the
verdicts (``verdicts``) and, here, the registry entries (imported without torch).
"""

from landscape.base.registry import Claim, Experiment, Figure, ScoreInput

EXPERIMENTS = (
    Experiment(
        name="relu_trap",
        section=3,
        figures=(Figure("relu_trap"),),
        score_inputs={
            "ends": ScoreInput(
                "relu_trap_table", "ends", "landscape.experiments.relu_trap.relu_trap:END_COLUMNS"
            ),
            "perturbations": ScoreInput(
                "relu_trap_table",
                "perturbations",
                "landscape.experiments.relu_trap.relu_trap:PERTURBATION_COLUMNS",
            ),
        },
        claims=(
            Claim(
                "3.relu_trap",
                3,
                "A ReLU network can be trapped at a local minimum above the global one (not a "
                "strict one: the dead units leave zero Hessian eigenvalues).",
                "gradient 0, no descent direction, loss above the global minimum",
                "Swirszcz, Czarnecki & Pascanu 2016",
            ),
        ),
    ),
)
