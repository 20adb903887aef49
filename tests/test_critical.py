"""Certification labels: critical only under the threshold; nothing is relabelled."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
import torch

from landscape.base.options import Numerics
from landscape.engine.critical import (
    FINDERS,
    FinderOptions,
    certify,
    find_critical_points,
    is_local_minimum,
)
from landscape.engine.curvature import make_hessian_hvp
from landscape.experiments.linear_ae.linear_ae import LinearAEOptions, run_validation


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


def _hessian_of(f):
    return make_hessian_hvp(f)


def test_newton_mr_is_drawn_to_the_saddle():
    """Newton's method converges to the nearest critical point, here the origin saddle."""
    f = lambda w: (1 - w[0] * w[1]) ** 2  # noqa: E731
    starts = torch.tensor([[0.1, -0.05], [0.05, 0.08]], dtype=torch.float64)
    res = find_critical_points(f, _hessian_of(f), starts, "newton_mr", FinderOptions(max_iter=50))
    assert res.status == ["critical", "critical"]
    torch.testing.assert_close(
        res.params, torch.zeros(2, 2, dtype=torch.float64), atol=1e-6, rtol=0
    )
    assert (res.grad_norm_sq <= 1e-10).all()


@pytest.mark.parametrize("method", FINDERS)
def test_every_critical_point_finder_solves_an_indefinite_quadratic(method):
    a = torch.tensor([[3.0, 1.0], [1.0, -2.0]], dtype=torch.float64)  # indefinite: a saddle
    b = torch.tensor([1.0, -1.0], dtype=torch.float64)
    f = lambda w: 0.5 * w @ a @ w - b @ w  # noqa: E731
    starts = torch.tensor([[1.0, 1.0], [-2.0, 0.5]], dtype=torch.float64)
    res = find_critical_points(f, _hessian_of(f), starts, method, FinderOptions(max_iter=400))
    solution = torch.linalg.solve(a, b)
    assert res.status == ["critical", "critical"]
    torch.testing.assert_close(res.params, solution.expand(2, 2), atol=1e-5, rtol=0)


def test_saddle_free_newton_escapes_the_saddle_that_newton_mr_finds():
    """From the starts where Newton-MR converges to the origin saddle, |H|^-1 g descends."""
    f = lambda w: (1 - w[0] * w[1]) ** 2  # noqa: E731
    starts = torch.tensor([[0.1, -0.05], [0.05, 0.08]], dtype=torch.float64)
    opts = FinderOptions(max_iter=100)
    res = find_critical_points(f, _hessian_of(f), starts, "saddle_free_newton", opts)
    assert res.status == ["critical", "critical"]
    torch.testing.assert_close(res.loss, torch.zeros(2, dtype=torch.float64), atol=1e-10, rtol=0)
    torch.testing.assert_close(res.params.prod(-1), torch.ones(2, dtype=torch.float64))


def test_saddle_free_newton_solves_a_convex_quadratic_in_one_step():
    a = torch.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=torch.float64)
    b = torch.tensor([1.0, -1.0], dtype=torch.float64)
    f = lambda w: 0.5 * w @ a @ w - b @ w  # noqa: E731
    starts = torch.tensor([[1.0, 1.0], [-2.0, 0.5]], dtype=torch.float64)
    opts = FinderOptions(max_iter=5, polish_steps=0)
    res = find_critical_points(f, _hessian_of(f), starts, "saddle_free_newton", opts)
    assert res.iterations.tolist() == [1, 1]
    torch.testing.assert_close(res.params, torch.linalg.solve(a, b).expand(2, 2))


def test_gradient_flat_points_are_labelled_not_dropped():
    """The function x^2 + y has no critical point; at x = 0 its gradient (0, 1) lies in ker H."""
    f = lambda w: w[0] ** 2 + w[1]  # noqa: E731
    starts = torch.tensor([[0.0, 0.0], [0.5, 1.0]], dtype=torch.float64)
    res = find_critical_points(f, _hessian_of(f), starts, "newton_mr", FinderOptions(max_iter=5))
    assert res.status == ["gradient-flat", "gradient-flat"]
    assert (res.residual > 0.9).all() and len(res.status) == 2
    torch.testing.assert_close(
        res.params[:, 0], torch.zeros(2, dtype=torch.float64), atol=1e-12, rtol=0
    )


def test_linear_autoencoder_end_points_match_the_closed_form(device):
    cfg = {
        "n_samples": 300,
        "input_dim": 5,
        "hidden": 2,
        "trajectories": 2,
        "snapshots": 3,
        "noise_std": 0.01,
        "init_scale": 0.1,
        "learning_rate": 0.05,
        "train_steps": 150,
        "max_iter": 60,
        "gradient_norm_max_iter": 60,
        "damping": 1e-3,
        "seed": 0,
    }
    numerics = Numerics()
    opts = LinearAEOptions.from_config(cfg)
    table, analytic = run_validation(opts, numerics, log=lambda _: None, device=device)
    assert len(table) == 3 * 2 * 2 * 3  # finders x trajectories x (clean, noisy) x snapshots
    assert set(table["status"]) <= {"critical", "gradient-flat", "not converged"}
    certified = table[table["status"] == "critical"]
    assert (certified["method"] == "newton_mr").sum() >= 6
    assert certified["matches_analytic"].all()
    assert (certified["loss_rel_error"] <= 1e-6).all()
    assert (certified["n_negative"] == certified["nearest_analytic_n_negative"]).all()
    assert len(analytic) == 1 + 5 + 10


def test_linear_autoencoder_honours_the_gradient_flat_residual():
    """numerics.gradient_flat_residual and _cokernel decide the linear autoencoder's labels too."""
    cfg = {
        "n_samples": 100,
        "input_dim": 4,
        "hidden": 2,
        "trajectories": 1,
        "snapshots": 2,
        "noise_std": 0.01,
        "init_scale": 0.1,
        "learning_rate": 0.05,
        "train_steps": 50,
        "max_iter": 2,
        "gradient_norm_max_iter": 2,
        "damping": 1e-3,
        "seed": 0,
    }
    opts = LinearAEOptions.from_config(cfg)
    loose = Numerics(gradient_flat_residual=1e-30, gradient_flat_cokernel=10.0)
    table, _ = run_validation(opts, loose, log=lambda _: None)
    uncertified = table[table["status"] != "critical"]
    assert len(uncertified) and (uncertified["residual"] > 1e-30).all()
    assert set(uncertified["status"]) == {"gradient-flat"}


def test_matrix_free_minres_newton_mr_agrees_with_the_dense_solve():
    f = lambda w: (1 - w[0] * w[1]) ** 2 + 0.1 * (w[2] - w[0]) ** 2  # noqa: E731
    starts = torch.tensor([[0.1, -0.05, 0.2], [0.9, 1.2, 0.5]], dtype=torch.float64)
    dense = find_critical_points(f, _hessian_of(f), starts, "newton_mr", FinderOptions(max_iter=60))
    free = find_critical_points(
        f, _hessian_of(f), starts, "newton_mr", FinderOptions(max_iter=60, solver="minres")
    )
    assert dense.status == free.status == ["critical", "critical"]
    torch.testing.assert_close(free.params, dense.params, atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match="unknown Newton solver"):
        find_critical_points(f, _hessian_of(f), starts, "newton_mr", FinderOptions(solver="cg"))


def test_iterations_count_the_updates_made():
    f = lambda w: 0.5 * (w * w).sum()  # noqa: E731  one Newton step reaches the minimum
    starts = torch.tensor([[1.0, 1.0], [0.0, 0.0]], dtype=torch.float64)
    res = find_critical_points(f, _hessian_of(f), starts, "newton_mr", FinderOptions(max_iter=10))
    assert res.iterations.tolist() == [1, 0]
    g = lambda w: w[0] ** 2 + w[1]  # noqa: E731  never converges
    stuck = find_critical_points(g, _hessian_of(g), starts, "newton_mr", FinderOptions(max_iter=3))
    assert stuck.iterations.tolist() == [3, 3]


def test_nan_end_points_are_labelled_diverged():
    f = lambda w: torch.sqrt(w[0]) + w[1] ** 2  # noqa: E731  NaN for w[0] < 0
    starts = torch.tensor([[-1.0, 1.0], [1.0, 1.0]], dtype=torch.float64)
    res = find_critical_points(f, _hessian_of(f), starts, "newton_mr", FinderOptions(max_iter=3))
    assert res.status[0] == "diverged" and res.status[1] != "diverged"


def test_finders_on_the_linear_autoencoder_match_the_float64_reference_run():
    """Every finder at a reduced budget reproduces the stored float64 run (end for end).

    The reference (tests/data/linear_ae_reference.csv) was written by
    tests/data/make_linear_ae_reference.py; a change to a finder's steps, line search or
    certification changes an end point's status, iterations, loss or gradient norm here.
    """
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parent / "data" / "make_linear_ae_reference.py"
    spec = importlib.util.spec_from_file_location("make_linear_ae_reference", path)
    ref_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref_module)
    reference = pd.read_csv(path.with_name("linear_ae_reference.csv"))
    table, _ = run_validation(ref_module.OPTIONS, Numerics(), log=lambda _: None)
    table = table[ref_module.REFERENCE_COLUMNS]
    for col in ("method", "start", "status", "n_negative", "iterations"):
        assert table[col].tolist() == reference[col].tolist(), col
    np.testing.assert_allclose(table["loss"], reference["loss"], rtol=1e-9)
    np.testing.assert_allclose(
        table["grad_norm_sq"], reference["grad_norm_sq"], rtol=1e-4, atol=1e-20
    )


def test_one_gradient_norm_step_is_the_exact_line_minimiser_of_half_the_squared_gradient():
    """HVP fast path against the dense float64 formula: x - a* A g, a* = ||A g||^2 / ||A A g||^2.

    On a quadratic the Gauss-Newton model of 1/2 ||g||^2 along -A g is exact, so a* is its
    minimiser and the Armijo test accepts it at once.
    """
    a = torch.tensor([[3.0, 1.0, 0.0], [1.0, -2.0, 0.5], [0.0, 0.5, 1.0]], dtype=torch.float64)
    b = torch.tensor([1.0, -1.0, 0.5], dtype=torch.float64)
    f = lambda w: 0.5 * w @ a @ w - b @ w  # noqa: E731
    x0 = torch.tensor([[1.0, 1.0, 1.0], [-2.0, 0.5, 3.0]], dtype=torch.float64)
    res = find_critical_points(
        f, _hessian_of(f), x0, "gradient_norm", FinderOptions(max_iter=1, polish_steps=0)
    )
    g = x0 @ a - b  # (2, 3)
    d = g @ a  # A g (A symmetric)
    step = (d * d).sum(-1) / ((d @ a) ** 2).sum(-1)  # (2,)
    torch.testing.assert_close(res.params, x0 - step[:, None] * d, rtol=1e-12, atol=1e-14)


def test_linear_autoencoder_loss_is_frye_et_al_s_mean_squared_error():
    """At W = 0 the loss is mean(lambda) = (d + 1) / 2, the error per entry (theirs).

    Ours, half the squared norm per sample, would be d (d + 1) / 4.
    """
    from landscape.engine.curvature import DEFAULT_CURVATURE
    from landscape.experiments.linear_ae.linear_ae import _setting

    opts = LinearAEOptions(
        n_samples=200, input_dim=6, hidden=2, trajectories=1, snapshots=1, train_steps=2
    )
    st = _setting(opts, "cpu", DEFAULT_CURVATURE)
    zero = torch.zeros(st.model.n_params, dtype=torch.float64)
    assert float(st.loss_fn(zero)) == pytest.approx(3.5, rel=1e-12)


def test_sweep_seeds_start_from_disjoint_trajectories():
    """Two seeds never share a starting network (seed + j once made seed 1 reuse seed 0's)."""
    from landscape.engine.curvature import DEFAULT_CURVATURE
    from landscape.experiments.linear_ae.linear_ae import _setting

    opts = LinearAEOptions(
        n_samples=200, input_dim=6, hidden=2, trajectories=3, snapshots=2, train_steps=20
    )
    starts = [
        _setting(dataclasses.replace(opts, seed=s), "cpu", DEFAULT_CURVATURE).starts
        for s in (0, 1, 2)
    ]
    for i in range(3):
        for j in range(i + 1, 3):
            assert torch.cdist(starts[i], starts[j]).min() > 1e-3, (i, j)


def _small_mlp_problem():
    """A 3-3-2 tanh MLP on 200 Gaussian points (P = 20), its loss, Hessian and 8 starts."""
    from landscape.engine.models import MLP, init_params, make_loss

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(200, 3, generator=gen, dtype=torch.float64)
    y = torch.tanh(x @ torch.randn(3, 2, generator=gen, dtype=torch.float64))
    model = MLP((3, 3, 2), "tanh")
    loss = make_loss(model, "mse", x, y)
    starts = torch.stack([init_params(model, s) for s in range(8)])
    return loss, make_hessian_hvp(loss), starts


def test_matrix_free_newton_mr_takes_the_dense_steps_on_a_small_mlp():
    """MINRES-QLP on HVPs against the dense eigh path on a small MLP.

    The same iterates to 1e-8, the same statuses after 30 iterations, and the same certification
    numbers at the same points.
    """
    loss, hess, starts = _small_mlp_problem()

    def run(solver, iters, points=starts):
        opts = FinderOptions(max_iter=iters, pinv_rtol=1e-10, solver=solver, minres_rtol=1e-12)
        return find_critical_points(loss, hess, points, "newton_mr", opts)

    dense, free = run("eigh", 3), run("minres", 3)
    assert float((dense.params - free.params).norm(dim=-1).max()) < 1e-8
    dense, free = run("eigh", 30), run("minres", 30)
    assert dense.status == free.status and dense.status.count("critical") >= 4
    # Certification of the same points (no iteration): statuses and Frye's residual. (The
    # Hessian rate is measured along each path's own Newton step, which at a polished point is
    # round-off in both: it is compared below along one direction.)
    dense, free = run("eigh", 0, dense.params), run("minres", 0, dense.params)
    assert dense.status == free.status
    torch.testing.assert_close(free.residual, dense.residual, atol=1e-8, rtol=0)
    assert torch.isfinite(free.eig_tol_distance).all() and (free.eig_tol_distance > 0).all()


def test_matrix_free_hessian_change_norm_is_the_dense_spectral_norm():
    from landscape.engine.critical import _hessian_change_norm, _Search

    loss, hess, starts = _small_mlp_problem()
    ctx = _Search.build(loss, hess, FinderOptions(solver="minres"))
    gen = torch.Generator().manual_seed(1)
    probe = starts + 1e-2 * torch.randn(starts.shape, generator=gen, dtype=torch.float64)
    change = torch.stack([hess(a) - hess(b) for a, b in zip(probe, starts, strict=True)])
    dense = torch.linalg.eigvalsh(change).abs().amax(-1)  # (S,)
    torch.testing.assert_close(_hessian_change_norm(ctx, starts, probe), dense, rtol=1e-8, atol=0)


def test_matrix_free_search_labels_a_diverged_start():
    """A non-finite start is ``diverged`` under both solvers; the others are unaffected."""
    f = lambda w: (w**4).sum() - (w**2).sum()  # noqa: E731  minima at +-1/sqrt(2)
    starts = torch.tensor([[0.9, -0.8], [float("nan"), 0.1], [-0.6, 0.65]], dtype=torch.float64)
    for solver in ("eigh", "minres"):
        res = find_critical_points(
            f, _hessian_of(f), starts, "newton_mr", FinderOptions(max_iter=40, solver=solver)
        )
        assert res.status == ["critical", "diverged", "critical"], solver
        assert torch.isnan(res.eig_tol_distance[1]) and torch.isfinite(res.eig_tol_distance[0])


@pytest.mark.parametrize("pinv_rtol", [1e-4, 1e-10])
def test_matrix_free_newton_mr_step_is_the_dense_one_on_a_singular_quadratic(pinv_rtol):
    """One Newton-MR iteration on 1/2 w^T H w - c^T w, H PSD with a 5-dimensional kernel.

    Both solvers at the default minres_rtol (FinderOptions' pinv_rtol 1e-4 and the configs'
    1e-10), same ends to 1e-8: the step is pinv(H) g, with no component in the kernel. (Before
    the fix the matrix-free end was about 30 away, its loss -75 against the dense -7.4.)
    """
    gen = torch.Generator().manual_seed(0)
    q, _ = torch.linalg.qr(torch.randn(25, 25, generator=gen, dtype=torch.float64))
    lam = torch.cat([torch.zeros(5), torch.linspace(1.0, 10.0, 20)]).double()
    h = q @ torch.diag(lam) @ q.T
    c = torch.randn(25, generator=gen, dtype=torch.float64)
    f = lambda w: 0.5 * w @ h @ w - c @ w  # noqa: E731
    starts = torch.randn(2, 25, generator=gen, dtype=torch.float64)
    ends = {}
    for solver in ("eigh", "minres"):
        opts = FinderOptions(max_iter=1, pinv_rtol=pinv_rtol, solver=solver, minres_maxiter=50)
        ends[solver] = find_critical_points(f, _hessian_of(f), starts, "newton_mr", opts).params
    kernel = q[:, :5]
    exact = starts - (torch.linalg.pinv(h, rtol=1e-10) @ (starts @ h - c).T).T
    torch.testing.assert_close(ends["eigh"], exact, atol=1e-10, rtol=0)
    gap = (ends["minres"] - ends["eigh"]).norm(dim=-1)
    assert float(gap.max()) < 1e-8, (gap, (ends["minres"] - starts) @ kernel)


def test_descent_path_records_every_step_of_the_finder():
    """Saddle-free Newton's path: row 0 the starts, the loss never rises (Armijo on the loss)."""
    from torch.func import vmap

    from landscape.engine.critical import descent_path

    loss, hess, starts = _small_mlp_problem()
    opts = FinderOptions(max_iter=4, grad_norm_sq_threshold=0.0)
    path = descent_path(loss, hess, starts, "saddle_free_newton", opts, steps=4)
    assert path.shape == (5, 8, 20) and torch.equal(path[0], starts)
    losses = torch.stack([vmap(loss)(p) for p in path])  # (5, 8)
    assert (losses[1:] <= losses[:-1] + 1e-15).all() and (losses[-1] < losses[0]).all()
    with pytest.raises(ValueError, match="unknown finder"):
        descent_path(loss, hess, starts, "adam", opts, steps=1)


def test_dauphins_newton_and_saddle_free_newton_pick_their_damping_per_update():
    """Dauphin's methods on a small MLP: each lowers its objective at every step.

    Saddle-free Newton lowers the loss; Newton lowers ||g||^2 and certifies critical points
    from the saddle-free path's ends.
    """
    from torch.func import vmap

    from landscape.engine.critical import descent_path

    loss, hess, starts = _small_mlp_problem()
    opts = FinderOptions(max_iter=30)
    sfn = descent_path(loss, hess, starts, "saddle_free_newton_best_damping", opts, steps=10)
    losses = torch.stack([vmap(loss)(p) for p in sfn])  # (11, 8)
    assert (losses[1:] <= losses[:-1]).all() and (losses[-1] < 0.5 * losses[0]).all()
    newton = descent_path(loss, hess, sfn[-1], "newton_best_damping", opts, steps=5)
    grads = vmap(torch.func.grad(loss))
    gn = torch.stack([(grads(p) ** 2).sum(-1) for p in newton])  # (6, 8)
    assert (gn[1:] <= gn[:-1]).all()
    found = find_critical_points(loss, hess, sfn[-1], "newton_best_damping", opts)
    assert found.status.count("critical") >= 4
