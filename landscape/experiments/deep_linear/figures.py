"""The figures of deep linear: one function per figure, a tidy table in, a figure out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from landscape.base.plotting import set_style
from landscape.engine.critical import Status


def deep_linear_toy(table: pd.DataFrame) -> plt.Figure:
    """The scalar deep linear losses: the valley and saddle of (1 - w1 w2)^2, and flatness.

    Args:
        table: The rows of :func:`landscape.experiments.deep_linear.deep_linear.toy_table`
        (``layers``,
            ``where``, ``point``, ``eig_1`` ...).

    Returns:
        Three panels: contours of (1 - w1 w2)^2 with the valley w1 w2 = 1 and the saddle at
        the origin; its surface; the loss along lines through the origin for 2 and 3 layers.
    """
    set_style()
    fig = plt.figure(figsize=(11, 3.4), layout="constrained")
    ax_c = fig.add_subplot(1, 3, 1)
    ax_s = fig.add_subplot(1, 3, 2, projection="3d")
    ax_p = fig.add_subplot(1, 3, 3)
    grid = np.linspace(-2, 2, 161)
    w1, w2 = np.meshgrid(grid, grid)
    z = (1 - w1 * w2) ** 2
    ax_c.contour(w1, w2, np.log1p(z), levels=20, cmap="viridis", linewidths=0.6)
    branch = np.linspace(0.5, 2, 50)
    for sign in (1, -1):
        ax_c.plot(sign * branch, sign / branch, color="C3", lw=1.5)
    ax_c.plot([], [], color="C3", label="global minima w1 w2 = 1")
    origin = table[(table["layers"] == 2) & (table["where"] == "origin")].iloc[0]
    ax_c.plot(
        0, 0, "X", color="C1", ms=9, label=f"saddle: eigenvalues {origin.eig_1:g}, {origin.eig_2:g}"
    )
    ax_c.set(xlabel="w1", ylabel="w2", title="(1 - w1 w2)^2", aspect="equal")
    ax_c.legend(fontsize=6, loc="lower left")
    ax_s.plot_surface(w1, w2, np.minimum(z, 4), cmap="viridis", linewidth=0, alpha=0.9)
    ax_s.set(xlabel="w1", ylabel="w2", zlabel="loss", title="surface (clipped at 4)")
    t = np.linspace(-1.5, 1.5, 301)
    ax_p.plot(t, (1 - t**2 / 2) ** 2, color="C0", label="2 layers, along (1, 1): curvature -2")
    ax_p.plot(t, (1 + t**2 / 2) ** 2, color="C0", ls=":", label="2 layers, along (1, -1)")
    ax_p.plot(
        t,
        (1 - t**3 / 3**1.5) ** 2,
        color="C2",
        label="3 layers, along (1, 1, 1): flat to 2nd order",
    )
    flat = table[(table["layers"] == 3) & (table["where"] == "origin")].iloc[0]
    ax_p.set(
        xlabel="t (distance from the origin)",
        ylabel="loss",
        ylim=(0, 2.5),
        title=f"3 layers at the origin: eigenvalues {flat.eig_1:g}, {flat.eig_2:g}, {flat.eig_3:g}",
    )
    ax_p.title.set_fontsize(8)
    ax_p.legend(fontsize=6)
    return fig


def deep_linear_optimum(table: pd.DataFrame, gap_tolerance: float) -> plt.Figure:
    """Relative gaps to the closed-form optimum per depth, width and dataset.

    Args:
        table: One row per network (``data``, ``depth``, ``hidden_width``, ``bottleneck``,
            ``status``, ``rel_gap``, ``n_negative``).
        gap_tolerance: The gap below which a certified run counts as at the optimum.

    Returns:
        One panel per dataset: log10 of the gap against depth, coloured by hidden width, marked
        by status (certified points filled, others hollow).
    """
    set_style()
    datasets = list(dict.fromkeys(table["data"]))
    fig, axes = plt.subplots(
        1,
        len(datasets),
        figsize=(3.6 * len(datasets), 3.2),
        layout="constrained",
        squeeze=False,
        sharey=True,
    )
    floor = 1e-17  # gaps of exactly 0 are drawn at the floor
    widths = sorted(table["hidden_width"].unique(), reverse=True)
    for ax, name in zip(axes[0], datasets, strict=True):
        sub = table[table["data"] == name]
        for i, width in enumerate(widths):
            part = sub[sub["hidden_width"] == width]
            offset = (i - (len(widths) - 1) / 2) * 0.18
            jitter = np.linspace(-0.05, 0.05, max(len(part), 1))[: len(part)]
            gap = np.maximum(part["rel_gap"].to_numpy(), floor)
            certified = (part["status"] == Status.CRITICAL).to_numpy()
            xs = part["depth"].to_numpy() + offset + jitter
            label = f"width {width}" + (" (bottleneck)" if part["bottleneck"].any() else "")
            ax.scatter(xs[certified], gap[certified], color=f"C{i}", s=14, label=label)
            ax.scatter(
                xs[~certified],
                gap[~certified],
                facecolor="none",
                edgecolor=f"C{i}",
                s=14,
                label=f"width {width}, not certified",
            )
        ax.axhline(gap_tolerance, color="0.4", ls="--", lw=0.8)
        ax.set(
            yscale="log", xlabel="hidden layers", title=name, xticks=sorted(table["depth"].unique())
        )
        ax.legend(fontsize=6, loc="upper left")
    axes[0][0].set_ylabel("relative gap to the optimum")
    return fig


def deep_linear_saddles(table: pd.DataFrame) -> plt.Figure:
    """Index against loss at the critical points of deep linear networks, coloured by depth.

    Args:
        table: One row per point (``depth``, ``source``, ``loss``, ``index``, ``kind``,
            ``nearest_analytic_loss``).

    Returns:
        Left: every point, coloured by depth, shaped by kind (analytic points hollow and large,
        found points filled), the analytic critical values as vertical lines. Right: the number
        of flat and strict saddles per depth.
    """
    set_style()
    fig, (ax, ax_n) = plt.subplots(
        1, 2, figsize=(10, 3.6), layout="constrained", gridspec_kw={"width_ratios": [2.2, 1]}
    )
    depths = sorted(table["depth"].unique())
    for value in sorted(table.loc[table["source"].str.startswith("analytic"), "loss"].unique()):
        ax.axvline(value, color="0.88", lw=0.8, zorder=0)
    for i, depth in enumerate(depths):
        _saddle_points(ax, table[table["depth"] == depth], f"C{i}")
    ax.legend(handles=_saddle_legend(depths), fontsize=6, loc="upper left")
    ax.set(
        xlabel="loss",
        ylabel="index (fraction of negative eigenvalues)",
        title="critical points of deep linear networks",
    )
    counts = (
        table[table["kind"].isin(["strict saddle", "flat saddle"])]
        .groupby(["depth", "kind"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=["strict saddle", "flat saddle"], fill_value=0)
    )
    counts.plot.bar(ax=ax_n, color=["C3", "C0"], rot=0)
    ax_n.set(xlabel="hidden layers", ylabel="saddles (analytic + found)", title="saddle kinds")
    ax_n.legend(fontsize=7)
    return fig


# The marker of each kind of deep linear critical point.
SADDLE_SHAPES = {"global minimum": "o", "strict saddle": "X", "flat saddle": "s"}


def _saddle_points(ax: plt.Axes, sub: pd.DataFrame, color: str) -> None:
    """One depth's points: analytic ones hollow and large, found ones filled."""
    for kind, g in sub.groupby("kind"):
        marker = SADDLE_SHAPES.get(kind, "d")
        analytic = g["source"].str.startswith("analytic")
        ax.scatter(
            g.loc[analytic, "loss"],
            g.loc[analytic, "index"],
            s=70,
            marker=marker,
            facecolor="none",
            edgecolor=color,
            lw=0.9,
        )
        ax.scatter(
            g.loc[~analytic, "loss"], g.loc[~analytic, "index"], s=14, marker=marker, color=color
        )


def _saddle_legend(depths: list[int]) -> list[plt.Line2D]:
    """Legend handles: a colour per depth, a marker per kind, hollow against filled."""
    handles = [
        plt.Line2D([], [], color=f"C{i}", marker="o", ls="", label=f"{d} hidden")
        for i, d in enumerate(depths)
    ]
    handles += [
        plt.Line2D([], [], color="0.3", marker=m, ls="", label=k) for k, m in SADDLE_SHAPES.items()
    ]
    hollow = "analytic (hollow) / found (filled)"
    return [
        *handles,
        plt.Line2D([], [], color="0.3", marker="o", mfc="none", ms=9, ls="", label=hollow),
    ]
