"""The census's fast step and closed-form Hessian against the float64 references."""

import numpy as np
import pytest
import torch
from torch.func import hessian

from landscape.base.options import Numerics
from landscape.engine import census_step
from landscape.engine.theory import relu_population_loss
from landscape.experiments.relu_spurious.relu import (
    CensusOptions,
    certify_minima,
    descend,
    initial_weights,
    population_value_and_grad,
    teacher,
)


def _students(runs: int, n: int, d: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(runs, n, d, generator=gen, dtype=torch.float64) / d**0.5


@pytest.mark.parametrize(("k", "n"), [(3, 3), (6, 7), (20, 20)])
def test_fused_step_matches_the_torch_reference(k, n):
    # More runs than one chunk, so that the chunk boundary is crossed.
    w, v = _students(census_step.CHUNK_RUNS + 5, n, k, seed=k), teacher(k)
    f_ref, g_ref = population_value_and_grad(w, v)
    f, g = census_step.value_and_grad(w.numpy(), v.numpy())
    np.testing.assert_allclose(f, f_ref.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(g, g_ref.numpy(), rtol=1e-11, atol=1e-14)


def test_fused_step_at_aligned_and_general_teachers():
    # The teacher itself (F = 0, g = 0), a student with two equal rows, and a non-orthogonal
    # teacher of unequal norms.
    v = teacher(4)
    f, g = census_step.value_and_grad(v[None].numpy(), v.numpy())
    assert abs(f[0]) < 1e-14 and np.abs(g).max() < 1e-14
    w = _students(3, 5, 4, seed=1)
    w[:, 1] = w[:, 0]
    v2 = torch.randn(3, 4, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    for teach in (v, v2):
        f_ref, g_ref = population_value_and_grad(w, teach)
        f, g = census_step.value_and_grad(w.numpy(), teach.numpy())
        np.testing.assert_allclose(f, f_ref.numpy(), rtol=1e-12)
        np.testing.assert_allclose(g, g_ref.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(("k", "n"), [(3, 3), (5, 6), (8, 8)])
def test_closed_form_hessian_matches_autograd(k, n):
    w, v = _students(3, n, k, seed=10 + k), teacher(k)
    h = census_step.population_hessian(w, v)  # (3, n k, n k)
    for s in range(3):
        ref = hessian(lambda t: relu_population_loss(t.reshape(n, k), v))(w[s].flatten())
        assert torch.allclose(h[s], ref, rtol=1e-11, atol=1e-13)
    assert torch.equal(h, h.mT) or float((h - h.mT).abs().max()) < 1e-15


def test_closed_form_hessian_at_the_teacher():
    # Every student row aligned with a teacher row: the a a^T / s terms vanish with s.
    v = teacher(4)
    h = census_step.population_hessian(v[None].clone(), v)[0]
    ref = hessian(lambda t: relu_population_loss(t.reshape(4, 4), v))(v.flatten())
    assert torch.isfinite(h).all() and torch.allclose(h, ref, atol=1e-14)
    assert float(torch.linalg.eigvalsh(h)[0]) > 0  # the global minimum is strict here


def test_fused_descent_reaches_the_reference_end_points():
    # The dynamics are unchanged: the same runs end at the same points, statuses and steps.
    k, n = 6, 7
    opts = CensusOptions(runs=24)
    v, w0 = teacher(k), initial_weights(k, n, opts.runs, opts.seed)
    ref = descend(w0, v, opts, log=lambda _: None, reference=True)
    fast = descend(w0, v, opts, log=lambda _: None)
    assert fast["status"] == ref["status"]
    assert torch.equal(fast["steps"], ref["steps"])
    assert float((fast["params"] - ref["params"]).abs().max()) <= 1e-10
    assert float((fast["loss"] - ref["loss"]).abs().max()) <= 1e-12


def test_certify_minima_rejects_a_point_off_the_minimum():
    # A certified spurious minimum of k = n = 8, then the same point moved: the gradient
    # fails the threshold (not certified) though the Hessian stays positive definite.
    opts = CensusOptions(runs=40)
    v, w0 = teacher(8), initial_weights(8, 8, opts.runs, opts.seed)
    res = descend(w0, v, opts, log=lambda _: None)
    ends = [j for j, s in enumerate(res["status"]) if s == "converged" and res["loss"][j] >= 1e-3]
    assert ends
    point = res["params"][ends[:1]]
    moved = point + 1e-3
    _, g_moved = population_value_and_grad(moved, v)
    checks = certify_minima(
        torch.cat([point, moved]),
        torch.stack([res["grad_norm"][ends[0]], g_moved.norm()]),
        v,
        Numerics(),
    )
    (lam, tol, dist, ok), (lam2, _, _, ok2) = checks
    assert ok and lam > tol > dist > 0
    assert lam2 > 0 and not ok2


def test_the_distance_term_withholds_certification():
    # Moved 0.05 along the softest direction of a certified minimum of k = n = 8, with a loose
    # gradient threshold: the point passes it and its smallest eigenvalue (0.017) is far above
    # round-off, but ||g|| = 1e-3 leaves the distance term sqrt(M ||g||) (0.026) above it, so
    # the eigenvalue's sign is not resolved and the point is not certified.
    opts = CensusOptions(runs=40)
    v, w0 = teacher(8), initial_weights(8, 8, opts.runs, opts.seed)
    res = descend(w0, v, opts, log=lambda _: None)
    j = next(i for i, s in enumerate(res["status"]) if s == "converged" and res["loss"][i] >= 1e-3)
    lam, vecs = torch.linalg.eigh(census_step.population_hessian(res["params"][j][None], v)[0])
    moved = res["params"][j][None] + 0.05 * vecs[:, 0].reshape(1, 8, 8)
    _, g = population_value_and_grad(moved, v)
    loose = Numerics(grad_norm_sq_threshold=1e-2)
    ((lam_min, tol, distance, ok),) = certify_minima(moved, g.norm()[None], v, loose)
    assert 1e-10 < lam_min < distance <= tol and not ok
    ((_, _, _, at_min),) = certify_minima(
        res["params"][j][None], res["grad_norm"][j][None], v, loose
    )
    assert at_min


def test_certify_minima_rejects_a_zero_student_row():
    # A dead unit (w_j = 0): the closed form's Hessian is undefined there (NaN), never certified.
    v = teacher(3)
    w = v[None].clone()
    w[0, 2] = 0.0
    ((_, _, _, ok),) = certify_minima(w, torch.zeros(1, dtype=torch.float64), v, Numerics())
    assert not ok
