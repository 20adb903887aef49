"""The figures of training plateaus: one function per figure, a tidy table in, a figure out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from landscape.base.plotting import set_style, symlog_eigen_axis


def training_plateaus(
    summary: pd.DataFrame, eigenvalues: pd.DataFrame, history: pd.DataFrame
) -> plt.Figure:
    """Per network: the loss and squared gradient norm over training, with plateaus and indices.

    Args:
        summary: One row per analysed point (``network``, ``point``, ``plateau_start``,
            ``plateau_end``, ``step``, ``loss``, ``grad_norm_sq``, ``status``, ``n_negative``,
            ``index``, ``lambda_min``, ``eig_tol``).
        eigenvalues: One row per eigenvalue (``network``, ``step``, ``rank``, ``eigenvalue``).
        history: One row per network and recorded step (``network``, ``step``, ``loss``,
            ``grad_norm_sq``).

    Returns:
        A figure with one column per network (at most six drawn): loss on top, squared gradient
        norm below, plateaus shaded, analysed points marked and labelled with their index, and
        the eigenvalues nearest zero at each point in a third row.
    """
    set_style()
    nets = sorted(summary["network"].unique())[:6]
    fig, axes = plt.subplots(
        3, len(nets), figsize=(3.0 * len(nets) + 0.6, 7.2), layout="constrained", squeeze=False
    )
    for col, net in enumerate(nets):
        hist = history[history["network"] == net]
        # Diverged records cannot be drawn (values near the float64 limit overflow a log axis'
        # margins, so the curve stops at 1e100); the tables keep them all.
        drawable = (hist["loss"].abs() < 1e100) & (hist["grad_norm_sq"] < 1e100)
        pts = summary[summary["network"] == net]
        _curves(axes[0, col], axes[1, col], hist[drawable], pts)
        _points(axes[:, col], pts, eigenvalues[eigenvalues["network"] == net])
        axes[0, col].set(title=f"network {net}", xlabel="step", ylabel="loss" if col == 0 else "")
        axes[1, col].set(xlabel="step", ylabel=r"$\|\nabla L\|^2$" if col == 0 else "")
        _eigen_panel(axes[2, col], pts, eigenvalues[eigenvalues["network"] == net], col == 0)
    return fig


def _curves(ax_loss: plt.Axes, ax_grad: plt.Axes, hist: pd.DataFrame, pts: pd.DataFrame) -> None:
    """The loss and ||grad L||^2 over training, plateaus shaded, on log axes."""
    ax_loss.plot(hist["step"], hist["loss"], color="C0", lw=1)
    ax_grad.plot(hist["step"], hist["grad_norm_sq"], color="C1", lw=1)
    for ax in (ax_loss, ax_grad):
        for r in pts[pts["point"] == "plateau"].itertuples():
            ax.axvspan(r.plateau_start, r.plateau_end, color="0.85", lw=0)
        if len(hist):  # a log axis needs something positive to draw
            ax.set_yscale("log")


def _points(axes, pts: pd.DataFrame, eigenvalues: pd.DataFrame) -> None:
    """The analysed points of one network: marked, labelled with their index, and their spectra."""
    ax_loss, ax_grad, ax_eig = axes
    for j, r in enumerate(pts.itertuples()):
        marker = "o" if r.point == "plateau" else "s"
        if not 0 < r.loss < 1e100:  # diverged: say so, draw no point
            ax_loss.text(
                0.5,
                0.5,
                f"{r.point} at step {r.step}",
                fontsize=7,
                ha="center",
                transform=ax_loss.transAxes,
            )
            continue
        ax_loss.plot(r.step, r.loss, marker, color=f"C{2 + j % 7}", ms=5)
        if np.isfinite(r.grad_norm_sq) and r.grad_norm_sq > 0:
            ax_grad.plot(r.step, r.grad_norm_sq, marker, color=f"C{2 + j % 7}", ms=5)
        label = (
            f"{r.n_negative:.0f} neg ({100 * r.index:.1f}%)" if np.isfinite(r.index) else r.status
        )
        where = {"ha": "left" if j == 0 else "right", "textcoords": "offset points"}
        ax_loss.annotate(label, (r.step, r.loss), fontsize=6, xytext=(-4, -10), **where)
        eig = eigenvalues[eigenvalues["step"] == r.step]
        if not eig.empty:
            ax_eig.plot(
                eig["rank"],
                np.sort(eig["eigenvalue"].to_numpy()),
                ".",
                ms=1.5,
                color=f"C{2 + j % 7}",
                label=f"step {r.step}",
            )


def _eigen_panel(ax_eig: plt.Axes, pts: pd.DataFrame, mine: pd.DataFrame, first: bool) -> None:
    """The eigenvalue panel's axes: symlog around the tolerance, or why nothing is drawn."""
    ax_eig.axhline(0.0, color="0.5", lw=0.6)
    if not mine.empty:
        symlog_eigen_axis(ax_eig, mine["eigenvalue"].to_numpy(), float(pts["eig_tol"].max()))
        ax_eig.legend(fontsize=6, loc="upper left", markerscale=4)
    ax_eig.set(xlabel="eigenvalue rank", ylabel="Hessian eigenvalue" if first else "")
    if mine.empty:
        ax_eig.text(
            0.02,
            0.5,
            "no eigenvalues drawn\n(counted by inertia, or diverged)",
            fontsize=7,
            transform=ax_eig.transAxes,
        )
