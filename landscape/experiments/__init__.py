"""The experiments, one module per section of the lecture.

Each holds its options, its computation and its table columns.

Imports: :mod:`landscape.engine` and :mod:`landscape.base` (and another experiment's module
where one section builds on another's tables); never the pipeline.
"""
