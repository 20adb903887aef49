"""The bottom layer: what every other layer needs, and which needs nothing of theirs.

Atomic writes and checked readers (:mod:`~landscape.base.io`), logging (``runlog``), resumable
state (``resume``), the tables' vocabularies (``vocabulary``: statuses, definiteness) and the
options base class with the ``numerics`` tolerances (``options``).

Imports: nothing else from ``landscape``.
"""
