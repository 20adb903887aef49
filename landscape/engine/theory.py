"""Closed forms that the numerics are checked against.

Scalar deep linear network (Kawaguchi 2016, Sec. 2): one sample x = y = 1 and one unit per layer,
L(w) = (1 - w_1 w_2 ... w_k)^2. With f = prod_i w_i and r = 1 - f, the gradient is -2 r grad f and
the Hessian is H = 2 (grad f grad f^T - r hess f), where (grad f)_i = prod_{j != i} w_j and
(hess f)_ij = prod_{l != i, j} w_l for i != j, 0 on the diagonal. At the origin, k = 2 gives
H = [[0, -2], [-2, 0]] (eigenvalues -2, 2: a strict saddle) and k >= 3 gives H = 0 (a flat saddle).

Deep linear autoencoder (Baldi & Hornik 1989; the validation problem of Frye et al. 2019):
x -> W2 W1 x with W1 (p, d), W2 (d, p), loss L = (1/n) sum_i 1/2 ||x_i - W2 W1 x_i||^2 on data
whose covariance Sigma = (1/n) X^T X = diag(lambda_1 < ... < lambda_d) exactly. Its critical
points are the maps W2 W1 that project onto the span of a subset I of r <= p coordinate axes
(the covariance's eigenvectors), with

    L(I) = 1/2 sum_{j not in I} lambda_j,
    n_negative(I) = sum_{i in I} #{j not in I : lambda_j > lambda_i} + (p - r)(d - r),

the second term counting, for each of the p - r unused hidden units, the d - r directions it
could grow into. (The count is checked against the exact Hessian in the tests.)
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import torch


def gaussian_with_covariance(n: int, eigenvalues, seed: int) -> torch.Tensor:
    """Gaussian samples transformed to have exactly zero mean and covariance diag(eigenvalues).

    Args:
        n: Number of samples (more than the dimension).
        eigenvalues: The target variances (d,).
        seed: Seed of the draw.

    Returns:
        X (n, d), float64, with X.mean(0) = 0 and X^T X / n = diag(eigenvalues) to round-off.
    """
    lam = torch.as_tensor(eigenvalues, dtype=torch.float64)
    gen = torch.Generator().manual_seed(int(seed))
    x = torch.randn(n, len(lam), dtype=torch.float64, generator=gen)
    x = x - x.mean(dim=0)
    chol = torch.linalg.cholesky(x.T @ x / n)  # (d, d)
    white = torch.linalg.solve_triangular(chol, x.T, upper=False).T  # covariance I
    return white * lam.sqrt()


def linear_ae_critical_points(eigenvalues, hidden: int) -> pd.DataFrame:
    """Every analytic critical point of the linear autoencoder: its loss and index.

    Args:
        eigenvalues: Covariance eigenvalues lambda (d,), distinct.
        hidden: Hidden width p.

    Returns:
        One row per subset I of at most p axes: ``subset``, ``rank``, ``loss``, ``n_negative``,
        ``index`` (n_negative / P with P = 2 d p).
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    d = len(lam)
    n_params = 2 * d * hidden
    rows = []
    for r in range(hidden + 1):
        for subset in itertools.combinations(range(d), r):
            outside = [j for j in range(d) if j not in subset]
            swaps = sum(sum(lam[j] > lam[i] for j in outside) for i in subset)
            n_neg = int(swaps + (hidden - r) * (d - r))
            rows.append(
                {
                    "subset": " ".join(map(str, subset)),
                    "rank": r,
                    "loss": 0.5 * float(lam[outside].sum()),
                    "n_negative": n_neg,
                    "index": n_neg / n_params,
                }
            )
    return pd.DataFrame(rows)


def relative_gap(a, b, atol: float = 1e-12):
    """|a - b| / max(|a|, |b|, atol): relative, but absolute near zero (a global minimum of 0)."""
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), atol)
    return np.abs(a - b) / scale


def nearest_analytic(loss: float, n_negative: int, analytic: pd.DataFrame) -> pd.Series:
    """The analytic critical point nearest to a numerical one.

    Nearest in loss first (relative difference); among analytic points whose loss ties with the
    nearest (several subsets can share a loss), the one with the nearest index.

    Args:
        loss: The numerical point's loss.
        n_negative: Its number of negative Hessian eigenvalues.
        analytic: The table of :func:`linear_ae_critical_points`.

    Returns:
        The chosen row.
    """
    gap = relative_gap(analytic["loss"], loss)
    ties = analytic[gap <= gap.min() * (1 + 1e-9) + 1e-15]
    return ties.loc[(ties["n_negative"] - n_negative).abs().idxmin()]


def covariance_equivalent(x: torch.Tensor) -> torch.Tensor:
    """A (d, d) dataset with the same second moments as x (n, d): X'^T X' / d = X^T X / n.

    A loss that is a quadratic form in each sample, like the linear autoencoder's
    1/2 ||x - W2 W1 x||^2, depends on the data only through (1/n) X^T X, so its value, gradient
    and Hessian on X' equal those on X exactly (up to round-off) at d / n of the cost.
    """
    n, d = x.shape
    chol = torch.linalg.cholesky(x.T @ x / n)  # lower, L L^T = X^T X / n
    return chol.T * d**0.5  # rows: X'^T X' / d = L L^T


def product_loss(w: torch.Tensor) -> torch.Tensor:
    """L(w) = (1 - prod_i w_i)^2, the scalar deep linear network on x = y = 1."""
    return (1 - torch.prod(w)) ** 2


def product_loss_hessian(w: torch.Tensor) -> torch.Tensor:
    """The closed-form Hessian of :func:`product_loss`, H = 2 (grad f grad f^T - r hess f).

    Args:
        w: The weights (k,), float64.

    Returns:
        H (k, k).
    """
    k = len(w)
    others = [torch.cat([w[:i], w[i + 1 :]]) for i in range(k)]
    grad_f = torch.stack([torch.prod(o) for o in others])  # (k,)
    hess_f = torch.zeros(k, k, dtype=w.dtype)
    for i in range(k):
        for j in range(k):
            if i != j:
                keep = [w[m] for m in range(k) if m not in (i, j)]
                hess_f[i, j] = torch.prod(torch.stack(keep)) if keep else 1.0
    r = 1 - torch.prod(w)
    return 2 * (torch.outer(grad_f, grad_f) - r * hess_f)


def linear_regression_optimum(x: torch.Tensor, y: torch.Tensor, rank: int | None = None) -> float:
    """The smallest loss of a linear map of rank at most ``rank``: least squares or reduced rank.

    For L(W) = (1/n) sum_i 1/2 ||W x_i - y_i||^2 (no bias), with S_xx = X^T X / n,
    S_xy = X^T Y / n and M = S_xy^T S_xx^+ S_xy (d_y, d_y) of eigenvalues mu_1 >= mu_2 >= ...,

        min_{rank W <= r} L(W) = 1/2 (tr(Y^T Y) / n - sum_{j <= r} mu_j)

    (reduced-rank regression; Baldi & Hornik 1989 for the autoencoder). ``rank=None`` or
    r >= d_y gives ordinary least squares.

    Args:
        x: Inputs (n, d_x), float64.
        y: Targets (n, d_y), float64.
        rank: Largest rank of W (the narrowest layer of a deep linear network), or None.

    Returns:
        The optimal loss.
    """
    n = len(x)
    sxy = x.T @ y / n  # (d_x, d_y)
    m = sxy.T @ torch.linalg.pinv(x.T @ x / n, hermitian=True) @ sxy  # (d_y, d_y)
    mu = torch.linalg.eigvalsh(m).flip(0).clamp(min=0.0)  # descending
    r = len(mu) if rank is None else min(rank, len(mu))
    return float(0.5 * ((y * y).sum() / n - mu[:r].sum()))


def deep_linear_regression_problem(
    n: int, singular_values, seed: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Whitened Gaussian inputs and exact linear targets y = A x with known singular values.

    Inputs have X^T X / n = I exactly (:func:`gaussian_with_covariance`), and A = U diag(s) V^T
    with random orthogonal U, V. Then L(W) = (1/n) sum_i 1/2 ||W x_i - y_i||^2 = 1/2 ||W - A||_F^2,
    and a deep linear network's critical values are L(I) = 1/2 sum_{i not in I} s_i^2 over the
    subsets I of at most p (narrowest width) singular directions.

    Returns:
        (x (n, d), y (n, d), U, s, V).
    """
    s = torch.as_tensor(singular_values, dtype=torch.float64)
    d = len(s)
    x = gaussian_with_covariance(n, torch.ones(d), seed)
    gen = torch.Generator().manual_seed(int(seed) + 1)
    u, _ = torch.linalg.qr(torch.randn(d, d, generator=gen, dtype=torch.float64))
    v, _ = torch.linalg.qr(torch.randn(d, d, generator=gen, dtype=torch.float64))
    a = u @ torch.diag(s) @ v.T  # (d, d)
    return x, x @ a.T, u, s, v


def deep_linear_critical_values(singular_values, hidden: int) -> pd.DataFrame:
    """L(I) = 1/2 sum_{i not in I} s_i^2 for every subset I of at most ``hidden`` directions."""
    s2 = np.asarray(singular_values, dtype=np.float64) ** 2
    rows = []
    for r in range(min(hidden, len(s2)) + 1):
        for subset in itertools.combinations(range(len(s2)), r):
            rest = [j for j in range(len(s2)) if j not in subset]
            rows.append(
                {
                    "subset": " ".join(map(str, subset)),
                    "rank": r,
                    "loss": 0.5 * float(s2[rest].sum()),
                }
            )
    return pd.DataFrame(rows)


def deep_linear_critical_point(
    subset: tuple[int, ...], u: torch.Tensor, s: torch.Tensor, v: torch.Tensor, widths
) -> torch.Tensor:
    """The balanced critical point whose product is the restriction of A to ``subset``.

    Layer 1 maps v_i to s_i^(1/L) e_k, the middle layers scale e_k by s_i^(1/L), the last maps
    e_k to s_i^(1/L) u_i (k-th hidden unit for the k-th index i of the subset; L layers), so the
    product is sum_{i in I} s_i u_i v_i^T, and every layer's gradient vanishes because the
    residual A - W lies in the other singular directions.

    Returns:
        Flat parameters in the layout of ``deep_linear(widths)``.
    """
    n_layers = len(widths) - 1
    blocks = [
        torch.zeros(o, i, dtype=torch.float64) for i, o in zip(widths[:-1], widths[1:], strict=True)
    ]
    for k, i in enumerate(subset):
        root = s[i] ** (1.0 / n_layers)
        blocks[0][k] = root * v[:, i]
        for mid in blocks[1:-1]:
            mid[k, k] = root
        blocks[-1][:, k] = root * u[:, i]
    return torch.cat([b.flatten() for b in blocks])


def _arc_cosine_g(c: torch.Tensor) -> torch.Tensor:
    """g(c) = sin(theta) + (pi - theta) cos(theta) with cos(theta) = c, smooth up to c = +-1.

    Near c = 1 (theta -> 0) and c = -1 (theta -> pi) the exact form's derivative is a difference
    of two infinities; there g is replaced by its expansion pi c + (2 (1 - c))^(3/2) / 3 or
    (2 (1 + c))^(3/2) / 3, whose error is O((1 -+ c)^(5/2)), below 1e-20 within the 1e-8 band.
    """
    band = 1e-8
    inside = c.clamp(-1 + band, 1 - band)  # the exact branch never sees the endpoints
    theta = torch.arccos(inside)
    exact = torch.sin(theta) + (torch.pi - theta) * inside
    # (floored at 1e-30 so that derivatives at exactly +-1, e.g. on a masked diagonal, stay finite)
    near_one = torch.pi * c + (2 * (1 - c).clamp_min(1e-30)) ** 1.5 / 3
    near_minus_one = (2 * (1 + c).clamp_min(1e-30)) ** 1.5 / 3
    return torch.where(c > 1 - band, near_one, torch.where(c < -1 + band, near_minus_one, exact))


def relu_gaussian_kernel(w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """E[[w . x]_+ [v . x]_+] for x ~ N(0, I), in closed form (Cho & Saul 2009).

    The expectation is ||w|| ||v|| (sin(theta) + (pi - theta) cos(theta)) / (2 pi), theta the
    angle between w and v (Safran & Shamir 2018). Broadcasts over leading dimensions.

    Args:
        w: Vectors (..., d).
        v: Vectors (..., d).

    Returns:
        The expectations (...).
    """
    nw, nv = w.norm(dim=-1), v.norm(dim=-1)
    denom = (nw * nv).clamp_min(1e-300)
    c = value_clamp((w * v).sum(-1) / denom, -1.0, 1.0)
    return nw * nv * _arc_cosine_g(c) / (2 * torch.pi)


def value_clamp(x: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """Clamp x to [low, high] in value, keeping the derivative of x (a straight-through clamp).

    A cosine computed as u . v / (||u|| ||v||) rounds to 1 + 2e-16 for parallel vectors; a plain
    ``clamp`` would then have zero derivative and drop the curvature of the cosine (for the ReLU
    kernel, a Hessian wrong by up to 0.49 at W = V). The rounding excess is below eps, so the
    limit's derivative is the unclamped one.
    """
    return x.clamp(low, high).detach() + (x - x.detach())


def relu_population_loss(w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """F(W) = 1/2 E[(sum_j [w_j . x]_+ - sum_i [v_i . x]_+)^2], x ~ N(0, I_d), in closed form.

    With K the kernel of :func:`relu_gaussian_kernel`,
    F = 1/2 (sum_jl K(w_j, w_l) - 2 sum_ji K(w_j, v_i) + sum_il K(v_i, v_l)); the diagonal
    K(w, w) = ||w||^2 / 2 is used exactly (its angle is 0).

    Args:
        w: Student weights (..., n, d): leading dimensions batch independent students.
        v: Teacher weights (k, d).

    Returns:
        The loss (...).
    """

    def gram(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return relu_gaussian_kernel(a[..., :, None, :], b[..., None, :, :])  # (..., |a|, |b|)

    def self_sum(a: torch.Tensor) -> torch.Tensor:
        off = ~torch.eye(a.shape[-2], dtype=torch.bool, device=a.device)
        return torch.where(off, gram(a, a), 0.0).sum((-2, -1)) + 0.5 * (a * a).sum((-2, -1))

    return 0.5 * (self_sum(w) - 2 * gram(w, v).sum((-2, -1)) + self_sum(v))
