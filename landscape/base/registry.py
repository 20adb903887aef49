"""The registry's vocabulary: an experiment's figures, the tables its verdicts read, its claims.

Every experiment room (``landscape/experiments/<room>/__init__.py``) declares its entries as
:class:`Experiment` values; :mod:`landscape.pipeline.sections` collects them in the lecture's
order and derives the workflow's targets, the score rule's inputs, the scorecard and the report
from them. This module imports no torch (the Snakefile loads the registry).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from landscape.base.verdicts import ClaimKind, Verdict, classify

# The lecture's sections, as the report's categories.
CATEGORIES = {
    0: "Section 0: non-convexity from symmetry",
    1: "Section 1: the Hessian at critical points",
    2: "Section 2: deep linear networks",
    3: "Section 3: ReLU networks have bad local minima",
    4: "Section 4: index against loss",
}


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
    """One registry entry: its figures (drawn by one rule), score inputs and claims.

    Its verdict function is ``score_<name>`` of its room's ``verdicts`` module (or
    :attr:`scorer`); it takes ``(tables, numerics, options)``, where ``options`` is an instance
    of :attr:`options_type` built from the config values at the dotted keys :attr:`options`
    (each field named by its key's last part), or None for an entry that reads no options.
    """

    name: str  # the score file results/scores/<name>.csv
    section: int  # the lecture's section, 0-4 (the report category)
    figures: tuple[Figure, ...]
    score_inputs: dict[str, ScoreInput]
    claims: tuple[Claim, ...]
    figure_rule: str = ""  # the rule that draws the figures; default <name>_figure
    options: tuple[str, ...] = ()  # dotted config keys the verdicts read (besides numerics)
    options_type: str = ""  # "module:Class" of the verdicts' typed options
    # The verdict function: "module:function" (imported when scored, so that loading the
    # registry imports no torch), or a callable; set by the collector to the room's
    # ``verdicts.score_<name>`` when left empty. An entry without claims needs none.
    scorer: Callable | str = field(default="", compare=False)

    @property
    def rule(self) -> str:
        """The rule that draws this experiment's figures."""
        return self.figure_rule or f"{self.name}_figure"

    def verdict_function(self) -> Callable:
        """The verdict function, imported."""
        return self.scorer if callable(self.scorer) else _imported(self.scorer)

    def verdict_options(self, values: Mapping[str, Any]) -> Any:
        """The typed verdict options from the config values at :attr:`options` (by dotted key).

        Raises:
            KeyError: For a key of :attr:`options` missing from ``values``.
        """
        if not self.options_type:
            return None
        fields = {key.rsplit(".", 1)[-1]: values[key] for key in self.options}
        return _imported(self.options_type)(**fields)

    def score(self, tables, numerics, values: Mapping[str, Any]) -> list[dict]:
        """The experiment's score rows, each ``verdict`` a :class:`Verdict`.

        Args:
            tables: The tables, by the names of :attr:`score_inputs`.
            numerics: The config's :class:`~landscape.base.options.Numerics`.
            values: The config values at the dotted keys :attr:`options`.
        """
        kinds = {c.claim_id: c.kind for c in self.claims}
        rows = self.verdict_function()(tables, numerics, self.verdict_options(values))
        return [{**row, "verdict": self._verdict(kinds, row)} for row in rows]

    @staticmethod
    def _verdict(kinds: Mapping[str, ClaimKind], row: Mapping[str, Any]) -> Verdict:
        """A row's verdict class: as written, or from its Outcome and its claim's kind.

        Raises:
            KeyError: For a claim id that is not among this entry's claims.
        """
        found = row["verdict"]
        if isinstance(found, Verdict):
            return found
        if row["claim_id"] not in kinds:
            raise KeyError(
                f"claim '{row['claim_id']}' is not among the entry's claims {sorted(kinds)}"
            )
        return classify(kinds[row["claim_id"]], found)


def _imported(target: str) -> Any:
    """The object at ``"module:name"``."""
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)
