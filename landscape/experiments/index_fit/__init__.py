"""Section 4c: the index against the energy as Pennington & Bahri (2017, Sec. 6.4, Fig. 6) did it.

The room holds their runs (``published_runs``: a 16-16-16 tanh network, data drawn per run, GD
on L to a random level then GD on J_g, their cutoff, the index of every end), the fits of
Fig. 6 (``index_means``: the mean energy per index value, the 3/2 law with eps_c fitted), the
fits of section 4b's certified points (``index_fit``), the figures (``figures``), the verdicts
(``verdicts``) and, here, the registry entries (imported without torch).
"""

from landscape.base.registry import Claim, Experiment, Figure, ScoreInput

SOURCE = "Pennington & Bahri 2017, Sec. 6.4 and Fig. 6"

EXPERIMENTS = (
    Experiment(
        name="index_fit",
        section=4,
        figures=(Figure("index_fit"),),
        score_inputs={
            "published_fits": ScoreInput(
                "published_fit_table",
                0,
                "landscape.experiments.index_fit.index_means:PUBLISHED_FIT_COLUMNS",
            ),
            "runs": ScoreInput(
                "published_runs_table",
                "table",
                "landscape.experiments.index_fit.published_runs:RUN_COLUMNS",
            ),
            "fits": ScoreInput(
                "index_fit_table", 0, "landscape.experiments.index_fit.index_fit:FIT_COLUMNS"
            ),
        },
        options=("index_fit.decide",),
        options_type="landscape.experiments.index_fit.verdicts:FitDecision",
        claims=(
            Claim(
                "4.three_halves_law_published_procedure",
                4,
                "For small index the mean energy of critical points of index alpha follows "
                "alpha ~ alpha0 |eps - eps_c|^(3/2), eps_c fitted, on points found as they found "
                "them (GD on L to a random level, GD on ||grad L||^2, final ||grad L||^2 <= 1e-6).",
                "exponent 3/2 (0.75 and 3 excluded)",
                f"{SOURCE}a (the 3/2 curves); eq. 20 (Sec. 4.2)",
            ),
            Claim(
                "4.three_halves_law_certified",
                4,
                "The same law on their kept points that a Newton-MR polish certifies as critical "
                "(index at the derived tolerance).",
                "exponent 3/2",
                f"{SOURCE}; certification per Frye thesis Ch. 3",
            ),
            Claim(
                "4.critical_energy_quadratic_law",
                4,
                "The fitted eps_c(phi) is close to (1 - phi)^2 / 2 (their 'surprisingly good "
                "fit').",
                "eps_c = (1 - phi)^2 / 2",
                f"{SOURCE}b, p.8",
            ),
            Claim(
                "4.critical_energy_below_linear",
                4,
                "The fitted eps_c(phi) lies below (1 - phi) / 2, the energy of linear networks "
                "('benefit of nonlinearity').",
                "eps_c < (1 - phi) / 2",
                f"{SOURCE}b, p.8; Advani & Ganguli 2016",
            ),
        ),
    ),
)
