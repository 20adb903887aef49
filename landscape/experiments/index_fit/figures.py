"""The figures of index fit: one function per figure, a tidy table in, a figure out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from landscape.base.plotting import empty_figure


def index_fit(
    fits: pd.DataFrame, points: pd.DataFrame, min_loss: float, max_index: float
) -> plt.Figure:
    """Points of small index with the 3/2-law and free-exponent fits, per procedure and group.

    Args:
        fits: The fit table (procedure, group, status, eps_c, alpha0, exponent, ...).
        points: Every group's points, columns procedure, group, energy, index, and kept (False:
            an end point their procedure's cutoff left out, drawn as a cross).
        min_loss: The smallest energy fitted.
        max_index: The largest index fitted.
    """
    if fits.empty:
        return empty_figure("no group to fit")
    cols = min(4, len(fits))
    rows = -(-len(fits) // cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(3.6 * cols, 3.0 * rows), squeeze=False, constrained_layout=True
    )
    for ax, fit in zip(axes.flat, fits.itertuples(), strict=False):
        sub = points[(points["group"] == fit.group) & (points["procedure"] == fit.procedure)]
        _index_fit_panel(ax, fit, sub, min_loss, max_index)
    for ax in list(axes.flat)[len(fits) :]:
        ax.axis("off")
    return fig


def _index_fit_panel(ax, fit, sub: pd.DataFrame, min_loss: float, max_index: float) -> None:
    """One group's points and fits (:func:`index_fit`)."""
    from landscape.experiments.index_fit.index_fit import power_law

    out, sub = sub[~sub["kept"]], sub[sub["kept"]]
    if len(out):
        ax.scatter(
            out["energy"],
            out["index"],
            s=10,
            marker="x",
            color="0.75",
            lw=0.6,
            label="above their cutoff",
        )
    small = (sub["index"] > 0) & (sub["index"] <= max_index) & (sub["energy"] >= min_loss)
    if fit.eps_c_source == "theory":
        small &= sub["energy"] > fit.eps_c
        ax.axvline(fit.eps_c, color="0.5", lw=0.6, ls=":", label=f"theory eps_c = {fit.eps_c:.3g}")
    ax.scatter(
        sub.loc[~small, "energy"], sub.loc[~small, "index"], s=10, color="0.7", label="not fitted"
    )
    ax.scatter(sub.loc[small, "energy"], sub.loc[small, "index"], s=14, label="fit set")
    if fit.status == "fitted":
        grid = np.linspace(fit.eps_c, sub.loc[small, "energy"].max() * 1.05, 200)
        ax.plot(
            grid,
            power_law(grid, fit.alpha0, fit.eps_c, 1.5),
            "k-",
            lw=1,
            label=f"3/2 law, eps_c = {fit.eps_c:.3g}",
        )
        ax.plot(
            grid,
            power_law(grid, fit.alpha0_free, fit.eps_c_free, fit.exponent),
            "r--",
            lw=1,
            label=f"p = {fit.exponent:.2f} [{fit.exponent_low:.2f}, {fit.exponent_high:.2f}]",
        )
    ax.set_ylim(-0.005, max_index * 1.6)
    ax.set_title(f"{fit.procedure}: {fit.group}\n{fit.status} ({fit.points} points)", fontsize=7)
    ax.set_xlabel("energy (loss per target value)" if fit.setting == "memorisation" else "loss")
    ax.set_ylabel("index")
    ax.legend(fontsize=6, frameon=False)
