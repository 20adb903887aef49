"""The figures of linear ae: one function per figure, a tidy table in, a figure out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from landscape.base.plotting import set_style
from landscape.engine.critical import Status


def linear_ae_critical_points(table: pd.DataFrame, analytic: pd.DataFrame) -> plt.Figure:
    """End points of each finder over the analytic (loss, index) pairs, one panel per method.

    Args:
        table: End points (``method``, ``status``, ``loss``, ``index``).
        analytic: Analytic critical points (``loss``, ``index``).

    Returns:
        The figure.
    """
    set_style()
    methods = list(dict.fromkeys(table["method"]))
    fig, axes = plt.subplots(
        1, len(methods), figsize=(4.5 * len(methods), 3.4), sharey=True, layout="constrained"
    )
    palette = {Status.CRITICAL: "C0", Status.GRADIENT_FLAT: "C1", Status.NOT_CONVERGED: "C3"}
    for ax, method in zip(axes, methods, strict=True):
        ax.scatter(
            analytic["loss"],
            analytic["index"],
            s=40,
            facecolors="none",
            edgecolors="0.6",
            label="analytic",
            zorder=1,
        )
        rows = table[table["method"] == method]
        for status, group in rows.groupby("status"):
            marker = "o" if status == Status.CRITICAL else "x"
            ax.scatter(
                group["loss"],
                group["index"],
                s=12,
                marker=marker,
                color=palette.get(status, "k"),
                label=f"{status} ({len(group)})",
                zorder=2,
            )
        certified = (rows["status"] == Status.CRITICAL).mean()
        lo, hi = analytic["loss"].min(), analytic["loss"].max()
        pad = 0.05 * (hi - lo)
        off = int(((rows["loss"] < lo - pad) | (rows["loss"] > hi + pad)).sum())
        note = f", {off} beyond the axis" if off else ""
        ax.set(title=f"{method}: {certified:.0%} certified{note}", xlabel="loss")
        ax.set_xlim(lo - pad, hi + pad)
        ax.legend(fontsize=6, loc="upper right")
    axes[0].set_ylabel("index (fraction of negative eigenvalues)")
    return fig
