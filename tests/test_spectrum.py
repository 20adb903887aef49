"""Eigen-solvers and counts against matrices of known spectrum, and iterative against dense."""

import subprocess
import sys

import numpy as np
import pytest
import torch

from landscape.engine.curvature import make_hessian
from landscape.engine.models import MLP, init_params
from landscape.engine.spectrum import (
    count_below,
    definiteness,
    eigen_tolerance,
    inertia,
    lanczos_tridiagonal,
    spectra,
    spectral_norm,
    summarize_spectrum,
)


def _with_spectrum(eigs: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """A dense symmetric matrix Q diag(eigs) Q^T with a random orthogonal Q."""
    gen = torch.Generator().manual_seed(seed)
    n = len(eigs)
    q, _ = torch.linalg.qr(torch.randn(n, n, dtype=torch.float64, generator=gen))
    return (q * eigs.to(torch.float64).cpu()) @ q.T


def test_spectrum_of_known_matrix(device):
    eigs = torch.tensor([-3.0, -1e-3, 0.0, 0.0, 0.0, 2e-4, 1.0, 5.0], dtype=torch.float64)
    h = _with_spectrum(eigs).to(device)
    got = spectra(h.unsqueeze(0))[0]
    torch.testing.assert_close(got.cpu(), eigs, rtol=0, atol=1e-13)
    s = summarize_spectrum(got, factor=10.0)
    tol = 10.0 * 8 * torch.finfo(torch.float64).eps * 5.0
    assert s.eig_tol == pytest.approx(tol)
    assert (s.n_negative, s.n_zero, s.n_positive) == (2, 3, 3)
    assert s.index == 2 / 8 and s.nullity == 3
    assert s.lambda_min == pytest.approx(-3.0) and s.lambda_max == pytest.approx(5.0)
    assert s.definiteness == "indefinite"
    values, vectors = spectra(h.unsqueeze(0), eigenvectors=True)
    torch.testing.assert_close(h @ vectors[0], vectors[0] * values[0], rtol=0, atol=1e-13)


def test_tolerance_scales_with_spectrum_and_factor():
    eigs = torch.tensor([[-1e-9, 1.0], [-1e-9, 1e-8]], dtype=torch.float64)
    tol = eigen_tolerance(eigs, factor=1.0)
    assert tol[0] > tol[1]
    # A -1e-9 eigenvalue is round-off beside 1e7, but a real negative value beside 1e-8.
    big = summarize_spectrum(torch.tensor([-1e-9, 1e7], dtype=torch.float64), factor=10.0)
    small = summarize_spectrum(torch.tensor([-1e-9, 1e-8], dtype=torch.float64), factor=10.0)
    assert big.n_negative == 0 and big.definiteness == "positive semidefinite"
    assert small.n_negative == 1 and small.definiteness == "indefinite"


@pytest.mark.parametrize(
    ("inertia_", "name"),
    [
        ((0, 0, 4), "positive definite"),
        ((4, 0, 0), "negative definite"),
        ((1, 0, 3), "indefinite"),
        ((1, 2, 1), "indefinite"),
        ((0, 1, 3), "positive semidefinite"),
        ((3, 1, 0), "negative semidefinite"),
        ((0, 4, 0), "zero"),
    ],
)
def test_definiteness(inertia_, name):
    assert definiteness(*inertia_) == name


def test_inertia_counts_match_eigvalsh_on_known_spectra(device):
    rng = np.random.default_rng(0)
    # Clusters of exact zeros, tiny values on both sides of the tolerance, and large values.
    eigs = np.concatenate(
        [
            -rng.uniform(0.1, 10, 40),
            np.zeros(15),
            rng.uniform(-1e-14, 1e-14, 10),  # inside the tolerance (about 4e-12 here)
            -rng.uniform(1e-9, 1e-6, 7),
            rng.uniform(1e-9, 1e-6, 8),
            rng.uniform(0.1, 10, 120),
        ]
    )
    h = _with_spectrum(torch.tensor(rng.permutation(eigs))).to(device)
    dense = summarize_spectrum(torch.linalg.eigvalsh(h), factor=10.0)
    assert (dense.n_negative, dense.n_zero, dense.n_positive) == (47, 25, 128)
    exact_norm = float(np.abs(eigs).max())
    counted = inertia(h, factor=10.0, norm=exact_norm)
    assert (counted.n_negative, counted.n_zero, counted.n_positive) == (47, 25, 128)
    assert counted.eig_tol == pytest.approx(dense.eig_tol, rel=1e-12)
    estimated = inertia(h, factor=10.0)  # norm by Lanczos
    assert (estimated.n_negative, estimated.n_zero) == (47, 25)
    # A flat spectrum is Lanczos's worst case; it only sets the tolerance's scale.
    assert spectral_norm(h) == pytest.approx(exact_norm, rel=1e-3)
    assert spectral_norm(h, steps=60) == pytest.approx(exact_norm, rel=1e-12)
    index_only = inertia(h, factor=10.0, norm=exact_norm, nullity=False)
    assert (index_only.n_negative, index_only.index, index_only.nullity) == (47, 47 / 200, -1)


def test_inertia_counts_two_by_two_pivots():
    # Zero diagonals force Bunch-Kaufman to take 2 x 2 pivots, in consecutive runs.
    h = torch.zeros(6, 6, dtype=torch.float64)
    for i, (b, shift) in enumerate([(2.0, 0.0), (1.0, 3.0), (0.5, -3.0)]):
        k = 2 * i
        h[k, k + 1] = h[k + 1, k] = b
        h[k, k] = h[k + 1, k + 1] = shift
    eigs = torch.linalg.eigvalsh(h)
    s = inertia(h, factor=10.0, norm=float(eigs.abs().max()))
    assert s.n_negative == int((eigs < -s.eig_tol).sum()) == 3  # -2, -3.5 and -2.5
    pairs = torch.zeros(4, 4, dtype=torch.float64)  # two consecutive 2 x 2 pivots
    pairs[0, 1] = pairs[1, 0] = pairs[2, 3] = pairs[3, 2] = 1.0
    assert (torch.linalg.ldl_factor_ex(pairs)[1] < 0).all()
    s = inertia(pairs, factor=10.0, norm=1.0)
    assert (s.n_negative, s.n_zero, s.n_positive) == (2, 0, 2)


def test_inertia_on_a_network_hessian(device):
    gen = torch.Generator().manual_seed(0)
    model = MLP((8, 12, 4), "tanh")
    x = torch.randn(30, 8, dtype=torch.float64, generator=gen).to(device)
    y = torch.randint(0, 4, (30,), generator=gen).to(device)
    h = make_hessian(model, "cross_entropy", x, y)(init_params(model, 0, device=device))
    eigs = torch.linalg.eigvalsh(h)
    dense = summarize_spectrum(eigs, factor=10.0)
    counted = inertia(h, factor=10.0, norm=float(eigs.abs().max()))
    assert dense.n_negative > 0 and dense.n_zero > 0  # dead bias directions and negative curvature
    assert (counted.n_negative, counted.n_zero) == (dense.n_negative, dense.n_zero)
    assert spectral_norm(h) == pytest.approx(float(eigs.abs().max()), rel=1e-6)
    before = h.clone()
    estimated = inertia(h, factor=10.0)
    assert torch.equal(h, before)  # the shifts are undone exactly
    assert (estimated.n_negative, estimated.n_zero) == (dense.n_negative, dense.n_zero)


def test_lanczos_stops_on_invariant_subspace():
    h = torch.diag(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))
    t = lanczos_tridiagonal(lambda v: h @ v, torch.ones(3, dtype=torch.float64), steps=10)
    assert t.shape == (3, 3)
    torch.testing.assert_close(torch.linalg.eigvalsh(t), torch.tensor([1.0, 2.0, 3.0]).double())
    # a start in a 2-dimensional invariant subspace: T stops at 2 x 2, no spurious Ritz values
    v0 = torch.tensor([1.0, 1.0, 0.0], dtype=torch.float64)
    t = lanczos_tridiagonal(lambda v: h @ v, v0, steps=3)
    assert t.shape == (2, 2)
    torch.testing.assert_close(torch.linalg.eigvalsh(t), torch.tensor([1.0, 2.0]).double())
    # ... even when an eigenvalue is 0, where a test relative to |alpha_j| would not stop
    h0 = torch.diag(torch.tensor([-1.0, 1.0, 5.0, 6.0], dtype=torch.float64))
    t = lanczos_tridiagonal(lambda v: h0 @ v, torch.tensor([1.0, 1, 0, 0]).double(), steps=4)
    assert t.shape == (2, 2)


def test_inertia_of_a_zero_matrix_is_zero_not_positive():
    s = inertia(torch.zeros(4, 4, dtype=torch.float64), factor=10.0)
    assert (s.n_negative, s.n_zero, s.n_positive, s.definiteness) == (0, 4, 0, "zero")


NON_FINITE = [float("nan"), float("inf"), -float("inf")]


@pytest.mark.parametrize("value", NON_FINITE, ids=["nan", "inf", "-inf"])
def test_a_non_finite_matrix_is_never_classified(value):
    """NaN or inf in a Hessian: inertia, eigvalsh and the summary name the cause, never a class."""
    h = torch.diag(torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64))
    h[1, 2] = h[2, 1] = value
    for norm in (None, 4.0):
        with pytest.raises(ValueError, match="NaN or inf"):
            inertia(h, factor=10.0, norm=norm)
    with pytest.raises(ValueError, match="NaN or inf"):
        count_below(h, 0.0)
    with pytest.raises(ValueError, match="NaN or inf"):
        spectra(h[None])
    eigs = torch.tensor([-1.0, value, 2.0], dtype=torch.float64)
    with pytest.raises(ValueError, match="NaN or inf"):
        summarize_spectrum(eigs, factor=10.0)


def _expanded(n: int) -> torch.Tensor:
    """The matrix 0.5 J, every entry one stored element (expanded): eigenvalues n / 2, 0, ..."""
    return torch.tensor([[0.5]], dtype=torch.float64).expand(n, n)


INPUTS = {
    "leaf requiring grad": lambda h: h.clone().requires_grad_(),
    "non-leaf requiring grad": lambda h: h.clone().requires_grad_() * 1.0,
    "expanded": lambda h: _expanded(h.shape[0]),
    "plain": lambda h: h.clone(),
}


@pytest.mark.parametrize("kind", list(INPUTS))
def test_inertia_never_writes_to_its_input(kind):
    h = INPUTS[kind](_with_spectrum(torch.tensor([-2.0, -1.0, 0.0, 0.5, 1.0, 3.0])))
    eigs = torch.linalg.eigvalsh(h.detach())
    want = summarize_spectrum(eigs, factor=10.0, norm=float(eigs.abs().max()))
    before, version = h.detach().clone(), h._version
    got = inertia(h, factor=10.0, norm=float(eigs.abs().max()))
    assert (got.n_negative, got.n_zero, got.n_positive) == (
        want.n_negative,
        want.n_zero,
        want.n_positive,
    )
    assert count_below(h, 0.75) == int((eigs < 0.75).sum())
    assert h._version == version  # not written, not even written and restored
    assert torch.equal(h.detach(), before)


READ_ONLY = """
import sys
import numpy as np, torch
from landscape.engine.spectrum import count_below, inertia
h = np.diag([-1.0, 0.0, 2.0, 3.0])
np.save(sys.argv[1], h)
mapped = np.load(sys.argv[1], mmap_mode="r")  # a read-only memory map
t = torch.from_numpy(mapped)
s = inertia(t, factor=10.0, norm=3.0)
print(s.n_negative, s.n_zero, s.n_positive, count_below(t, 2.5))
"""


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_inertia_reads_a_read_only_memory_map(tmp_path):
    """Writing the diagonal of a read-only map kills the process (SIGSEGV): run it in a child."""
    run = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", READ_ONLY, str(tmp_path / "h.npy")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    assert run.stdout.split() == ["1", "1", "2", "3"]
