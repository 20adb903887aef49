"""The figures of relu trap: one function per figure, a tidy table in, a figure out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd


def relu_trap(ends: pd.DataFrame, history: pd.DataFrame, perturb: pd.DataFrame) -> plt.Figure:
    """The trap's training loss against the contrast runs', and its perturbation test."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), constrained_layout=True)
    ax = axes[0]
    for init, grp in history.groupby("init", sort=False):
        trap = init == "trap"
        ax.plot(
            grp["step"],
            grp["loss"].clip(lower=1e-32),
            lw=2 if trap else 0.7,
            color="C3" if trap else "0.6",
            label="trap" if trap else None,
        )
    ax.plot([], [], color="0.6", lw=0.7, label="LeCun-normal initialisations")
    ax.set_yscale("log")
    ax.set_xlabel("gradient-descent step")
    ax.set_ylabel("loss")
    trap = ends[ends["init"] == "trap"].iloc[0]
    ax.set_title(f"trap stops at {trap['loss']:.4g} with {int(trap['dead_units'])} dead units")
    ax.legend(fontsize=7, frameon=False)
    ax = axes[1]
    ax.plot(perturb["radius"], perturb["min_loss_change"], "o-", label="smallest change")
    ax.plot(perturb["radius"], perturb["max_loss_change"], "s--", label="largest change")
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=1e-16)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel("perturbation radius")
    ax.set_ylabel("L(trap + r u) - L(trap)")
    ax.set_title(f"{int(perturb['directions'].iloc[0])} random directions per radius")
    ax.legend(fontsize=7, frameon=False)
    return fig
