"""Section 4b as Dauphin et al. (2014, Sec. 3, Fig. 1 and App. C) did it.

The room holds their starts (``starts``: perturbed saddle-free Newton iterates and unit-cube
draws), the experiment (``dauphin``: their Newton method from every start, every end's error
and spectrum), the rank test on interval indices (``interval_trend``), the figures
(``figures``), the verdicts (``verdicts``) and, here, the registry entries (imported without
torch).
"""

from landscape.base.registry import Claim, Experiment, Figure, ScoreInput

SOURCE = "Dauphin et al. 2014, Sec. 3, Fig. 1a/c and App. C"

EXPERIMENTS = (
    Experiment(
        name="dauphin",
        section=4,
        figures=(
            Figure("dauphin_error_vs_index", pdf=False),
            Figure("dauphin_eigenvalue_density", pdf=False),
        ),
        score_inputs={
            "ends": ScoreInput(
                "dauphin_table", "table", "landscape.experiments.dauphin.dauphin:END_COLUMNS"
            ),
        },
        options=("dauphin.decide.min_points", "dauphin.decide.alpha"),
        options_type="landscape.experiments.dauphin.verdicts:DauphinDecision",
        claims=(
            Claim(
                "4.error_grows_with_index_published_procedure",
                4,
                "The training error of the points Newton's method finds rises with their index "
                "(their starts and Newton method, every end, index at the round-off tolerance).",
                "critical points concentrate along a monotonically increasing curve in the "
                "eps-alpha plane",
                SOURCE,
            ),
            Claim(
                "4.error_grows_with_index_certified",
                4,
                "The same rise at the ends certified as critical points (||g||^2 <= threshold, "
                "polished), the index an interval where the spectrum has no gap.",
                "a monotonically increasing curve in the eps-alpha plane",
                f"{SOURCE}; certification per Frye et al. 2021",
            ),
        ),
    ),
)
