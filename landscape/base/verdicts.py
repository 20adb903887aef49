"""What a claim's rule found, and the verdict class the claim's kind turns it into.

A verdict function (an experiment's ``verdicts.score_<name>``) writes an :class:`Outcome` (or a
bool, or None) in a score row's ``verdict``; the registry entry's :meth:`score
<landscape.base.registry.Experiment.score>` turns it into the claim's :class:`Verdict` with
:func:`classify`, so that an experiment needs nothing of the pipeline to judge its own claims.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import pandas as pd

# The significance level of every test a verdict rule makes, unless its options say otherwise.
ALPHA = 0.05

Tables = Mapping[str, pd.DataFrame]  # a verdict function's inputs, by the entry's input names
Rows = list[dict[str, Any]]  # its score rows (columns claim_id, measured, tolerance, verdict)


class Outcome(StrEnum):
    """What a claim's rule found, before the claim's kind turns it into a verdict."""

    HOLDS = "holds"  # the data support the claim
    FAILS = "fails"  # the data contradict it
    UNDECIDED = "undecided"  # measured, but the data cannot decide
    NOT_MEASURED = "not measured"  # nothing was measured


class ClaimKind(StrEnum):
    """Whether a claim is a replication of a published result or a check of the machinery."""

    REPLICATION = "replication"
    CHECK = "check"


class Verdict(StrEnum):
    """The verdict classes of the scorecard's ``verdict`` column.

    A claim from a paper is ``replicated`` (the data support it at the rule's level),
    ``not replicated`` (the data contradict it) or ``inconclusive`` (it was measured, but the
    data cannot decide: too few points, an interval too wide to tell the claim from its
    alternatives, a test without the power to see a difference); a *check* (a claim that cannot
    fail by construction, which demonstrates that the machinery is right: an identity, a closed
    form, a constructed point) is ``check passed`` or ``check failed``; a claim that nothing
    measured is ``not run``.
    """

    REPLICATED = "replicated"
    NOT_REPLICATED = "not replicated"
    INCONCLUSIVE = "inconclusive"
    CHECK_PASSED = "check passed"
    CHECK_FAILED = "check failed"
    NOT_RUN = "not run"


def outcome(holds: bool | Outcome | None) -> Outcome:
    """A rule's outcome: an Outcome as is; True holds, False fails, None nothing measured."""
    if isinstance(holds, Outcome):
        return holds
    return {True: Outcome.HOLDS, False: Outcome.FAILS, None: Outcome.NOT_MEASURED}[holds]


def classify(kind: ClaimKind, holds: bool | Outcome | None) -> Verdict:
    """The verdict of a claim of ``kind`` whose rule found ``holds``.

    Returns:
        ``replicated`` / ``not replicated`` / ``inconclusive`` for a replication,
        ``check passed`` / ``check failed`` / ``inconclusive`` for a check, ``not run`` when
        nothing was measured.
    """
    found = outcome(holds)
    if found == Outcome.NOT_MEASURED:
        return Verdict.NOT_RUN
    if found == Outcome.UNDECIDED:
        return Verdict.INCONCLUSIVE
    if kind == ClaimKind.CHECK:
        return Verdict.CHECK_PASSED if found == Outcome.HOLDS else Verdict.CHECK_FAILED
    return Verdict.REPLICATED if found == Outcome.HOLDS else Verdict.NOT_REPLICATED
