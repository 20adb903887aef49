"""Polishing to round-off, the derived eigenvalue tolerance and Frye's residual.

Mostly on a function whose critical manifold and nullity are known: a deep linear network.
"""

import pytest
import torch

from landscape.engine.critical import FinderOptions, distance_tolerances, find_critical_points
from landscape.engine.curvature import make_hessian, make_hessian_hvp
from landscape.engine.models import deep_linear, make_loss
from landscape.engine.spectrum import IndexTolerance, negative_counts, summarize_spectrum

D = 3  # input, hidden and output width: W2 W1 = A is a manifold of global minima


def _problem():
    """The linear network x -> W2 W1 x on whitened inputs (X = sqrt(n) I), targets A x.

    Its global minima W2 W1 = A form a manifold of dimension D^2 (W1 -> G W1, W2 -> W2 G^-1 for
    invertible G), so the Hessian there has nullity exactly D^2 and D^2 positive eigenvalues
    (Baldi & Hornik 1989; Kawaguchi 2016).
    """
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(D, D, generator=gen, dtype=torch.float64)  # (D, D) target map
    x = torch.eye(D, dtype=torch.float64) * D**0.5  # (n = D, D)
    y = x @ a.T  # (n, D)
    model = deep_linear((D, D, D))
    w1 = torch.eye(D, dtype=torch.float64) + 0.3 * torch.randn(
        D, D, generator=gen, dtype=torch.float64
    )
    w2 = a @ torch.linalg.inv(w1)  # on the manifold: W2 W1 = A
    minimum = torch.cat([w1.reshape(-1), w2.reshape(-1)])  # (2 D^2,), weights only
    return model, x, y, minimum, gen


def _spectrum(model, x, y, theta):
    h = make_hessian(model, "mse", x, y)(theta)
    return torch.linalg.eigvalsh(0.5 * (h + h.T))


def test_deep_linear_minimum_has_the_closed_form_nullity():
    model, x, y, minimum, _ = _problem()
    assert model.n_params == 2 * D * D and not model.bias
    s = summarize_spectrum(_spectrum(model, x, y, minimum), 10.0)
    assert (s.n_negative, s.nullity, s.n_positive) == (0, D * D, D * D)


def test_unpolished_point_is_miscounted_at_round_off_and_polished_one_counted_exactly():
    model, x, y, minimum, gen = _problem()
    loss_fn = make_loss(model, "mse", x, y)
    hess = make_hessian(model, "mse", x, y)
    near = minimum + 1e-7 * torch.randn(minimum.shape, generator=gen, dtype=torch.float64)
    g = torch.func.grad(loss_fn)(near)
    assert float(g @ g) <= 1e-10  # certified as it stands
    # Unpolished, the point passes the threshold, yet at round-off tolerance the D^2 zero
    # eigenvalues, moved by ~1e-7, read as negative and positive: index and nullity wrong.
    eig = _spectrum(model, x, y, near)
    rough = summarize_spectrum(eig, 10.0)
    assert rough.n_negative > 0 and rough.nullity < D * D
    # The derived tolerance, sqrt(M ||g||), already covers the distance at the unpolished point.
    options = FinderOptions()
    distance = float(distance_tolerances(loss_fn, hess, near[None], options)[0])
    derived = summarize_spectrum(eig, 10.0, distance=distance)
    assert (derived.n_negative, derived.nullity) == (0, D * D)
    counts = negative_counts(eig, rough.eig_tol, derived.eig_tol)
    assert counts[IndexTolerance.ROUNDOFF.key] == rough.n_negative
    assert counts["band"] >= rough.n_negative  # the miscounted ones sit in the band
    # Polished (max_iter=0: the point is certified, then refined to round-off).
    res = find_critical_points(loss_fn, hess, near[None], "newton_mr", FinderOptions(max_iter=0))
    assert res.status == ["critical"]
    assert res.polish.steps[0] >= 1
    assert res.grad_norm_sq[0] < 1e-6 * res.polish.grad_norm_sq_before[0]
    polished = summarize_spectrum(_spectrum(model, x, y, res.params[0]), 10.0)
    assert (polished.n_negative, polished.nullity, polished.n_positive) == (0, D * D, D * D)
    # Polishing stayed on the manifold (the loss is the global minimum's, 0) and nearby.
    assert float(res.loss[0]) < 1e-20
    assert float(res.polish.distance[0]) < 1e-4


def test_distance_tolerance_shrinks_with_the_gradient():
    """sqrt(M ||g||): a point 100 times closer has about a tenth of the tolerance."""
    model, x, y, minimum, gen = _problem()
    loss_fn = make_loss(model, "mse", x, y)
    hess = make_hessian(model, "mse", x, y)
    v = torch.randn(minimum.shape, generator=gen, dtype=torch.float64)
    points = torch.stack([minimum + 1e-4 * v, minimum + 1e-6 * v])
    far, close = distance_tolerances(loss_fn, hess, points, FinderOptions()).tolist()
    assert close == pytest.approx(far / 10, rel=0.3)


def test_plateau_spectra_polish_certified_points_only():
    """Section 1c: only a certified point is polished and read with the derived tolerance.

    A plateau point that is not critical keeps its own spectrum at round-off.
    """
    import numpy as np

    from landscape.base.options import Numerics
    from landscape.engine.curvature import CurvatureOptions
    from landscape.engine.data import Dataset
    from landscape.engine.models import MLP, init_params
    from landscape.experiments.training_plateaus.training_plateaus import plateau_spectra

    gen = np.random.default_rng(0)
    x, y = gen.standard_normal((8, 2)), gen.standard_normal((8, 1))
    ds = Dataset("toy", "regression", x, y, x, y)
    model = MLP((2, 2, 1), "linear")  # with biases, as plateau_spectra builds it
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    loss_fn = make_loss(model, "mse", xt, yt)
    hess = make_hessian(model, "mse", xt, yt)
    start = init_params(model, 0)
    found = find_critical_points(loss_fn, hess, start[None], "newton_mr", FinderOptions())
    assert found.status == ["critical"]
    near = found.params[0] + 1e-7 * torch.ones(model.n_params, dtype=torch.float64)
    point = {
        "network": 0,
        "seed": 0,
        "point": "plateau",
        "plateau": 0,
        "plateau_start": 0,
        "plateau_end": 10,
        "step": 5,
        "diverged": False,
    }
    ckpt = {
        "params": torch.stack([near, start]),
        "points": [point, {**point, "step": 9}],
        "widths": [2, 2, 1],
        "activation": "linear",
        "loss": "mse",
    }
    summary, _ = plateau_spectra(ckpt, ds, Numerics(), CurvatureOptions(), "cpu", lambda *a: None)
    certified, plateau = summary.iloc[0], summary.iloc[1]
    assert certified["status"] == "critical"
    assert certified["grad_norm_sq"] < 1e-3 * certified["grad_norm_sq_before_polish"]
    assert certified["eig_tol_distance"] > 0
    assert plateau["status"] == "not converged"
    assert np.isnan(plateau["grad_norm_sq_before_polish"]) and np.isnan(plateau["eig_tol_distance"])


def test_gradient_flat_needs_both_of_fryes_residuals():
    """x^2 + y at x = 0: g = (0, 1) lies in ker H, so r = 1 and r_H = 0 (thesis Sec. 3.4.3).

    The label follows both cuts: r above numerics.gradient_flat_residual and r_H below
    numerics.gradient_flat_cokernel; either cut out of reach leaves the point not converged.
    """
    f = lambda w: w[0] ** 2 + w[1]  # noqa: E731
    start = torch.tensor([[0.0, 0.0]], dtype=torch.float64)
    hess = make_hessian_hvp(f)

    def label(**cuts):
        opts = FinderOptions(max_iter=0, polish_steps=0, **cuts)
        res = find_critical_points(f, hess, start, "newton_mr", opts)
        return res.status[0], float(res.residual[0]), float(res.cokernel_residual[0])

    status, r, r_h = label()
    assert status == "gradient-flat" and r == pytest.approx(1.0) and r_h < 1e-12
    assert label(flat_residual=1.0)[0] == "not converged"  # r is not above 1
    assert label(flat_cokernel=0.0)[0] == "not converged"  # r_H is not below 0
