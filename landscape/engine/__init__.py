"""The numerical engine, which knows no section of the lecture.

Networks, data, training, curvature, spectra, Krylov solves, critical points, closed forms.

Imports: :mod:`landscape.base` only (never the experiments or the pipeline).
"""
