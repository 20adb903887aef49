"""An overflow (+-inf) is labelled like a NaN, ``diverged``, everywhere a point is labelled.

Each labelling path gets a start whose loss or gradient overflows float64 (exp(900), or weights of
1e200 whose products exceed 1e308).
"""

import math

import numpy as np
import pytest
import torch

from landscape.engine.critical import (
    BEST_DAMPING,
    FINDERS,
    MINIMIZERS,
    FinderOptions,
    certify,
    find_critical_points,
)
from landscape.engine.curvature import CurvatureOptions, SpectrumMethod, point_spectra
from landscape.engine.models import MLP, init_params, make_loss
from landscape.engine.train import TrainOptions, train
from landscape.experiments.deep_linear.deep_linear import OptimumOptions, optimum_runs
from landscape.experiments.relu_spurious.relu import CensusOptions, descend, teacher


def exp_bowl(w: torch.Tensor) -> torch.Tensor:
    """f(x, y) = exp(x^2) + y^2: exp(900) overflows to inf at x = 30."""
    return torch.exp(w[0] ** 2) + w[1] ** 2


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_certify_calls_non_finite_diverged(value):
    assert certify(value, 1e-10) == "diverged"


@pytest.mark.parametrize("method", FINDERS + MINIMIZERS + BEST_DAMPING)
def test_finders_label_an_overflowing_start_diverged(method):
    starts = torch.tensor([[30.0, 1.0], [0.1, 0.1]], dtype=torch.float64)
    res = find_critical_points(
        exp_bowl, torch.func.hessian(exp_bowl), starts, method, FinderOptions(max_iter=30)
    )
    assert res.status[0] == "diverged", (method, res.grad_norm_sq)
    assert res.status[1] != "diverged"


def test_training_marks_an_overflowing_network_diverged():
    model = MLP((3, 3, 1), "linear")
    x = torch.ones(5, 3, dtype=torch.float64)
    y = torch.zeros(5, 1, dtype=torch.float64)
    theta0 = torch.stack([init_params(model, s) for s in range(2)])
    theta0[0] = 1e200  # the products of two layers overflow: loss = inf, not NaN
    loss_fn = make_loss(model, "mse", x, y)
    assert math.isinf(float(loss_fn(theta0[0])))
    result = train(loss_fn, theta0, TrainOptions(learning_rate=0.01, steps=5))
    assert result.diverged.tolist() == [True, False]


def test_census_labels_an_overflowing_run_diverged():
    v = teacher(3)
    w0 = torch.full((2, 3, 3), 0.3, dtype=torch.float64)
    w0[0] = 1e200  # ||w||^2 overflows
    res = descend(w0, v, CensusOptions(runs=2, restarts=0, max_steps=50), log=lambda _: None)
    assert res["status"][0] == "diverged"
    assert res["status"][1] != "diverged"


def test_deep_linear_optimum_labels_an_overflowing_run_diverged():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(20, 3, dtype=torch.float64, generator=gen)
    y = torch.randn(20, 2, dtype=torch.float64, generator=gen)
    opts = OptimumOptions(
        depths=(2,), hidden_widths=(3,), networks=2, learning_rate=50.0, steps=40, polish_iter=2
    )
    table = optimum_runs("toy", x, y, opts, FinderOptions(), 10.0)
    assert table["status"].tolist() == ["diverged", "diverged"]
    assert table["index"].isna().all()


@pytest.mark.parametrize("spectrum", list(SpectrumMethod))
def test_point_spectra_skip_points_that_are_not_finite(spectrum):
    """Section 1c and 2-4 read no spectrum at a diverged point; the others are read."""
    model = MLP((2, 2, 1), "tanh")
    x = torch.randn(6, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    y = torch.zeros(6, 1, dtype=torch.float64)
    params = torch.stack([init_params(model, s) for s in range(3)])
    params[1] = math.inf
    options = CurvatureOptions(spectrum=spectrum)
    finite = torch.isfinite(params).all(-1)
    summaries, spectra = point_spectra(
        options.hessian(model, "mse", x, y), params, 10.0, options, chunk=2, finite=finite
    )
    assert summaries[1] is None and spectra[1] is None
    assert summaries[0] is not None and summaries[2] is not None
    assert (spectra[0] is not None) == (spectrum == SpectrumMethod.FULL)


def test_plateau_spectra_label_an_overflowing_point_diverged():
    """Section 1c: a saved point whose loss overflows is diverged, with no spectrum read."""
    from landscape.base.options import Numerics
    from landscape.engine.data import Dataset
    from landscape.experiments.training_plateaus.training_plateaus import plateau_spectra

    gen = np.random.default_rng(0)
    x = gen.standard_normal((8, 2))
    y = gen.standard_normal((8, 1))
    ds = Dataset("toy", "regression", x, y, x, y)
    model = MLP((2, 2, 1), "linear")
    params = torch.stack(
        [init_params(model, 0), torch.full((model.n_params,), 1e200, dtype=torch.float64)]
    )
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
        "params": params,
        "points": [point, {**point, "step": 9}],
        "widths": [2, 2, 1],
        "activation": "linear",
        "loss": "mse",
    }
    summary, eigenvalues = plateau_spectra(
        ckpt, ds, Numerics(), CurvatureOptions(), "cpu", lambda *a: None
    )
    assert summary["status"].tolist()[1] == "diverged"
    assert summary["status"].tolist()[0] != "diverged"
    assert math.isnan(summary["index"].iloc[1]) and summary["spectrum_method"].iloc[1] == "none"
    assert set(eigenvalues["step"]) == {5}
