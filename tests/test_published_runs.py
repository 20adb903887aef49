"""Pennington & Bahri's runs at one phi: the index read at every end, against float64 references."""

import numpy as np
import pandas as pd
import pytest
import torch
from torch.func import hessian

from landscape.base.options import Numerics
from landscape.engine import shallow_tanh as st
from landscape.engine.models import MLP, make_loss
from landscape.engine.shallow_tanh_search import GradNormDescentOptions, draw_runs
from landscape.engine.spectrum import eigen_tolerance
from landscape.experiments.index_fit.published_runs import (
    RUN_COLUMNS,
    PublishedRunsOptions,
    published_runs,
    read_index,
    samples,
    shard_count,
    spectral_change_rate,
)

SEARCH = GradNormDescentOptions(loss_budget=40, gnm_step=0.1, gnm_budget=30, cutoff=1e-3)


def _reference_hessian(theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """One network's Hessian (P, P) by autograd on the project's MLP and squared loss."""
    n0, n_out = x.shape[-1], y.shape[-1]
    model = MLP((n0, theta.shape[-1] // (n0 + n_out), n_out), "tanh", bias=False)
    return hessian(make_loss(model, "mse", x, y))(theta)


def test_samples_meets_phi_exactly_or_says_why():
    assert samples(16, 0.25) == 128 and samples(16, 1 / 16) == 512
    with pytest.raises(ValueError, match="phi = 0.3"):
        samples(16, 0.3)


def test_read_index_counts_the_reference_spectrum_at_both_tolerances():
    runs = draw_runs(3, 8, range(4), seed=5)
    numerics = Numerics()
    got = read_index(runs.theta, runs.x, runs.y, numerics)
    for b in range(4):
        lam = torch.linalg.eigvalsh(_reference_hessian(runs.theta[b], runs.x[b], runs.y[b]))
        tol = float(eigen_tolerance(lam, numerics.eigen_tolerance_factor))
        assert got["lambda_min"][b] == pytest.approx(float(lam[0]), rel=1e-10)
        assert got["n_negative_roundoff"][b] == int((lam < -tol).sum())
        assert got["n_negative_derived"][b] == int((lam < -got["tol_derived"][b]).sum())
        assert got["tol_derived"][b] > got["tol_roundoff"][b]  # not at a critical point
    assert (got["n_negative_derived"] <= got["n_negative_roundoff"]).all()


def test_the_hessian_change_rate_is_the_finite_difference_norm():
    runs = draw_runs(2, 6, range(3), seed=2)
    g = st.gradient(st.forward(runs.theta, runs.x, runs.y), runs.x)
    h = st.hessian(runs.theta, runs.x, runs.y)
    rate = spectral_change_rate(runs.theta, runs.x, runs.y, g, h)
    for b in range(3):
        s = 1e-4
        u = g[b] / g[b].norm()
        change = _reference_hessian(runs.theta[b] + s * u, runs.x[b], runs.y[b]) - h[b]
        assert float(rate[b]) == pytest.approx(
            float(torch.linalg.matrix_norm(change, 2)) / s, rel=1e-6
        )


def test_published_runs_are_the_same_whatever_the_batch():
    one = published_runs(0.5, PublishedRunsOptions(width=2, runs=6, batch=6), SEARCH, Numerics())
    many = published_runs(0.5, PublishedRunsOptions(width=2, runs=6, batch=4), SEARCH, Numerics())
    assert list(one.columns) == RUN_COLUMNS and len(one) == 6
    numbers = [c for c in RUN_COLUMNS if c != "status"]
    assert np.allclose(one[numbers].to_numpy(float), many[numbers].to_numpy(float), equal_nan=True)
    assert one["status"].tolist() == many["status"].tolist()
    assert (one["samples"] == 8).all() and (one["n_params"] == 8).all()
    assert one["energy"].to_numpy() == pytest.approx(one["loss"].to_numpy() / 2)
    assert (one["kept"] == (one["grad_norm_sq"] <= SEARCH.cutoff)).all()
    other = published_runs(0.25, PublishedRunsOptions(width=2, runs=6), SEARCH, Numerics())
    assert set(one["run"]).isdisjoint(other["run"])  # no two phis share a run's draws


def test_kept_runs_and_only_they_are_polished_and_certified():
    table = published_runs(0.5, PublishedRunsOptions(width=2, runs=12), SEARCH, Numerics())
    kept = table["kept"].astype(bool)
    assert 0 < kept.sum() < len(table)  # the cutoff decides (1e-3 here)
    assert (table.loc[~kept, "status"] == "").all()
    assert table.loc[~kept, "polished_grad_norm_sq"].isna().all()
    assert set(table.loc[kept, "status"]) <= {"critical", "gradient-flat", "not converged"}
    done = table[kept]
    assert (done["polished_grad_norm_sq"] <= done["grad_norm_sq"]).all()
    critical = done["status"] == "critical"
    assert (done.loc[critical, "polished_grad_norm_sq"] <= 1e-10).all()
    assert (done.loc[~critical, "polished_grad_norm_sq"] > 1e-10).all()


def test_shards_joined_are_the_whole_phi():
    options = PublishedRunsOptions(width=2, runs=7, batch=2, shard_size=3)
    whole = published_runs(0.5, options, SEARCH, Numerics())
    parts = [published_runs(0.5, options, SEARCH, Numerics(), shard=k) for k in range(3)]
    assert [len(p) for p in parts] == [3, 3, 1] and shard_count(options) == 3
    joined = pd.concat(parts, ignore_index=True)
    numbers = [c for c in RUN_COLUMNS if c != "status"]
    assert np.allclose(
        joined[numbers].to_numpy(float), whole[numbers].to_numpy(float), equal_nan=True
    )
    assert joined["status"].tolist() == whole["status"].tolist()
