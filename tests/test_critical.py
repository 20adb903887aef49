"""Certification labels: critical only under the threshold; nothing is relabelled."""

import math

from landscape.critical import certify, is_local_minimum


def test_certify_threshold_is_inclusive():
    assert certify(1e-10, 1e-10) == "critical"
    assert certify(1.0000001e-10, 1e-10) == "not converged"
    assert certify(0.0, 1e-10) == "critical"


def test_diverged_points_are_labelled_not_dropped():
    assert certify(math.nan, 1e-10) == "diverged"
    assert certify(1e-20, 1e-10, diverged=True) == "diverged"


def test_local_minimum_needs_critical_and_positive_definite():
    assert is_local_minimum("critical", "positive definite")
    assert not is_local_minimum("critical", "positive semidefinite")
    assert not is_local_minimum("not converged", "positive definite")
