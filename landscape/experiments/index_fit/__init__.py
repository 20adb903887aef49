"""Section 4c: the 3/2 law of the index against the energy (Pennington & Bahri 2017, Sec.

6.4),
and the memorisation cases.

The room holds the computation (``index_fit``, ``memorisation``), the figures (``figures``), the
verdicts (``verdicts``) and, here, the registry entries (imported without torch).
"""

from landscape.base.registry import Claim, Experiment, Figure, ScoreInput

EXPERIMENTS = (
    Experiment(
        name="index_fit",
        section=4,
        figures=(Figure("index_fit"),),
        score_inputs={
            "fits": ScoreInput(
                "index_fit_table", 0, "landscape.experiments.index_fit.index_fit:FIT_COLUMNS"
            ),
            "memorisation": ScoreInput(
                "memorisation_table",
                "table",
                "landscape.experiments.index_fit.memorisation:MEMORISATION_COLUMNS",
            ),
        },
        options=("index_fit.decide",),
        options_type="landscape.experiments.index_fit.verdicts:FitDecision",
        claims=(
            Claim(
                "4.three_halves_law_published_procedure",
                4,
                "Near the minima the index follows alpha0 |1 - eps/eps_c|^(3/2), on points found"
                " as Pennington & Bahri found them (||grad L||^2 minimised, a cutoff).",
                "exponent 3/2, eps_c(phi) from their random-matrix model",
                "Pennington & Bahri 2017, eq. 20 (Sec. 4.2); Sec. 6.4 and Fig. 6",
            ),
            Claim(
                "4.three_halves_law_certified",
                4,
                "The same law on certified, polished critical points (index at the derived "
                "tolerance).",
                "exponent 3/2",
                "Pennington & Bahri 2017, eq. 20 and Fig. 6; certification per Frye thesis Ch. 3",
            ),
        ),
    ),
)
