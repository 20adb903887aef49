"""What a claim's rule found, before the registry's claim kind turns it into a verdict.

A verdict function (an experiment's, or :mod:`landscape.pipeline.scores`) may write an
:class:`Outcome` (or a bool, or None) in a score row's ``verdict``; the pipeline's score rule
turns it into the claim's verdict class (:func:`landscape.pipeline.scorecard.verdict`), so that
an experiment needs nothing of the pipeline to judge its own claims.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """What a claim's rule found, before the claim's kind turns it into a verdict."""

    HOLDS = "holds"  # the data support the claim
    FAILS = "fails"  # the data contradict it
    UNDECIDED = "undecided"  # measured, but the data cannot decide
    NOT_MEASURED = "not measured"  # nothing was measured


def outcome(holds: bool | None) -> Outcome:
    """A two-way rule's outcome: True holds, False fails, None nothing measured."""
    return {True: Outcome.HOLDS, False: Outcome.FAILS, None: Outcome.NOT_MEASURED}[holds]
