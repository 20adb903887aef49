"""One registry of the pipeline's experiments: figures, claims, score inputs, report category.

In the spirit of showyourwork's one entry per figure, every experiment (a row of the lecture: the
symmetry barrier, the linear autoencoder, the ReLU census, ...) is declared once here. From these
entries are derived: the figures and score files that ``rule all`` asks for
(:func:`figure_targets`, :func:`score_files`), the generic score rule's inputs
(:func:`score_inputs`) and verdict functions (``landscape.pipeline.scores.score_<name>``), the
scorecard's claims (:data:`CLAIMS`, in this order), the report's claim map for captions
(:data:`FIGURE_CLAIMS`), the rules that ``make figures`` reruns (:func:`figure_rules`), and
each figure rule's outputs with their caption and report category (:func:`figure_report`,
wrapped by the workflow's ``figure_outputs``). Adding a figure touches one entry here, one rule,
one caption and one plot function.

Run as ``python -m landscape.pipeline.sections figure-rules`` it prints the figure rules (the
Makefile's ``make figures`` reads them).
"""

# Over 600 lines: the registry holds every section's entry (its claims in full sentences,
# with their references); the types and derivations are the first and last 150 lines.
from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

# The lecture's sections, as the report's categories.
CATEGORIES = {
    0: "Section 0: non-convexity from symmetry",
    1: "Section 1: the Hessian at critical points",
    2: "Section 2: deep linear networks",
    3: "Section 3: ReLU networks have bad local minima",
    4: "Section 4: index against loss",
}


class ClaimKind(StrEnum):
    """Whether a claim is a replication of a published result or a check of the machinery."""

    REPLICATION = "replication"
    CHECK = "check"


@dataclass(frozen=True)
class Claim:
    """One published claim the pipeline checks."""

    claim_id: str  # stable identifier, "<section>.<name>"
    section: int  # the lecture's section, 0-4
    claim: str  # the claim in one sentence
    reference: str  # the published value or statement
    source: str  # where it is published (paper, figure or table)
    kind: ClaimKind = ClaimKind.REPLICATION  # a check cannot fail by construction


@dataclass(frozen=True)
class Figure:
    """A figure of the report: ``results/figures/<stem>.png`` (and ``.pdf``)."""

    stem: str
    pdf: bool = True  # also drawn as a PDF

    @property
    def files(self) -> dict[str, str]:
        """The files the figure rule writes, by format (``png``, and ``pdf`` if drawn)."""
        exts = ("png", "pdf") if self.pdf else ("png",)
        return {ext: f"results/figures/{self.stem}.{ext}" for ext in exts}

    @property
    def paths(self) -> list[str]:
        """The files the figure rule writes."""
        return list(self.files.values())

    @property
    def caption(self) -> str:
        """Its static caption, relative to the repository root (the report shows it)."""
        return f"workflow/report/{self.stem}.rst"


@dataclass(frozen=True)
class ScoreInput:
    """A table the verdicts read: an output of a rule (its path is written once, in that rule).

    ``columns`` is a tuple of names, or ``"module:NAME"`` naming a library constant (resolved
    when read, so that loading the registry, as the Snakefile does, imports no torch).
    """

    rule: str  # the rule that writes the table
    output: str | int  # its output's name, or position
    columns: tuple[str, ...] | str

    def required(self) -> list[str]:
        """The column names."""
        if isinstance(self.columns, str):
            module, name = self.columns.split(":")
            return list(getattr(importlib.import_module(module), name))
        return list(self.columns)


@dataclass(frozen=True)
class Experiment:
    """One registry entry: its figures (drawn by one rule), score inputs and claims."""

    name: str  # the score file results/scores/<name>.csv
    section: int  # the lecture's section, 0-4 (the report category)
    figures: tuple[Figure, ...]
    score_inputs: dict[str, ScoreInput]
    claims: tuple[Claim, ...]
    figure_rule: str = ""  # the rule that draws the figures; default <name>_figure
    settings: tuple[str, ...] = ()  # dotted config keys the verdicts read (besides numerics)
    # The verdict function (tables, numerics, settings) -> score rows: a callable, or
    # "module:function" (imported when scored, so that loading the registry imports no torch);
    # default landscape.pipeline.scores.score_<name>. An entry without claims needs none.
    scorer: Callable | str | None = field(default=None, compare=False)

    @property
    def rule(self) -> str:
        """The rule that draws this experiment's figures."""
        return self.figure_rule or f"{self.name}_figure"

    def verdict_function(self) -> Callable:
        """The verdict function: :attr:`scorer`, or ``landscape.pipeline.scores.score_<name>``."""
        if callable(self.scorer):
            return self.scorer
        if isinstance(self.scorer, str):
            module, name = self.scorer.split(":")
            return getattr(importlib.import_module(module), name)
        from landscape.pipeline import scores

        return getattr(scores, f"score_{self.name}")

    def score(self, tables, numerics, config) -> list[dict]:
        """The experiment's score rows, each ``verdict`` a verdict class.

        A row whose ``verdict`` is an :class:`~landscape.base.verdicts.Outcome` (or a bool, or
        None) gets its claim's verdict class (:func:`landscape.pipeline.scorecard.verdict`).
        """
        from landscape.pipeline.scorecard import Verdict, verdict

        rows = self.verdict_function()(tables, numerics, config)
        return [
            row if isinstance(row["verdict"], Verdict)
            else {**row, "verdict": verdict(row["claim_id"], row["verdict"])}
            for row in rows
        ]  # fmt: skip


# Safran & Shamir 2018's census results, from the authors' files (tools/safran_shamir_rates.py).
SAFRAN_SHAMIR_FILES = (
    "Safran & Shamir 2018, abstract; their census files, ItaySafran/OneLayerGDconvergence@0719662 "
    "Results/newExp-k-n.mat"
)

EXPERIMENTS: list[Experiment] = [
    Experiment(
        name="symmetry",
        section=0,
        figures=(Figure("symmetry"),),
        score_inputs={
            "table": ScoreInput("symmetry_tables", "table", ("loss", "abs_delta_loss", "barrier")),
        },
        claims=(
            Claim(
                "0.permutation_invariance",
                0,
                "Permuting the hidden units of a layer leaves the loss unchanged.",
                "|dL| at float64 round-off",
                "Goodfellow, Bengio & Courville 2016, Sec. 8.2.2",
                ClaimKind.CHECK,
            ),
            Claim(
                "0.permutation_barrier",
                0,
                "The straight path between a trained network and its permuted twin crosses a "
                "barrier.",
                "barrier > 0",
                "Goodfellow, Bengio & Courville 2016, Sec. 8.2.2",
            ),
        ),
    ),
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
        settings=("deep_linear.gap_tolerance",),
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
                "linear_ae_pinv_sweep", 0, "landscape.experiments.linear_ae:SWEEP_COLUMNS"
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
    Experiment(
        name="relu_trap",
        section=3,
        figures=(Figure("relu_trap"),),
        score_inputs={
            "ends": ScoreInput(
                "relu_trap_table", "ends", "landscape.experiments.relu_trap:END_COLUMNS"
            ),
            "perturbations": ScoreInput(
                "relu_trap_table",
                "perturbations",
                "landscape.experiments.relu_trap:PERTURBATION_COLUMNS",
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
    Experiment(
        name="relu_spurious",
        section=3,
        figures=(Figure("relu_spurious"),),
        score_inputs={
            "summary": ScoreInput(
                "relu_spurious_table", "summary", "landscape.experiments.relu:CASE_COLUMNS"
            ),
        },
        settings=("relu_spurious.published", "relu_spurious.decide"),
        claims=(
            Claim(
                "3.spurious_minima",
                3,
                "Two-layer ReLU teacher-student networks (k = n >= 6) have spurious local minima.",
                "certified spurious-minimum rate > 0 for k = n >= 10 (theirs: 34.6% at k = n = 10, "
                "more above)",
                SAFRAN_SHAMIR_FILES,
            ),
            Claim(
                "3.spurious_published_rates",
                3,
                "Gradient descent from Xavier initialisation ends in a spurious minimum at the "
                "published rate of each (k, n).",
                "relu_spurious.published (their per-case rates)",
                SAFRAN_SHAMIR_FILES,
            ),
            Claim(
                "3.spurious_rate_rises_with_k",
                3,
                "The probability of ending in a spurious minimum increases with the network size.",
                "a rising trend in k at n = k (one-sided Cochran-Armitage)",
                SAFRAN_SHAMIR_FILES,
            ),
            Claim(
                "3.spurious_overparameterisation_lowers_rate",
                3,
                "Mild over-parameterisation (n = k + 1) reduces the spurious-minimum rate.",
                "a lower rate at n = k + 1 than n = k, per k (one-sided Fisher)",
                SAFRAN_SHAMIR_FILES,
            ),
        ),
    ),
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
                "index_vs_loss_table", "table", "landscape.experiments.index_vs_loss:COLUMNS"
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
    Experiment(
        name="index_fit",
        section=4,
        figures=(Figure("index_fit"),),
        score_inputs={
            "fits": ScoreInput("index_fit_table", 0, "landscape.experiments.index_fit:FIT_COLUMNS"),
            "memorisation": ScoreInput(
                "memorisation_table",
                "table",
                "landscape.experiments.memorisation:MEMORISATION_COLUMNS",
            ),
        },
        settings=("index_fit.decide",),
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
]


def by_name(name: str) -> Experiment:
    """The registry entry ``name``; KeyError naming the known ones otherwise."""
    for exp in EXPERIMENTS:
        if exp.name == name:
            return exp
    raise KeyError(f"unknown experiment '{name}' (known: {', '.join(e.name for e in EXPERIMENTS)})")


def claims() -> tuple[Claim, ...]:
    """Every claim, in registry order (the scorecard's row order)."""
    return tuple(c for exp in EXPERIMENTS for c in exp.claims)


def figure_claims() -> dict[str, tuple[int, tuple[str, ...]]]:
    """Figure stem -> (section, the ids of the claims it illustrates)."""
    return {
        fig.stem: (exp.section, tuple(c.claim_id for c in exp.claims))
        for exp in EXPERIMENTS
        for fig in exp.figures
    }


def figure_targets() -> list[str]:
    """Every figure file, for ``rule all``."""
    return [path for exp in EXPERIMENTS for fig in exp.figures for path in fig.paths]


def figure_entry(stem: str) -> tuple[Experiment, Figure]:
    """The registry entry that declares figure ``stem``, and the figure.

    Raises:
        KeyError: For a figure no registry entry declares.
    """
    for exp in EXPERIMENTS:
        for fig in exp.figures:
            if fig.stem == stem:
                return exp, fig
    raise KeyError(f"figure '{stem}' is in no registry entry (landscape/pipeline/sections.py)")


def figure_file(stem: str, ext: str = "png") -> str:
    """The path of a registered figure's file.

    Raises:
        KeyError: For a figure no registry entry declares, or a format it does not draw.
    """
    _, fig = figure_entry(stem)
    if ext not in fig.files:
        raise KeyError(f"figure '{stem}' is not drawn as {ext} (see {fig.paths})")
    return fig.files[ext]


def figure_report(stem: str) -> tuple[dict[str, str], str, str]:
    """What a figure rule's outputs need (the workflow's ``figure_outputs`` wraps them).

    Returns:
        The files by format (``png``, and ``pdf`` if drawn), the caption's path relative to the
        repository root, and the report category (the entry's section).

    Raises:
        KeyError: For a figure no registry entry declares.
    """
    exp, fig = figure_entry(stem)
    return fig.files, fig.caption, CATEGORIES[exp.section]


def score_files() -> list[str]:
    """Every score file, the scorecard's inputs: one per entry with claims.

    An illustration (an entry without claims) has no score file and needs no verdict function.
    """
    return [f"results/scores/{exp.name}.csv" for exp in EXPERIMENTS if exp.claims]


def score_inputs(name: str, rules) -> dict[str, str]:
    """The score rule's named inputs for experiment ``name``: paths from the rules' outputs.

    Args:
        name: A registry entry.
        rules: Snakemake's ``rules`` object (``rules.X.output``).
    """
    out = {}
    for key, inp in by_name(name).score_inputs.items():
        outputs = getattr(rules, inp.rule).output
        out[key] = (
            outputs[inp.output] if isinstance(inp.output, int) else getattr(outputs, inp.output)
        )
    return out


def score_settings(name: str, config: dict) -> dict[str, object]:
    """The config values experiment ``name``'s verdicts read, by dotted key."""
    out = {}
    for key in by_name(name).settings:
        value = config
        for part in key.split("."):
            value = value[part]
        out[key] = value
    return out


def figure_rules() -> list[str]:
    """The rules that draw figures (``make figures`` forces exactly these)."""
    return list(dict.fromkeys(exp.rule for exp in EXPERIMENTS))


def category(name: str) -> str:
    """The report category of experiment ``name``."""
    return CATEGORIES[by_name(name).section]


CLAIMS = claims()
FIGURE_CLAIMS = figure_claims()

if __name__ == "__main__":
    if sys.argv[1:] != ["figure-rules"]:
        sys.exit("usage: python -m landscape.pipeline.sections figure-rules")
    print(" ".join(figure_rules()))
