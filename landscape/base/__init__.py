"""The bottom layer: what every other layer needs, and which needs nothing of theirs.

Atomic writes and checked readers (:mod:`~landscape.base.io`), logging (``runlog``), resumable
state (``resume``), the tables' vocabularies (``vocabulary``: statuses, definiteness), the
options base class with the ``numerics`` tolerances (``options``), the registry's types
(``registry``), outcomes and verdict classes (``verdicts``) and the shared figure style
(``plotting``).

Imports: nothing else from ``landscape``.
"""
