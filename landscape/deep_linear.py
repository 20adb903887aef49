"""Section 2: deep linear networks, from the scalar toy losses to trained networks and saddles.

2a. The scalar deep linear network L(w) = (1 - w_1 ... w_k)^2 (:func:`landscape.theory.
product_loss`): its Hessian at the origin and on the valley of global minima prod w = 1, from
autograd and from the closed form of :func:`landscape.theory.product_loss_hessian`.
"""

from __future__ import annotations

import pandas as pd
import torch

from landscape.curvature import grad_norm_sq
from landscape.spectrum import summarize_spectrum
from landscape.theory import product_loss, product_loss_hessian

# (name, points): the origin, and points of the valley prod w = 1.
TOY_POINTS: dict[int, tuple[tuple[str, tuple[float, ...]], ...]] = {
    2: (("origin", (0.0, 0.0)), ("valley", (1.0, 1.0)), ("valley", (2.0, 0.5))),
    3: (("origin", (0.0, 0.0, 0.0)), ("valley", (1.0, 1.0, 1.0)), ("valley", (2.0, 0.5, 1.0))),
}

# The eigenvalues at the origin, derived by hand (module docstring of landscape.theory).
ORIGIN_EIGENVALUES = {2: (-2.0, 2.0), 3: (0.0, 0.0, 0.0)}


MAX_LAYERS = max(TOY_POINTS)


def _at(values: torch.Tensor, i: int) -> float:
    """values[i] as a float, NaN past the end (tables have MAX_LAYERS eigenvalue columns)."""
    return float(values[i]) if i < len(values) else float("nan")


def toy_table(factor: float, threshold: float) -> pd.DataFrame:
    """Hessians of the scalar deep linear losses at the origin and on the valley.

    Args:
        factor: Eigenvalue tolerance factor (see :mod:`landscape.spectrum`).
        threshold: Largest squared gradient norm of a critical point.

    Returns:
        One row per point: ``layers`` (k), ``function``, ``where``, the point, loss, squared
        gradient norm, the eigenvalues from autograd (``eig_1`` ...) and from the closed form
        (``exact_1`` ...), their largest difference, the counts and the definiteness; at the
        origin also whether the eigenvalues equal the hand-derived ones exactly.
    """
    rows = []
    for k, points in TOY_POINTS.items():
        for where, point in points:
            w = torch.tensor(point, dtype=torch.float64)
            numeric = torch.linalg.eigvalsh(torch.func.hessian(product_loss)(w))  # (k,)
            exact = torch.linalg.eigvalsh(product_loss_hessian(w))  # (k,)
            s = summarize_spectrum(numeric, factor)
            gn = float(grad_norm_sq(product_loss, w[None])[0])
            row = {
                "layers": k,
                "function": "(1 - " + " ".join(f"w{i + 1}" for i in range(k)) + ")^2",
                "where": where,
                "point": " ".join(f"{v:g}" for v in point),
                "loss": float(product_loss(w)),
                "grad_norm_sq": gn,
                "critical": gn <= threshold,
                **{f"eig_{i + 1}": _at(numeric, i) for i in range(MAX_LAYERS)},
                **{f"exact_{i + 1}": _at(exact, i) for i in range(MAX_LAYERS)},
                "max_abs_diff": float((numeric - exact).abs().max()),
                "n_negative": s.n_negative,
                "n_zero": s.n_zero,
                "definiteness": s.definiteness,
                "eig_tol": s.eig_tol,
                # At the origin: do the eigenvalues equal the hand-derived ones exactly?
                "matches_derived": (
                    numeric.tolist() == list(ORIGIN_EIGENVALUES[k]) if where == "origin" else None
                ),
            }
            rows.append(row)
    return pd.DataFrame(rows)
