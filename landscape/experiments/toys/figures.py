"""The figures of toys: one function per figure, a tidy table in, a figure out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from landscape.base.plotting import set_style
from landscape.base.vocabulary import Definiteness

# Marker and colour of each kind of critical point (definiteness of the Hessian).
KIND_MARKERS = {
    Definiteness.POSITIVE_DEFINITE: ("o", "C2"),
    Definiteness.NEGATIVE_DEFINITE: ("^", "C3"),
    Definiteness.INDEFINITE: ("X", "C1"),
    Definiteness.POSITIVE_SEMIDEFINITE: ("s", "C0"),
    Definiteness.NEGATIVE_SEMIDEFINITE: ("s", "C4"),
    Definiteness.ZERO: ("*", "k"),
}


def toy_critical_points(table: pd.DataFrame) -> plt.Figure:
    """Contours of each gallery function with its critical points marked by their measured kind.

    Args:
        table: One row per point (``function``, ``x``, ``y``, ``measured``).

    Returns:
        One panel per function.
    """
    import torch

    from landscape.experiments.toys.toys import GALLERY

    set_style()
    fig, axes = plt.subplots(
        1, len(GALLERY), figsize=(2.6 * len(GALLERY), 2.8), layout="constrained"
    )
    markers = KIND_MARKERS
    grid = np.linspace(-2.2, 2.2, 121)
    gx, gy = np.meshgrid(grid, grid)
    pts = torch.tensor(np.stack([gx.ravel(), gy.ravel()], 1))
    for ax, toy in zip(axes, GALLERY, strict=True):
        z = torch.vmap(toy.f)(pts).numpy().reshape(gx.shape)
        ax.contour(gx, gy, z, levels=15, linewidths=0.6, cmap="viridis")
        for row in table[table["function"] == toy.name].itertuples():
            marker, color = markers.get(row.measured, ("d", "0.3"))
            ax.plot(row.x, row.y, marker, color=color, ms=8, label=row.measured)
        ax.set(title=toy.formula, xticks=[-2, 0, 2], yticks=[-2, 0, 2])
        ax.title.set_fontsize(8)
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))  # one entry per kind
        ax.legend(unique.values(), unique.keys(), fontsize=5, loc="lower left")
    return fig


def newton_vs_gd(runs: pd.DataFrame, paths: pd.DataFrame) -> plt.Figure:
    """Newton's method and gradient descent from the same starts, on each gallery function.

    Args:
        runs: One row per run (``function``, ``near_kind``, ``near_x``, ``near_y``, ``method``,
            ``returned``, ``escaped``).
        paths: Visited points (``function``, ``near_x``, ``near_y``, ``start``, ``method``,
            ``step``, ``x``, ``y``).

    Returns:
        One panel per function; Newton solid, gradient descent dashed, known points marked.
    """
    import torch

    from landscape.experiments.toys.toys import GALLERY

    set_style()
    cols = 4
    rows = -(-len(GALLERY) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.0 * cols, 3.0 * rows), layout="constrained")
    axes = axes.ravel()
    grid = np.linspace(-2.2, 2.2, 121)
    gx, gy = np.meshgrid(grid, grid)
    pts = torch.tensor(np.stack([gx.ravel(), gy.ravel()], 1))
    styles = {"newton": ("C0", "-", "Newton"), "gd": ("C3", "--", "gradient descent")}
    for ax, toy in zip(axes, GALLERY, strict=False):
        z = torch.vmap(toy.f)(pts).numpy().reshape(gx.shape)
        ax.contour(gx, gy, z, levels=15, linewidths=0.5, cmap="Greys")
        for (_, _, _, method), g in paths[paths["function"] == toy.name].groupby(
            ["near_x", "near_y", "start", "method"]
        ):
            color, ls, _ = styles[method]
            g = g.sort_values("step")
            ax.plot(g["x"], g["y"], ls=ls, color=color, lw=0.9, alpha=0.8)
            ax.plot(g["x"].iloc[0], g["y"].iloc[0], ".", color="k", ms=2)
        for x, y, kind in toy.points:
            marker, color = KIND_MARKERS.get(kind, ("d", "0.3"))
            ax.plot(x, y, marker, color=color, ms=7, mec="k", mew=0.5)
        mine = runs[runs["function"] == toy.name]
        newton, gd = mine[mine["method"] == "newton"], mine[mine["method"] == "gd"]
        title = (
            f"{toy.formula}\nNewton returned {int(newton['returned'].sum())}/{len(newton)}, "
            f"GD escaped {int(gd['escaped'].sum())}/{len(gd)}"
        )
        ax.set(title=title, xlim=(-2.2, 2.2), ylim=(-2.2, 2.2), xticks=[-2, 0, 2])
        ax.set_yticks([-2, 0, 2])
        ax.title.set_fontsize(8)
    for ax in axes[len(GALLERY) :]:
        ax.axis("off")
    legend_ax = axes[-1]
    handles = [
        plt.Line2D([], [], color=c, ls=ls, label=label) for c, ls, label in styles.values()
    ] + [
        plt.Line2D([], [], marker=m, color=c, ls="", mec="k", mew=0.5, label=kind)
        for kind, (m, c) in KIND_MARKERS.items()
    ]
    legend_ax.legend(handles=handles, loc="center", fontsize=7, frameon=False)
    return fig
