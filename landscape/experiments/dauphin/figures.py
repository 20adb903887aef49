"""Dauphin et al.'s Fig. 1 redrawn: error against index (1a/c), eigenvalue densities (1b/d)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from landscape.engine.critical import Status
from landscape.experiments.dauphin.dauphin import Stage

# Our status of each end, by marker (Fig. 1a/c draw every end).
MARKERS = {
    Status.CRITICAL: ("o", "certified critical"),
    Status.GRADIENT_FLAT: ("s", "gradient-flat"),
    Status.NOT_CONVERGED: ("x", "not converged"),
    Status.ESCAPE: ("^", "escape"),
}
STAND_INS = {"digits": "8 x 8 digits for 10 x 10 MNIST", "mnist1d": "MNIST-1D for CIFAR-10"}


def _title(grp: pd.DataFrame) -> str:
    """A panel's title: the setting, its stand-in data and network."""
    row = grp.iloc[0]
    data = STAND_INS.get(row["dataset"], row["dataset"])
    return f"{row['setting']} ({row['procedure']} procedure)\n{data}, {row['architecture']}, " + (
        f"P = {int(row['n_params'])}"
    )


def error_vs_index(ends: pd.DataFrame) -> plt.Figure:
    """Fig. 1a/c: training error (%) against the index, one panel per setting.

    Drawn: every finite end of their Newton method, its marker our status, and the certified
    ends of the Newton-MR continuation (ours) as filled dots; the continuation's uncertified
    ends are not drawn. x is the index at the round-off tolerance (their reading); a certified
    end whose index at the derived tolerance is lower carries a bar down to it (the interval).

    Args:
        ends: The ends (``dauphin.END_COLUMNS``).
    """
    settings = list(ends.groupby("setting", sort=False)) or [("no setting ran", ends)]
    fig, axes = plt.subplots(
        1, len(settings), figsize=(4.8 * len(settings), 4.0), squeeze=False, constrained_layout=True
    )
    for ax, (setting, grp) in zip(axes[0], settings, strict=True):
        theirs = grp[(grp["stage"] == Stage.NEWTON) & (grp["status"] != Status.DIVERGED)]
        for status, (marker, label) in MARKERS.items():
            part = theirs[theirs["status"] == status]
            if part.empty:
                continue
            ax.scatter(
                part["index_roundoff"],
                part["error"],
                marker=marker,
                s=18,
                label=f"{label} (theirs)",
            )
        ours = grp[(grp["stage"] == Stage.CONTINUED) & (grp["status"] == Status.CRITICAL)]
        if len(ours):
            ax.scatter(
                ours["index_roundoff"],
                ours["error"],
                marker="o",
                s=18,
                color="k",
                label="certified after Newton-MR (ours)",
            )
        finite = pd.concat([theirs, ours])
        crit = finite[finite["status"] == Status.CRITICAL]
        low = crit["n_negative_derived"] / crit["n_params"]
        gap = crit["index_roundoff"] > low
        ax.hlines(crit["error"][gap], low[gap], crit["index_roundoff"][gap], lw=0.8, color="k")
        diverged = int(((grp["stage"] == Stage.NEWTON) & (grp["status"] == Status.DIVERGED)).sum())
        ax.set_title(_title(grp) if len(grp) else setting, fontsize=8)
        ax.set_xlabel("index alpha (round-off tolerance)")
        ax.set_ylabel("training error (%)")
        if diverged:
            note = f"{diverged} diverged, not drawn"
            ax.text(0.02, 0.02, note, transform=ax.transAxes, fontsize=7)
        if len(finite):
            ax.legend(fontsize=7, loc="lower right")
        else:
            ax.text(0.5, 0.5, "no finite end", ha="center", transform=ax.transAxes)
    return fig


def eigenvalue_density(eigen: pd.DataFrame) -> plt.Figure:
    """Fig. 1b/d: p(lambda) at three ends of low, middle and high error, log y, one panel each.

    Args:
        eigen: The picked spectra (``dauphin.EIGEN_COLUMNS``).
    """
    settings = list(eigen.groupby("setting", sort=False)) or [("no spectrum", eigen)]
    fig, axes = plt.subplots(
        1, len(settings), figsize=(4.8 * len(settings), 4.0), squeeze=False, constrained_layout=True
    )
    for ax, (setting, grp) in zip(axes[0], settings, strict=True):
        if grp.empty:
            ax.text(0.5, 0.5, "no end has a spectrum", ha="center", transform=ax.transAxes)
            continue
        values = grp["eigenvalue"].to_numpy(float)
        bins = np.linspace(values.min(), values.max(), 40)
        for _pick, spec in grp.groupby("pick"):
            head = spec.iloc[0]
            density, edges = np.histogram(spec["eigenvalue"], bins=bins, density=True)
            label = f"error {head['error']:.2f}% ({head['status']})"
            ax.step(edges[:-1], np.where(density > 0, density, np.nan), where="post", label=label)
        ax.axvline(0.0, color="k", lw=0.8)
        ax.set_yscale("log")
        ax.set_xlabel("eigenvalue lambda")
        ax.set_ylabel("p(lambda)")
        ax.set_title(setting, fontsize=8)
        ax.legend(fontsize=7)
    return fig
