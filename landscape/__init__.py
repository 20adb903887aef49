"""landscape: the geometry of neural-network loss surfaces, reproduced.

One module per concept:

* :mod:`landscape.config` -- loading and validating the pipeline configuration.
* :mod:`landscape.options` -- the options base class and the ``numerics`` tolerances.
* :mod:`landscape.device` -- choosing the torch device (``auto | cpu | cuda``).
* :mod:`landscape.data` -- datasets that need no download.
* :mod:`landscape.models` -- networks as pure functions of a flat parameter vector.
* :mod:`landscape.train` -- training many networks at once.
* :mod:`landscape.curvature` -- gradients, Hessian-vector products, exact Hessians (batched).
* :mod:`landscape.spectrum` -- spectra, index and nullity, inertia, Lanczos extremes and density.
* :mod:`landscape.critical` -- critical-point finders and their certification.
* :mod:`landscape.theory` -- closed forms the numerics are checked against.
* :mod:`landscape.linear_ae` -- validation of the finders on the deep linear autoencoder.
* :mod:`landscape.scorecard` -- the replication claims and their verdicts.
* :mod:`landscape.plots` -- the shared figure style and one function per figure.
* :mod:`landscape.io` -- atomic writes and checked readers.
* :mod:`landscape.runlog` -- logging and wall time for pipeline scripts.
* :mod:`landscape.stats` -- interval estimates of rates.
"""

__version__ = "0.1.0"
