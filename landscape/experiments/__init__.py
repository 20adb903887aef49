"""The experiments, one room (sub-package) per experiment of the lecture.

A room holds its computation (options, tables and their columns), ``figures`` (one function per
figure), ``verdicts`` (``score_<entry>`` per registry entry, returning an
:class:`~landscape.base.verdicts.Outcome` per claim) and, in its ``__init__``, its registry
entries (``EXPERIMENTS``, values of :class:`~landscape.base.registry.Experiment`, imported
without torch). :mod:`landscape.pipeline.sections` collects them.

Imports: :mod:`landscape.engine` and :mod:`landscape.base` (and another room's module where one
section builds on another's tables); never the pipeline.
"""
