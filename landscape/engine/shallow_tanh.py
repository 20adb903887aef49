"""Closed forms for many bias-free one-hidden-layer tanh networks at once, each with its own data.

The network is f(x) = W2 tanh(W1 x), with W1 (n, n0) and W2 (n_out, n) and no biases: Pennington
& Bahri (2017), Sec. 2, eq. 1 ("a single-hidden-layer network without biases"), with tanh in
place of [.]_+ as in their experiment (Sec. 6.4, p.8). B networks are evaluated together, each on
its own data (their runs draw inputs and targets anew, Sec. 6.4), as a few batched matrix
products in the dtype of the inputs (float64 in the project). No autograd and no loop over
networks: the tests check every formula against ``torch.func`` network by network.

**Layout.** theta (B, P), P = n n0 + n_out n, is [W1 row-major, W2 row-major] per network: the
layout of ``MLP((n0, n, n_out), "tanh", bias=False)`` (:mod:`landscape.engine.models`), so a row
of theta is a parameter vector of that model. The hidden width is read from P.

**Formulas** (one network; X (m, n0) holds the inputs as rows, Y (m, n_out) the targets, and o
is the entrywise product):

    Z = X W1^T,   A = tanh Z,   D = 1 - A o A  (= tanh'(Z)),   E = A W2^T - Y      (m, .)
    L = 1/(2m) ||E||_F^2

This is P&B's eq. 2, L = n_out eps = 1/(2m) sum_{i, mu} e_{i mu}^2, so their energy is
eps = L / n_out (the loss per target value); it equals the project's squared loss
(``make_loss(..., "mse")``: the mean over samples of 1/2 ||f(x) - y||^2). With R = E / m:

    dL/dW2 = G2 = R^T A,    dL/dW1 = G1 = Delta^T X,    Delta = (R W2) o D        (back-prop)

The Hessian-vector product H v, v = (V1, V2), is the derivative of (G1, G2) along v (Pearlmutter
1994's R-operator); a dot marks that derivative, and d(1 - tanh^2)/dz = -2 tanh tanh':

    Z. = X V1^T,   A. = D o Z.,   R. = (A V2^T + A. W2^T) / m
    (H v)_2 = R.^T A + R^T A.
    (H v)_1 = [ (R. W2 + R V2) o D - 2 (R W2) o A o A. ]^T X

This is the exact Hessian of L, H = H0 + H1 of P&B eqs. 3-4 (Gauss-Newton part plus the
residual part), not an approximation. The squared gradient norm, the objective of their
critical-point search (Sec. 6.4, p.7), and its gradient are

    J_g = ||grad L||^2 = ||G1||_F^2 + ||G2||_F^2,     grad J_g = 2 H grad L.

Cost per network: the gradient is 3 products of m n (n0 or n_out) multiply-adds; H v adds 6.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Forward:
    """The forward pass of B networks on their data, and the pieces the derivatives reuse."""

    w1: torch.Tensor  # (B, n, n0)
    w2: torch.Tensor  # (B, n_out, n)
    a: torch.Tensor  # (B, m, n) tanh(Z)
    d: torch.Tensor  # (B, m, n) tanh'(Z) = 1 - A^2
    r: torch.Tensor  # (B, m, n_out) dL/df = E / m
    rw2: torch.Tensor  # (B, m, n) R W2 = dL/dA
    loss: torch.Tensor  # (B,) L = 1/(2m) ||E||^2


def hidden_width(n_params: int, n_in: int, n_out: int) -> int:
    """The hidden width n of a network with P = n (n0 + n_out) parameters.

    Raises:
        ValueError: P is not a multiple of n0 + n_out.
    """
    n, rest = divmod(n_params, n_in + n_out)
    if rest or n < 1:
        raise ValueError(f"{n_params} parameters do not fit a {n_in}-n-{n_out} network")
    return n


def split(theta: torch.Tensor, n_in: int, n_out: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Views W1 (B, n, n0) and W2 (B, n_out, n) of flat parameters theta (B, P)."""
    n = hidden_width(theta.shape[-1], n_in, n_out)
    w1 = theta[..., : n * n_in].unflatten(-1, (n, n_in))  # (B, n, n0)
    w2 = theta[..., n * n_in :].unflatten(-1, (n_out, n))  # (B, n_out, n)
    return w1, w2


def join(g1: torch.Tensor, g2: torch.Tensor) -> torch.Tensor:
    """Flat vectors (B, P) from first-layer (B, n, n0) and second-layer (B, n_out, n) blocks."""
    return torch.cat([g1.flatten(-2), g2.flatten(-2)], dim=-1)  # (B, P)


def forward(theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> Forward:
    """The forward pass of networks theta (B, P) on inputs x (B, m, n0), targets y (B, m, n_out)."""
    m = x.shape[-2]
    w1, w2 = split(theta, x.shape[-1], y.shape[-1])
    a = torch.tanh(x @ w1.mT)  # (B, m, n)
    e = a @ w2.mT - y  # (B, m, n_out)
    r = e / m  # (B, m, n_out)
    rw2 = r @ w2  # (B, m, n)
    loss = 0.5 * (e * e).sum(dim=(-2, -1)) / m  # (B,)
    return Forward(w1, w2, a, 1.0 - a * a, r, rw2, loss)


def loss(theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """L = 1/(2m) ||W2 tanh(W1 X) - Y||^2 of each network (B,) (P&B eq. 2)."""
    return forward(theta, x, y).loss


def gradient(fwd: Forward, x: torch.Tensor) -> torch.Tensor:
    """The gradient of L (B, P) from a forward pass on inputs x (B, m, n0)."""
    g2 = fwd.r.mT @ fwd.a  # (B, n_out, n)
    g1 = (fwd.rw2 * fwd.d).mT @ x  # (B, n, n0)
    return join(g1, g2)  # (B, P)


def hvp(fwd: Forward, x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """The exact Hessian-vector product H v (B, P) of each network, for directions v (B, P).

    Leading dimensions broadcast: a forward pass of shape (B, 1, ...) with x (B, 1, m, n0) and
    v (B, K, P) gives H v (B, K, P) for K directions per network (see :func:`hessian`).
    """
    m = x.shape[-2]
    v1, v2 = split(v, x.shape[-1], fwd.r.shape[-1])  # (B, n, n0), (B, n_out, n)
    a_dot = fwd.d * (x @ v1.mT)  # (B, m, n)
    r_dot = (fwd.a @ v2.mT + a_dot @ fwd.w2.mT) / m  # (B, m, n_out)
    h2 = r_dot.mT @ fwd.a + fwd.r.mT @ a_dot  # (B, n_out, n)
    delta_dot = (r_dot @ fwd.w2 + fwd.r @ v2) * fwd.d - 2.0 * fwd.rw2 * fwd.a * a_dot  # (B, m, n)
    h1 = delta_dot.mT @ x  # (B, n, n0)
    return join(h1, h2)  # (B, P)


@dataclass(frozen=True)
class GradNormSq:
    """J_g = ||grad L||^2 of B networks, its gradient 2 H grad L, and the loss and gradient."""

    loss: torch.Tensor  # (B,) L
    grad: torch.Tensor  # (B, P) grad L
    value: torch.Tensor  # (B,) J_g
    grad_value: torch.Tensor  # (B, P) grad J_g = 2 H grad L


def grad_norm_sq(theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> GradNormSq:
    """J_g = ||grad L||^2 and grad J_g = 2 H grad L of B networks (one forward pass, one HVP)."""
    fwd = forward(theta, x, y)
    g = gradient(fwd, x)  # (B, P)
    value = (g * g).sum(dim=-1)  # (B,)
    return GradNormSq(fwd.loss, g, value, 2.0 * hvp(fwd, x, g))


def hessian(theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, chunk: int = 64) -> torch.Tensor:
    """The full Hessian (B, P, P) of each network, column by column from :func:`hvp`.

    ``chunk`` basis vectors per network are pushed through at once (memory B chunk m n).
    """
    fwd = forward(theta, x, y)
    pieces = [t.unsqueeze(1) for t in (fwd.w1, fwd.w2, fwd.a, fwd.d, fwd.r, fwd.rw2)]
    wide = Forward(*pieces, fwd.loss)  # (B, 1, ...): broadcasts over the directions
    n_params = theta.shape[-1]
    eye = torch.eye(n_params, dtype=theta.dtype, device=theta.device)  # (P, P)
    cols = []
    for start in range(0, n_params, chunk):
        basis = eye[start : start + chunk].expand(theta.shape[0], -1, -1)  # (B, k, P)
        cols.append(hvp(wide, x.unsqueeze(1), basis))  # (B, k, P): rows of the symmetric H
    return torch.cat(cols, dim=1)  # (B, P, P)
