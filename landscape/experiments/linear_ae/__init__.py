"""Section 2: the linear autoencoder's critical points (Baldi & Hornik 1989), found and classified.

The room holds the computation (``linear_ae``), the figures (``figures``), the
verdicts (``verdicts``) and, here, the registry entries (imported without torch).
"""

from landscape.base.registry import Claim, Experiment, Figure, ScoreInput

EXPERIMENTS = (
    Experiment(
        name="linear_ae_critical_points",
        section=2,
        figures=(Figure("linear_ae_critical_points"),),
        score_inputs={
            "table": ScoreInput(
                "linear_ae_critical_points",
                "table",
                ("method", "status", "matches_analytic"),
            ),
            "sweep": ScoreInput(
                "linear_ae_pinv_sweep", 0, "landscape.experiments.linear_ae.linear_ae:SWEEP_COLUMNS"
            ),
        },
        claims=(
            Claim(
                "2.linear_ae_newton_mr",
                2,
                "Newton-MR finds certified critical points of the deep linear autoencoder at the"
                " published rate.",
                "80% of runs reach ||g||^2 <= 1e-10",
                "Frye et al. 2019; Frye thesis Ch. 3, Table 3.1",
            ),
            Claim(
                "2.linear_ae_damped_newton",
                2,
                "Damped Newton finds certified critical points of the deep linear autoencoder at "
                "the published rate.",
                "45% of runs reach ||g||^2 <= 1e-10",
                "Frye et al. 2019; Frye thesis Ch. 3, Table 3.1",
            ),
            Claim(
                "2.linear_ae_gradient_norm",
                2,
                "Gradient-norm minimisation with a backtracking line search (BTLS) finds certified"
                " critical points of the deep linear autoencoder at the published rate.",
                "35% of runs reach ||g||^2 <= 1e-10",
                "Frye et al. 2019; Frye thesis Ch. 3, Table 3.1",
            ),
            Claim(
                "2.linear_ae_exact",
                2,
                "Every certified critical point of the linear autoencoder has an analytic loss "
                "and index.",
                "loss to 1e-6 relative and index exact, on all certified points",
                "Baldi & Hornik 1989, eq. 11; Frye thesis Ch. 3, Sec. 3.2.3",
            ),
        ),
    ),
)
