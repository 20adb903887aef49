"""Section 4b: the index of critical points against their loss (Dauphin et al.

2014, Fig. 1).

The room holds the computation (``index_vs_loss``), the figures (``figures``), the
verdicts (``verdicts``) and, here, the registry entries (imported without torch).
"""

from landscape.base.registry import Claim, Experiment, Figure, ScoreInput

EXPERIMENTS = (
    Experiment(
        name="index_vs_loss",
        section=4,
        figures=(
            Figure("index_vs_loss", pdf=False),
            Figure("min_ratio_vs_loss", pdf=False),
            Figure("index_vs_loss_histograms", pdf=False),
            Figure("index_vs_loss_by_status", pdf=False),
            Figure("index_sensitivity", pdf=False),
            Figure("index_vs_loss_scale", pdf=False),
        ),
        figure_rule="index_vs_loss_figures",
        score_inputs={
            "table": ScoreInput(
                "index_vs_loss_table",
                "table",
                "landscape.experiments.index_vs_loss.index_vs_loss:COLUMNS",
            ),
        },
        claims=(
            Claim(
                "4.index_grows_with_loss",
                4,
                "At critical points the fraction of negative eigenvalues grows with the loss.",
                "positive rank correlation of index with loss",
                "Dauphin et al. 2014, Sec. 3 and Fig. 1",
            ),
        ),
    ),
)
