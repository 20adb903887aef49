"""Two-dimensional functions whose critical points are known in closed form (section 1a).

Each entry gives the function, its critical points, and the definiteness of the Hessian there,
derived by hand: the answers the numerical classification is checked against.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import torch

from landscape.curvature import grad_norm_sq, make_hessian_hvp
from landscape.spectrum import summarize_spectrum


@dataclass(frozen=True)
class Toy:
    """A 2-D function and its known critical points."""

    name: str  # short name
    formula: str  # the function, as text
    f: Callable[[torch.Tensor], torch.Tensor]  # w (2,) -> scalar
    points: tuple[tuple[float, float, str], ...]  # (x, y, known definiteness of the Hessian)


GALLERY: tuple[Toy, ...] = (
    Toy("minimum", "x^2 + 2 y^2", lambda w: w[0] ** 2 + 2 * w[1] ** 2,
        ((0.0, 0.0, "positive definite"),)),
    Toy("maximum", "-x^2 - y^2", lambda w: -(w[0] ** 2) - w[1] ** 2,
        ((0.0, 0.0, "negative definite"),)),
    Toy("saddle", "x^2 - y^2", lambda w: w[0] ** 2 - w[1] ** 2, ((0.0, 0.0, "indefinite"),)),
    # Hessian [[6x, -6y], [-6y, -6x]] vanishes at the origin: the second-order test is silent.
    Toy("monkey saddle", "x^3 - 3 x y^2", lambda w: w[0] ** 3 - 3 * w[0] * w[1] ** 2,
        ((0.0, 0.0, "zero"),)),
    # Every point of the line x = 0 is a minimum; the Hessian diag(2, 0) is only semidefinite.
    Toy("flat valley", "x^2", lambda w: w[0] ** 2 + 0 * w[1],
        ((0.0, 0.0, "positive semidefinite"), (0.0, 1.0, "positive semidefinite"))),
    # Critical points at x in {-1, 0, 1}, y = 0: Hessian diag(3 x^2 - 1, 1).
    Toy("double well", "x^4 / 4 - x^2 / 2 + y^2 / 2",
        lambda w: w[0] ** 4 / 4 - w[0] ** 2 / 2 + w[1] ** 2 / 2,
        ((-1.0, 0.0, "positive definite"), (0.0, 0.0, "indefinite"),
         (1.0, 0.0, "positive definite"))),
    # One-unit deep linear network: Hessian [[-2, 2] ...] at the origin (eigenvalues -2, 2);
    # on the valley w1 w2 = 1 the Hessian 2 (w2, w1)(w2, w1)^T is rank one.
    Toy("(1 - w1 w2)^2", "(1 - x y)^2", lambda w: (1 - w[0] * w[1]) ** 2,
        ((0.0, 0.0, "indefinite"), (1.0, 1.0, "positive semidefinite"),
         (2.0, 0.5, "positive semidefinite"))),
)  # fmt: skip


def classify_gallery(factor: float, threshold: float) -> pd.DataFrame:
    """Classify every known critical point of the gallery from its exact Hessian.

    Args:
        factor: Eigenvalue tolerance factor (see :mod:`landscape.spectrum`).
        threshold: Largest squared gradient norm of a critical point.

    Returns:
        One row per point: function, point, known and measured definiteness, eigenvalues,
        squared gradient norm, and whether the classification matches.
    """
    rows = []
    for toy in GALLERY:
        hess = make_hessian_hvp(toy.f)
        for x, y, known in toy.points:
            w = torch.tensor([x, y], dtype=torch.float64)
            eigs = torch.linalg.eigvalsh(hess(w))
            s = summarize_spectrum(eigs, factor)
            gn = float(grad_norm_sq(toy.f, w[None])[0])
            rows.append(
                {
                    "function": toy.name,
                    "formula": toy.formula,
                    "x": x,
                    "y": y,
                    "grad_norm_sq": gn,
                    "eigenvalue_1": float(eigs[0]),
                    "eigenvalue_2": float(eigs[1]),
                    "eig_tol": s.eig_tol,
                    "known": known,
                    "measured": s.definiteness,
                    "critical": gn <= threshold,
                    "matches": s.definiteness == known and gn <= threshold,
                }
            )
    return pd.DataFrame(rows)
