"""The registry of the pipeline's experiments, collected from the rooms, and what derives from it.

In the spirit of showyourwork's one entry per figure, every experiment (a row of the lecture: the
symmetry barrier, the linear autoencoder, the ReLU census, ...) is declared once, in its room's
``landscape/experiments/<room>/__init__.py`` (``EXPERIMENTS``, values of
:class:`~landscape.base.registry.Experiment`). :func:`rooms` finds the rooms and
:func:`collect` gathers their entries in the lecture's order (:data:`ROOM_ORDER`, then any new
room by name). From these entries are derived: the figures and score files that ``rule all``
asks for (:func:`figure_targets`, :func:`score_files`), the generic score rule's inputs
(:func:`score_inputs`), options (:func:`score_options`) and verdict functions (the room's
``verdicts.score_<name>``, or the room's own ``score_<name>`` for a room without a
``verdicts`` module), the scorecard's claims (:data:`CLAIMS`, in this order), the report's
claim map for captions (:data:`FIGURE_CLAIMS`), the rules that ``make figures`` reruns
(:func:`figure_rules`), and each figure rule's outputs with their caption and report category
(:func:`figure_report`, wrapped by the workflow's ``figure_outputs``).

Run as ``python -m landscape.pipeline.sections figure-rules`` it prints the figure rules (the
Makefile's ``make figures`` reads them).
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import pkgutil
import re
import sys

import landscape.experiments
from landscape.base.registry import CATEGORIES, Claim, Experiment, Figure

# The lecture's order of the rooms (the scorecard's row order); a room not listed comes after
# these, by name.
ROOM_ORDER = (
    "symmetry",
    "toys",
    "training_plateaus",
    "deep_linear",
    "linear_ae",
    "relu_trap",
    "relu_spurious",
    "counting",
    "index_vs_loss",
    "dauphin",
    "index_fit",
)


def rooms() -> list[str]:
    """The experiment rooms: the sub-packages of :mod:`landscape.experiments`, in lecture order."""
    found = [m.name for m in pkgutil.iter_modules(landscape.experiments.__path__) if m.ispkg]
    known = [r for r in ROOM_ORDER if r in found]
    return known + sorted(set(found) - set(known))


def collect() -> list[Experiment]:
    """Every room's registry entries, in room order; each without a scorer gets its room's.

    Raises:
        KeyError: For two entries of one name.
    """
    out: list[Experiment] = []
    for room in rooms():
        module = importlib.import_module(f"landscape.experiments.{room}")
        for exp in getattr(module, "EXPERIMENTS", ()):
            if any(e.name == exp.name for e in out):
                raise KeyError(f"experiment '{exp.name}' is declared twice (room {room})")
            scorer = exp.scorer or f"{_verdicts_module(room)}:score_{exp.name}"
            out.append(dataclasses.replace(exp, scorer=scorer))
    return out


def _verdicts_module(room: str) -> str:
    """Where room ``room``'s verdict functions are: its ``verdicts`` module, else the room."""
    package = f"landscape.experiments.{room}"
    return f"{package}.verdicts" if importlib.util.find_spec(f"{package}.verdicts") else package


EXPERIMENTS: list[Experiment] = collect()


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
    raise KeyError(
        f"figure '{stem}' is in no registry entry (declare it in its room's "
        "landscape/experiments/<room>/__init__.py)"
    )


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


def score_options(name: str, config: dict) -> dict[str, object]:
    """The config values experiment ``name``'s verdicts read, by dotted key (its ``options``)."""
    out = {}
    for key in by_name(name).options:
        value = config
        for part in key.split("."):
            value = value[part]
        out[key] = value
    return out


def figure_rules() -> list[str]:
    """The rules that draw figures (``make figures`` forces exactly these)."""
    return list(dict.fromkeys(exp.rule for exp in EXPERIMENTS))


def rule_section(rule: str) -> str:
    """The lecture section ("0".."4") whose work rule ``rule`` does, or "pipeline".

    A rule belongs to the entry whose figure rule, score-input rule or figure it is named after:
    that name, or its stem (the name less ``_table``, ``_tables``, ``_figure`` or ``_figures``),
    begins the rule's name; the longest such stem wins (``index_vs_loss_scale_case`` is section
    4's, ``published_runs_case`` that of the entry reading ``published_runs_table``).
    """
    best, section = "", "pipeline"
    for exp in EXPERIMENTS:
        named = (*(inp.rule for inp in exp.score_inputs.values()), *(f.stem for f in exp.figures))
        for name in (exp.rule, *named):
            stem = re.sub(r"_(tables?|figures?)$", "", name)
            if (rule == name or rule == stem or rule.startswith(stem + "_")) and len(stem) > len(
                best
            ):
                best, section = stem, str(exp.section)
    return section


def category(name: str) -> str:
    """The report category of experiment ``name``."""
    return CATEGORIES[by_name(name).section]


CLAIMS = claims()
FIGURE_CLAIMS = figure_claims()

if __name__ == "__main__":
    if sys.argv[1:] != ["figure-rules"]:
        sys.exit("usage: python -m landscape.pipeline.sections figure-rules")
    print(" ".join(figure_rules()))
