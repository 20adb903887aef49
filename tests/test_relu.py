"""Section 3: kernel vs Monte Carlo, gradient vs autograd, stopping rule vs full runs, the trap."""

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import landscape
from landscape.base.options import Numerics
from landscape.engine import census_step
from landscape.engine.theory import relu_gaussian_kernel, relu_population_loss
from landscape.experiments.relu_spurious.relu import (
    CensusOptions,
    census_case,
    descend,
    initial_weights,
    population_value_and_grad,
    teacher,
)
from landscape.experiments.relu_trap.relu_trap import TrapOptions, run_trap, trap_init, trap_problem

NUMERICS = Numerics()


def test_relu_kernel_matches_monte_carlo_and_special_angles():
    gen = torch.Generator().manual_seed(0)
    w, v = torch.randn(2, 5, generator=gen, dtype=torch.float64)
    x = torch.randn(1_000_000, 5, generator=gen, dtype=torch.float64)
    s = torch.relu(x @ w) * torch.relu(x @ v)
    se = float(s.std()) / math.sqrt(len(s))
    assert abs(float(relu_gaussian_kernel(w, v)) - float(s.mean())) < 4 * se
    e1, e2 = torch.eye(2, dtype=torch.float64)
    assert float(relu_gaussian_kernel(2 * e1, 2 * e1)) == pytest.approx(2.0)  # ||w||^2 / 2
    assert float(relu_gaussian_kernel(e1, e2)) == pytest.approx(1 / (2 * math.pi))  # orthogonal
    assert float(relu_gaussian_kernel(e1, -e1)) == pytest.approx(0.0, abs=1e-15)  # opposite


def test_population_loss_matches_monte_carlo():
    gen = torch.Generator().manual_seed(1)
    w = torch.randn(4, 3, generator=gen, dtype=torch.float64) / 3**0.5
    v = teacher(3)
    x = torch.randn(1_000_000, 3, generator=gen, dtype=torch.float64)
    r = torch.relu(x @ w.T).sum(1) - torch.relu(x @ v.T).sum(1)
    sq = 0.5 * r * r
    assert abs(float(relu_population_loss(w, v)) - float(sq.mean())) < 4 * float(sq.std()) / 1e3


def test_closed_form_gradient_matches_autograd():
    gen = torch.Generator().manual_seed(2)
    w = torch.randn(3, 5, 4, generator=gen, dtype=torch.float64)
    v = teacher(4)
    f, g = population_value_and_grad(w, v)
    auto = torch.func.vmap(torch.func.grad(lambda t: relu_population_loss(t, v)))(w)
    assert torch.allclose(f, relu_population_loss(w, v), rtol=1e-13, atol=0)
    assert torch.allclose(g, auto, rtol=1e-10, atol=1e-13)
    f0, g0 = population_value_and_grad(v[None].clone(), v)  # the teacher itself: F = 0, g = 0
    assert float(f0) == pytest.approx(0.0, abs=1e-14) and float(g0.abs().max()) < 1e-14


@pytest.mark.parametrize(("k", "n", "runs"), [(6, 7, 24), (20, 21, 12)])
def test_early_stop_never_changes_a_classification(k, n, runs):
    # Runs stopped below the threshold, continued 20,000 more steps without the rule, stay
    # below the spurious threshold (gradient descent is monotone here); at the smallest and
    # the largest k of Safran & Shamir's design.
    opts = CensusOptions(runs=runs, max_steps=20000)
    v = teacher(k)
    w0 = initial_weights(k, n, opts.runs, opts.seed)
    fast = descend(w0, v, opts, log=lambda _: None)
    stopped = [j for j, s in enumerate(fast["status"]) if s == "below threshold"]
    assert stopped and all(int(fast["loss_increases"][j]) == 0 for j in stopped)
    slow_opts = CensusOptions(runs=len(stopped), max_steps=20000, early_stop_loss=1e-30)
    slow = descend(fast["params"][stopped], v, slow_opts, log=lambda _: None)
    assert (slow["loss"] < opts.spurious_loss).all()
    assert (slow["loss"] <= fast["loss"][stopped] * (1 + 1e-12)).all()


def test_census_certifies_spurious_minima_with_the_hessian(device):
    opts = CensusOptions(runs=40)
    summary, runs = census_case(8, 8, opts, NUMERICS, log=lambda _: None, device=device)
    sp = runs[runs["spurious"]]
    assert summary["spurious"] == len(sp) > 0  # k = n = 8 has spurious minima
    assert (sp["certified"]).all() and (sp["min_hessian_eigenvalue"] > sp["eig_tol"]).all()
    assert (sp["loss"] >= 1e-3).all() and (sp["grad_norm"] <= 1e-9).all()
    assert summary["ci_low"] <= summary["certified_fraction"] <= summary["ci_high"]


def test_trap_is_a_local_minimum_above_the_global_one():
    model, x, y = trap_problem(3)
    theta = trap_init(model)
    assert theta.numel() == model.n_params
    opts = TrapOptions(steps=5000, contrast_seeds=4, directions=200)
    ends, perturb, history = run_trap(opts, NUMERICS, log=lambda _: None)
    trap = ends.iloc[0]
    assert trap["loss"] == pytest.approx(1 / 9, rel=1e-9)  # the best constant fit of |x|
    assert trap["grad_norm_sq"] <= 1e-10 and trap["n_negative"] == 0
    assert trap["dead_units"] == 2 and trap["kink_margin"] > 0.5
    assert (perturb["min_loss_change"] >= -1e-12).all()
    assert np.isclose(ends["loss"][1:].min(), 0.0, atol=1e-10)  # some seed reaches |x|
    assert set(history["init"]) == {"trap", "seed 0", "seed 1", "seed 2", "seed 3"}


def test_diverging_runs_restart_with_half_the_step(device):
    # A step of 400 overshoots the closed-form loss; each restart halves it until descent works.
    opts = CensusOptions(runs=3, learning_rate=400.0, max_steps=3000, restarts=12)
    w0, v = initial_weights(3, 3, 3, seed=0).to(device), teacher(3).to(device)
    res = descend(w0, v, opts, log=lambda _: None)
    assert res["params"].device.type == res["restarts"].device.type == device.type
    assert (res["restarts"] > 0).all()
    assert torch.allclose(res["learning_rate"], 400.0 / 2.0 ** res["restarts"].double())
    assert all(s != "diverged" for s in res["status"])


def test_relu_imports_and_runs_from_a_read_only_install_without_a_home(tmp_path):
    """No writable __pycache__ beside the source and no writable home: numba finds no cache.

    As root, permission bits stop no write, so the package's __pycache__ is a plain file and
    HOME is /dev/null (so ~/.cache/numba cannot be made): what a shared read-only install run by
    another user, or a container's unknown user, meets. The census kernels must compile
    uncached, give the in-process result, and say how to cache them (NUMBA_CACHE_DIR).
    """
    copy = tmp_path / "site"
    package = copy / "landscape"
    shutil.copytree(
        Path(landscape.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__")
    )
    layers = [package, *(d for d in package.rglob("*") if d.is_dir())]
    for folder in layers:
        (folder / "__pycache__").write_text("not a directory")
    for path in sorted(package.rglob("*"), reverse=True) + [package]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(HOME="/dev/null", PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    code = (
        "import numpy as np, landscape.engine.census_step as c\n"
        "import landscape.experiments.relu_spurious.relu as relu\n"
        "print(relu.__file__)\n"
        "w = np.random.default_rng(0).normal(size=(3, 4, 4)); v = np.eye(4)\n"
        "print(repr(float(c.value_and_grad(w, v)[0].sum())))\n"
    )

    def run(**extra):
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,  # `python -c` puts the working directory first on sys.path
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=300,
        )

    bare = run()
    print(bare.stdout, bare.stderr[-2000:])
    assert bare.returncode == 0, bare.stderr[-2000:]
    where, value = bare.stdout.split()
    assert where == str(package / "experiments" / "relu_spurious" / "relu.py")
    w = np.random.default_rng(0).normal(size=(3, 4, 4))
    assert float(value) == float(census_step.value_and_grad(w, np.eye(4))[0].sum())
    assert "NUMBA_CACHE_DIR" in bare.stderr
    # The fix the warning names: a writable NUMBA_CACHE_DIR caches the kernels, silently.
    cached = run(NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    assert cached.returncode == 0 and "NUMBA_CACHE_DIR" not in cached.stderr, cached.stderr
    assert list((tmp_path / "cache").rglob("*.nbi")), "no numba cache index written"
