"""The batched MINRES-QLP solve against scipy's MINRES and the float64 pseudo-inverse."""

import numpy as np
import pytest
import torch
from scipy.sparse.linalg import minres

from landscape.engine.krylov import minres_qlp


def _symmetric(p, eigenvalues, seed):
    """A random symmetric (P, P) float64 matrix with the given spectrum, and its eigenvectors."""
    gen = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(p, p, generator=gen, dtype=torch.float64))
    return q @ torch.diag(eigenvalues) @ q.T, q


def _op(h):
    """The operator v (S, P) -> H_s v_s of a stack h (S, P, P)."""
    return lambda v: (h @ v[..., None])[..., 0]


def _systems(kind, p=40, count=3):
    """``count`` systems (h (S, P, P), b (S, P)) of one kind."""
    hs, bs = [], []
    gen = torch.Generator().manual_seed(7)
    for s in range(count):
        lam = torch.linspace(-2.0, 3.0, p, dtype=torch.float64) * (1 + s)
        if kind != "indefinite":
            lam[: 4 + s] = 0.0  # a kernel of dimension 4 + s
        h, _ = _symmetric(p, lam, seed=s)
        b = torch.randn(p, generator=gen, dtype=torch.float64)
        if kind == "consistent":
            b = h @ b  # in the range of H
        hs.append(h)
        bs.append(b)
    return torch.stack(hs), torch.stack(bs)


@pytest.mark.parametrize("kind", ["indefinite", "consistent"])
def test_minres_qlp_matches_scipy_minres(kind):
    """Nonsingular indefinite, and singular consistent, systems: scipy's MINRES from x0 = 0."""
    h, b = _systems(kind)
    ours = minres_qlp(_op(h), b, rtol=1e-12, rank_rtol=1e-12)
    for s in range(len(b)):
        theirs, info = minres(h[s].numpy(), b[s].numpy(), rtol=1e-13, maxiter=400)
        assert info == 0
        np.testing.assert_allclose(ours.x[s].numpy(), theirs, atol=1e-9 * np.abs(theirs).max())
        assert float(ours.residual[s]) < 1e-10


def test_minres_qlp_gives_the_minimum_length_least_squares_solution():
    """Singular inconsistent systems: the pseudo-inverse solution, shorter than scipy MINRES's."""
    h, b = _systems("inconsistent")
    ours = minres_qlp(_op(h), b, rtol=1e-12, rank_rtol=1e-10)
    for s in range(len(b)):
        pinv = np.linalg.pinv(h[s].numpy(), rcond=1e-10) @ b[s].numpy()
        np.testing.assert_allclose(ours.x[s].numpy(), pinv, atol=1e-9 * np.abs(pinv).max())
        # the least-squares minimum: the share of b in the kernel of H
        _, q = _symmetric(h.shape[-1], torch.ones(h.shape[-1], dtype=torch.float64), seed=s)
        share = float((q[:, : 4 + s].T @ b[s]).norm() / b[s].norm())
        assert float(ours.residual[s]) == pytest.approx(share, rel=1e-9)
        # scipy's MINRES fits no better (it lowers the residual by round-off only, through the
        # kernel's ~1e-16 eigenvalues) and is far longer: not the minimum-length solution
        theirs, _ = minres(h[s].numpy(), b[s].numpy(), rtol=1e-13, maxiter=400)
        fit = np.linalg.norm(h[s].numpy() @ theirs - b[s].numpy()) / np.linalg.norm(b[s].numpy())
        assert fit == pytest.approx(share, rel=1e-3)
        assert np.linalg.norm(ours.x[s].numpy()) < 0.01 * np.linalg.norm(theirs)
        assert float(ours.normal_residual[s]) < 1e-9  # stopped on the least-squares test


def test_minres_qlp_truncates_below_the_rank_tolerance():
    """An eigenvalue of 1e-12 relative is dropped at rank_rtol 1e-10, kept at 1e-14.

    Dropped, the solve stops once the rest is solved in the least-squares sense: the 1e-12
    direction gets no 1e12 component (what remains of it is O(1), the share the Krylov space
    could not separate), every other direction gets b_i / lambda_i, and the residual is the
    dropped direction's share of b.
    """
    lam = torch.tensor([1e-12, -0.5, 0.7, 1.0, 2.0, -3.0], dtype=torch.float64)
    h, q = _symmetric(6, lam, seed=3)
    b = q.sum(-1)  # every eigendirection with weight 1
    dropped = minres_qlp(_op(h[None]), b[None], rtol=1e-14, rank_rtol=1e-10)
    kept = minres_qlp(_op(h[None]), b[None], rtol=1e-14, rank_rtol=1e-14).x[0]
    assert float((q[:, 0] @ dropped.x[0]).abs()) < 10  # not 1e12
    torch.testing.assert_close(q[:, 1:].T @ dropped.x[0], 1 / lam[1:], atol=1e-8, rtol=0)
    assert float(dropped.residual[0]) == pytest.approx(1 / np.sqrt(6), rel=1e-6)
    assert float(q[:, 0] @ kept) == pytest.approx(1e12, rel=1e-3)


def test_minres_qlp_is_batch_independent_and_respects_maxiter():
    h, b = _systems("indefinite", p=60)
    together = minres_qlp(_op(h), b, rtol=1e-10, maxiter=20)
    assert int(together.iterations.max()) <= 20
    for s in range(len(b)):
        alone = minres_qlp(_op(h[s : s + 1]), b[s : s + 1], rtol=1e-10, maxiter=20)
        torch.testing.assert_close(alone.x[0], together.x[s], atol=1e-12, rtol=0)
    # 20 iterations of MINRES on a 60-dimensional system: the residual scipy reaches too
    theirs, _ = minres(h[0].numpy(), b[0].numpy(), maxiter=20, rtol=1e-14)
    fit = np.linalg.norm(h[0].numpy() @ theirs - b[0].numpy()) / np.linalg.norm(b[0].numpy())
    assert float(together.residual[0]) == pytest.approx(fit, rel=1e-6)


def test_zero_right_hand_side_gives_zero():
    h, b = _systems("indefinite", p=10, count=2)
    b[1] = 0
    sol = minres_qlp(_op(h), b)
    assert float(sol.x[1].abs().max()) == 0 and float(sol.residual[1]) == 0
    assert float(sol.relative_residual[1]) == 0 and float(sol.normal_residual[1]) == 0


def _rotated_psd(p=25, kernel=5, seed=0):
    """Rotated diag(0 (``kernel`` times), 1 .. 10): PSD, singular; b (P,) partly in its kernel."""
    lam = torch.cat(
        [
            torch.zeros(kernel, dtype=torch.float64),
            torch.linspace(1.0, 10.0, p - kernel, dtype=torch.float64),
        ]
    )
    h, _ = _symmetric(p, lam, seed)
    b = torch.randn(p, generator=torch.Generator().manual_seed(100 + seed), dtype=torch.float64)
    return h, b


# (rtol, rank_rtol, maxiter) that reach the solve: the configs' matrix-free searches
# (index_vs_loss_scale and index_fit: minres_rtol 1e-8, pinv_rtol 1e-10, minres_maxiter 50),
# minres_qlp's defaults, and FinderOptions' defaults (minres_rtol 1e-8, pinv_rtol 1e-4).
_DEFAULTS = [(1e-8, 1e-10, 50), (1e-8, 1e-10, None), (1e-8, 1e-4, None)]


@pytest.mark.parametrize(("rtol", "rank_rtol", "maxiter"), _DEFAULTS)
def test_minres_qlp_default_tolerances_give_the_pseudo_inverse_solution(rtol, rank_rtol, maxiter):
    """Singular incompatible systems at the default tolerances: x = pinv(H) b to 1e-8.

    Krylov.jl's MINRES-QLP example, diag(1, 2, 3, 0) x = 1, has x = (1, 1/2, 1/3, 0). Rotated
    PSD matrices with eigenvalues 0 (5 or 10 times) and the rest in [1, 10] have ||pinv(H) b|| ~ 1;
    the 25 x 25 ones are solved when the Krylov space becomes invariant (k = 21), the 60 x 60 ones
    before (k ~ 35 < 51). Before the fix: x_4 = 11/6, and ||x|| 4 to 14 times ||pinv(H) b||.
    """
    diag = torch.diag(torch.tensor([1.0, 2.0, 3.0, 0.0], dtype=torch.float64))
    sol = minres_qlp(
        _op(diag[None]),
        torch.ones(1, 4, dtype=torch.float64),
        rtol=rtol,
        rank_rtol=rank_rtol,
        maxiter=maxiter,
    )
    expected = torch.tensor([1.0, 1 / 2, 1 / 3, 0.0], dtype=torch.float64)
    torch.testing.assert_close(sol.x[0], expected, atol=1e-12, rtol=0)
    assert float(sol.residual[0]) == pytest.approx(0.5, rel=1e-12)  # the kernel's share of b
    for p, kernel in [(25, 5), (60, 10)]:
        h, b = map(torch.stack, zip(*[_rotated_psd(p, kernel, s) for s in range(4)], strict=True))
        sol = minres_qlp(_op(h), b, rtol=rtol, rank_rtol=rank_rtol, maxiter=maxiter)
        pinv = (torch.linalg.pinv(h, rtol=1e-10) @ b[..., None])[..., 0]
        err = (sol.x - pinv).norm(dim=-1) / pinv.norm(dim=-1)
        assert float(err.max()) < 1e-8, (p, err)
        assert float(sol.normal_residual.max()) < 1e-8  # a least-squares solution


@pytest.mark.parametrize("scale", [1e-300, 1e-170, 1e170, 1e300])
def test_krylov_norms_hold_at_extreme_scales(scale):
    """H and b scaled by 1e-300 .. 1e300: the same solve, residuals and norm, rescaled.

    Squaring entries of 1e-170 underflows and of 1e170 overflows, so norms taken as sqrt(sum v^2)
    read 0 ("solved", x = 0) or inf (residual NaN), and Lanczos stopped at once (spectral_norm
    returned the start's Rayleigh quotient).
    """
    from landscape.engine.spectrum import spectral_norm

    h, b = _systems("indefinite", p=12, count=2)
    h[1], b[1] = _rotated_psd(p=12, kernel=3)  # singular incompatible
    ref = minres_qlp(_op(h), b)
    for h_scale, b_scale in [(scale, 1.0), (1.0, scale), (scale, scale)]:
        if not 1e-300 <= b_scale / h_scale <= 1e300:
            continue  # x itself not representable
        got = minres_qlp(_op(h * h_scale), b * b_scale)
        torch.testing.assert_close(got.x * (h_scale / b_scale), ref.x, rtol=1e-10, atol=0)
        torch.testing.assert_close(got.residual, ref.residual, rtol=1e-8, atol=1e-14)
        torch.testing.assert_close(got.iterations, ref.iterations)
        torch.testing.assert_close(
            got.relative_residual, ref.relative_residual, rtol=1e-8, atol=1e-14
        )
    nine = _symmetric(9, torch.arange(1.0, 10.0, dtype=torch.float64), seed=0)[0]
    assert spectral_norm(nine * scale) / scale == pytest.approx(9.0, rel=1e-12)


def test_frye_residuals_against_the_float64_formulas():
    """Frye's r and r_H (thesis Sec. 3.4.3) from the Krylov space equal their dense formulas.

    At a converged solve x = pinv(H) b, so r = ||H x - b|| / (||H|| ||x|| + ||b||) and
    r_H = ||H (H x - b)|| / (||H|| ||H x - b||), with ||H|| = sigma_max; b wholly in the kernel
    gives the limits r = 1, r_H = 0 (x = 0), and b in the range gives r = 0.
    """
    h, b = _rotated_psd(p=25, kernel=5, seed=3)
    sol = minres_qlp(_op(h[None]), b[None], rtol=1e-12, rank_rtol=1e-10)
    x = torch.linalg.pinv(h, rtol=1e-10) @ b
    r = h @ x - b
    norm = torch.linalg.matrix_norm(h, ord=2)
    assert float(sol.relative_residual[0]) == pytest.approx(
        float(r.norm() / (norm * x.norm() + b.norm())), rel=1e-8
    )
    assert float(sol.normal_residual[0]) < 1e-10 and float((h @ r).norm()) < 1e-12
    lam, q = torch.linalg.eigh(h)
    in_kernel = q[:, :5] @ torch.ones(5, dtype=torch.float64)
    in_range = q[:, 5:] @ torch.ones(20, dtype=torch.float64)
    both = minres_qlp(_op(torch.stack([h, h])), torch.stack([in_kernel, in_range]), rtol=5e-4)
    assert float(both.relative_residual[0]) == pytest.approx(1.0, abs=1e-6)  # x ~ 5e-9 round-off
    assert float(both.normal_residual[0]) < 1e-12
    assert float(both.relative_residual[1]) < 5e-4
