"""landscape: the geometry of neural-network loss surfaces, reproduced.

Four layers, each a sub-package; imports run one way, downwards (``tests/test_layers.py``):

* :mod:`landscape.pipeline` -- config validation, the registry of experiments (``sections``),
  the figures (``plots``), the verdicts (``scores``), the scorecard and the report.
* :mod:`landscape.experiments` -- one module per section of the lecture: its options, its
  computation, its table columns.
* :mod:`landscape.engine` -- networks (``models``), data, training, curvature, spectra, Krylov
  solves, critical points and their certification, closed forms (``theory``), devices.
* :mod:`landscape.base` -- atomic I/O, logging, resumable state, the tables' vocabularies and
  the options base class with the ``numerics`` tolerances.
"""

__version__ = "0.1.0"
