"""The figures of index fit: Pennington & Bahri's Fig. 6 redrawn, and the 4b groups' fits."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from landscape.experiments.index_fit.index_fit import critical_energy, power_law
from landscape.experiments.index_fit.index_means import (
    index_means,
    linear_network_energy,
    quadratic_law,
)


def index_fit(
    fits: pd.DataFrame,
    runs: pd.DataFrame,
    min_runs: int,
    max_index: float,
    mlp_fits: pd.DataFrame,
    mlp_points: pd.DataFrame,
) -> plt.Figure:
    """Their Fig. 6a and 6b redrawn, and the 4b groups' fits when any has points.

    Fig. 6a: index against energy, one colour per phi, an inset for small alpha; Fig. 6b: the
    fitted eps_c against phi beside (1 - phi)^2 / 2, (1 - phi) / 2 and eq. 21.

    Args:
        fits: Fig. 6's fits (``index_means.PUBLISHED_FIT_COLUMNS``).
        runs: Every run (``published_runs.RUN_COLUMNS``).
        min_runs: Fewest runs behind a fitted mean (smaller means are drawn hollow).
        max_index: The largest index fitted.
        mlp_fits: The 4b groups' fits (``index_fit.FIT_COLUMNS``).
        mlp_points: Their certified points (columns group, energy, index).

    A group with nothing to fit is a sentence under the axes, never an empty panel.
    """
    panels = 3 if len(mlp_points) else 2
    fig, axes = plt.subplots(1, panels, figsize=(4.6 * panels, 4.0), constrained_layout=True)
    published = fits[fits["procedure"] == "published procedure"]
    notes = _fig6a(axes[0], published, runs, min_runs, max_index)
    _fig6b(axes[1], fits)
    if panels == 3:
        notes += _mlp_panel(axes[2], mlp_fits, mlp_points, max_index)
    else:
        notes.append("no 4b group has a certified point of small index: its panel is left out")
    fig.text(0.0, -0.01, "\n".join(notes), fontsize=7, va="top", ha="left", wrap=True)
    return fig


def _fig6a(ax, fits: pd.DataFrame, runs: pd.DataFrame, min_runs: int, max_index: float):
    """Their Fig. 6a on their procedure's points; returns the notes of phis with no fit."""
    inset = ax.inset_axes([0.06, 0.55, 0.4, 0.4])  # upper left: high index at low energy is rare
    notes = []
    groups = list(runs.groupby("phi"))
    colours = plt.cm.viridis(np.linspace(0, 0.85, max(len(groups), 1)))
    for (phi, grp), colour in zip(groups, colours[: len(groups)], strict=True):
        finite = grp[np.isfinite(grp["n_negative_roundoff"])]
        kept = finite[finite["kept"].astype(bool)]
        alpha = finite["n_negative_roundoff"] / finite["n_params"]
        for a in (ax, inset):
            a.scatter(finite["energy"], alpha, s=6, marker="x", lw=0.4, color=colour, alpha=0.35)
        means = index_means(
            kept["n_negative_roundoff"], kept["energy"], int(grp["n_params"].iloc[0])
        )
        full = means["runs"] >= min_runs
        for a in (ax, inset):
            a.errorbar(
                means.loc[full, "energy_mean"],
                means.loc[full, "index"],
                xerr=means.loc[full, "energy_se"],
                fmt="o",
                ms=4,
                color=colour,
                lw=0.8,
                label=f"phi = {phi:g}: {len(kept)}/{len(grp)} kept",
            )
            a.scatter(
                means.loc[~full, "energy_mean"],
                means.loc[~full, "index"],
                s=14,
                facecolors="none",
                edgecolors=colour,
                lw=0.6,
            )
        fit = fits[fits["phi"] == phi]
        if len(fit) and fit["status"].iloc[0] == "fitted":
            row = fit.iloc[0]
            small = means[full & (means["index"] <= max_index)]  # the fitted means
            grid = np.linspace(row.eps_c, small["energy_mean"].max() * 1.1, 200)
            for a in (ax, inset):
                a.plot(grid, power_law(grid, row.alpha0, row.eps_c, 1.5), color=colour, lw=1)
        else:
            status = fit["status"].iloc[0] if len(fit) else "not run"
            notes.append(
                f"Fig. 6a, phi = {phi:g}: {status} ({len(kept)} of {len(grp)} runs under their "
                f"cutoff; a mean needs {min_runs} runs): no 3/2 curve"
            )
    ax.set_xlabel("energy eps = L / n")
    ax.set_ylabel("index alpha")
    ax.set_title("(a) index vs energy: crosses every end, dots means of kept ends", fontsize=8)
    ax.legend(fontsize=6, frameon=False, loc="lower right")
    inset.set_ylim(-0.002, max_index)
    inset.set_title(f"alpha <= {max_index:g}", fontsize=6)
    inset.tick_params(labelsize=5)
    return notes


def _fig6b(ax, fits: pd.DataFrame) -> None:
    """Their Fig. 6b: the fitted eps_c with its interval, beside the three reference curves."""
    phi = np.linspace(0.0, 1.0, 200)
    ax.plot(phi, quadratic_law(phi), "k-", lw=1, label="(1 - phi)^2 / 2 (their fit)")
    ax.plot(phi, linear_network_energy(phi), "k--", lw=1, label="(1 - phi) / 2 (linear)")
    ax.plot(phi, critical_energy(phi), "k:", lw=1, label="eq. 21 (warm-up model)")
    for procedure, marker in (("published procedure", "o"), ("certified", "s")):
        rows = fits[(fits["procedure"] == procedure) & (fits["status"] == "fitted")]
        if len(rows):
            err = [rows["eps_c"] - rows["eps_c_low"], rows["eps_c_high"] - rows["eps_c"]]
            ax.errorbar(rows["phi"], rows["eps_c"], yerr=err, fmt=marker, ms=5, label=procedure)
    ax.set_xlabel("phi = parameters / target values")
    ax.set_ylabel("eps_c")
    ax.set_title("(b) fitted eps_c against phi", fontsize=8)
    ax.legend(fontsize=6, frameon=False)


def _mlp_panel(ax, fits: pd.DataFrame, points: pd.DataFrame, max_index: float) -> list[str]:
    """The 4b groups' certified points of small index and their 3/2 fits (eps_c fitted)."""
    notes = []
    for group, colour in zip(fits["group"], plt.cm.tab10(np.arange(len(fits)) % 10), strict=True):
        sub = points[points["group"] == group]
        fit = fits[fits["group"] == group].iloc[0]
        if sub.empty:
            notes.append(f"4b {group}: no certified point")
            continue
        ax.scatter(sub["energy"], sub["index"], s=8, color=colour, label=f"{group} ({fit.status})")
        if fit.status == "fitted":
            grid = np.linspace(fit.eps_c, sub["energy"].max() * 1.05, 200)
            ax.plot(grid, power_law(grid, fit.alpha0, fit.eps_c, 1.5), color=colour, lw=1)
    ax.set_ylim(-0.005, max_index * 1.6)
    ax.set_xlabel("loss")
    ax.set_ylabel("index")
    ax.set_title("(c) 4b groups, certified (reported beside the rows)", fontsize=8)
    ax.legend(fontsize=5, frameon=False)
    return notes
