"""The figures of index vs loss: one function per figure, a tidy table in, a figure out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from landscape.base.plotting import empty_figure
from landscape.engine.critical import Status
from landscape.engine.spectrum import IndexTolerance

STATUS_MARKERS = {
    Status.CRITICAL: "o",
    Status.GRADIENT_FLAT: "s",
    Status.NOT_CONVERGED: "x",
    Status.DIVERGED: "v",
    Status.ESCAPE: "P",
}


def _case_panels(table: pd.DataFrame, value: str, ylabel: str, certified_only: bool) -> plt.Figure:
    """One panel per dataset and loss; colour: activation; marker: method (or status)."""
    datasets = sorted(table["dataset"].unique())
    losses = [loss for loss in ("mse", "cross_entropy") if loss in set(table["loss_function"])]
    fig, axes = plt.subplots(
        len(losses),
        len(datasets),
        figsize=(4.2 * len(datasets), 3.2 * len(losses)),
        squeeze=False,
        constrained_layout=True,
    )
    colours = dict(zip(("tanh", "relu"), sns.color_palette("colorblind", 2), strict=True))
    method_markers = {"newton_mr": "o", "gradient_norm": "^", "damped_newton": "D"}
    for i, loss in enumerate(losses):
        for j, dataset in enumerate(datasets):
            ax = axes[i, j]
            sub = table[(table["dataset"] == dataset) & (table["loss_function"] == loss)]
            for (act, method, status), grp in sub.groupby(["activation", "method", "status"]):
                certified = status == Status.CRITICAL
                if certified_only and not certified:
                    continue
                marker = (
                    method_markers.get(method, "o") if certified_only else STATUS_MARKERS[status]
                )
                label = f"{act}, {method}" if certified_only else f"{act}, {status}"
                ax.scatter(
                    grp["loss"],
                    grp[value],
                    s=18 if certified else 12,
                    marker=marker,
                    color=colours.get(act),
                    alpha=0.8 if certified else 0.35,
                    label=label,
                    facecolors=None if certified or marker == "x" else "none",
                )
            ax.set_title(f"{dataset}, {loss}")
            # Searches that ran far uphill would squash the axis: it stops at 1.25 x the
            # largest starting loss, and the panel says how many end points lie beyond.
            if not certified_only and len(sub):
                right = 1.25 * float(sub["start_loss"].max())
                ax.set_xlim(left=0.0, right=right)
                beyond = int((sub["loss"] > right).sum())
                ax.text(
                    0.98,
                    0.02,
                    f"{beyond} end points beyond loss {right:.3g}",
                    transform=ax.transAxes,
                    ha="right",
                    fontsize=6,
                )
            ax.set_xlabel("loss at the end point")
            ax.set_ylabel(ylabel)
            ax.set_ylim(-0.02, 1.02 if value == "min_ratio" else None)
            handles, labels = ax.get_legend_handles_labels()
            if handles:
                by_label = dict(zip(labels, handles, strict=True))
                ax.legend(by_label.values(), by_label.keys(), fontsize=6, frameon=False)
    return fig


def index_vs_loss(table: pd.DataFrame) -> plt.Figure:
    """Index (fraction of negative eigenvalues) against loss at certified critical points.

    The style of Dauphin et al. 2014, Fig. 1: one point per certified critical point.
    """
    fig = _case_panels(table, "index", "index (fraction of negative eigenvalues)", True)
    n = int((table["status"] == Status.CRITICAL).sum())
    fig.suptitle(f"Index against loss at {n} certified critical points (||g||^2 <= threshold)")
    return fig


def min_ratio_vs_loss(table: pd.DataFrame) -> plt.Figure:
    """The homework's minimum ratio (fraction of positive eigenvalues) against loss."""
    fig = _case_panels(table, "min_ratio", "minimum ratio (fraction of positive eigenvalues)", True)
    fig.suptitle("Minimum ratio against loss at certified critical points")
    return fig


def index_vs_loss_by_status(
    table: pd.DataFrame, threshold: float, statuses: pd.DataFrame | None = None
) -> plt.Figure:
    """Every end point, certified or not, marked by its status (4d).

    Args:
        table: End points (:data:`landscape.experiments.index_vs_loss.index_vs_loss.COLUMNS`).
        threshold: The certification threshold on ||g||^2.
        statuses: The breakdown per case and method (:data:`~landscape.experiments.index_vs_loss.
            STATUS_COLUMNS`); its per-method totals are written under the title.
    """
    fig = _case_panels(table, "index", "index (fraction of negative eigenvalues)", False)
    counts = table["status"].value_counts()
    text = ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUS_MARKERS)
    title = f"All {len(table)} end points: {text} (critical: ||g||^2 <= {threshold:g})"
    if statuses is not None and len(statuses):
        by_method = statuses.groupby(["method", "status"])["end_points"].sum()
        for method in sorted(statuses["method"].unique()):
            parts = [f"{int(n)} {st}" for (m, st), n in by_method.items() if m == method and n]
            title += f"\n{method}: " + ", ".join(parts)
    fig.suptitle(title, fontsize=9)
    return fig


def index_sensitivity(points: pd.DataFrame, tests: pd.DataFrame) -> plt.Figure:
    """The index and the Spearman test of every case at the four tolerances (4b sensitivity).

    Args:
        points: :data:`landscape.experiments.index_vs_loss.index_vs_loss.SENSITIVITY_COLUMNS` rows.
        tests: :data:`landscape.experiments.index_vs_loss.index_vs_loss.TEST_COLUMNS` rows.
    """
    if points.empty:
        return empty_figure("no certified critical point: no index to test")
    order = [t.value for t in IndexTolerance]
    x = {t: i for i, t in enumerate(order)}
    fig, (ax_rho, ax_idx) = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
    for i, (case, grp) in enumerate(tests.groupby("case", sort=True)):
        colour = f"C{i % 10}"
        grp = grp.sort_values("tolerance", key=lambda c: c.map(x))
        ax_rho.plot(grp["tolerance"].map(x), grp["rho"], color=colour, lw=0.8, label=case)
        for r in grp.itertuples():
            holds = r.holds if r.holds in (True, False) else None  # NaN: untested
            marker = {True: "o", False: "s"}.get(holds, "x")
            face = colour if holds is True else "none"
            y = 0 if np.isnan(r.rho) else r.rho
            style = (
                {"color": colour} if marker == "x" else {"edgecolors": colour, "facecolors": face}
            )
            ax_rho.scatter(x[r.tolerance], y, marker=marker, **style)
        med = points[points["case"] == case].groupby("tolerance")["index"].median()
        ax_idx.plot(
            [x[t] for t in order if t in med],
            [med[t] for t in order if t in med],
            "o-",
            color=colour,
            ms=3,
            lw=0.8,
        )
    for ax in (ax_rho, ax_idx):
        ax.set_xticks(range(len(order)), order, fontsize=7)
        ax.set_xlabel("eigenvalue tolerance (negative: below -tol)")
    ax_rho.axhline(0, color="k", lw=0.5)
    ax_rho.set(
        ylabel="Spearman rho(loss, index)",
        title="filled: rho > 0 significant; hollow: not; x: too few points",
    )
    ax_idx.set(ylabel="median index of the certified points", title="index by tolerance")
    ax_rho.legend(fontsize=6, frameon=False)
    return fig


def index_vs_loss_histograms(picks: pd.DataFrame, eigenvalues: pd.DataFrame) -> plt.Figure:
    """Hessian eigenvalue histograms of three certified critical points, low to high loss.

    Args:
        picks: Rows of the index table (network, method, snapshot_step, loss, index, eig_tol).
        eigenvalues: The eigenvalue table (network, method, snapshot_step, eigenvalue).
    """
    if picks.empty:
        return empty_figure("no certified critical point: no spectrum to draw")
    if eigenvalues.empty:
        return empty_figure("no eigenvalues: counted by inertia (curvature.spectrum: inertia)")
    fig, axes = plt.subplots(
        1, len(picks), figsize=(4 * len(picks), 3), squeeze=False, constrained_layout=True
    )
    for ax, row in zip(axes[0], picks.itertuples(), strict=True):
        key = ["network", "method", "snapshot_step"]
        mask = (
            eigenvalues[key] == pd.Series([row.network, row.method, row.snapshot_step], index=key)
        ).all(axis=1)
        eigs = eigenvalues.loc[mask, "eigenvalue"].to_numpy()
        scaled = eigs / max(float(np.abs(eigs).max()), 1e-300)
        # Symmetric-log bins: the small negative eigenvalues are drawn beside the large ones.
        lin = 1e-8
        pos = np.geomspace(lin, 1.0, 25)
        edges = np.concatenate([-pos[::-1], [0.0], pos])
        neg = scaled < -row.eig_tol / max(float(np.abs(eigs).max()), 1e-300)
        ax.hist(scaled[~neg], bins=edges, color="0.5", label="zero or positive")
        ax.hist(scaled[neg], bins=edges, color="C3", label=f"negative ({int(neg.sum())})")
        ax.set_xscale("symlog", linthresh=lin)
        ticks = [-1.0, -1e-4, -1e-8, 0.0, 1e-8, 1e-4, 1.0]
        ax.set_xticks(ticks, ["-1", "-1e-4", "-1e-8", "0", "1e-8", "1e-4", "1"])
        ax.axvline(0, color="k", lw=0.6)
        ax.legend(fontsize=6, frameon=False)
        ax.set_xlabel("eigenvalue / max |eigenvalue| (symmetric log)")
        ax.set_title(f"loss {row.loss:.3g}, index {row.index:.3f}\n{row.network}", fontsize=7)
    axes[0, 0].set_ylabel("count")
    return fig


def index_vs_loss_scale(panels: list[tuple[str, pd.DataFrame | None]]) -> plt.Figure:
    """Section 4b at three sizes: index against loss, one panel per network size.

    Args:
        panels: (title, end points with
        :data:`landscape.experiments.index_vs_loss.index_vs_loss.COLUMNS`
            and, for the scale cases, ``case_seconds``, the job's search time from its timing
            file), in order of size; None draws a panel that says the size was not run in this
            config.
    """
    fig, axes = plt.subplots(
        1,
        len(panels),
        figsize=(4.2 * len(panels), 3.4),
        squeeze=False,
        constrained_layout=True,
        sharey=True,
    )
    for ax, (title, table) in zip(axes[0], panels, strict=True):
        if table is None:
            ax.text(
                0.5,
                0.5,
                "not run in this config\n(workflow/config/paper.yaml runs it)",
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
            ax.set_title(title, fontsize=9)
            ax.set_xticks([])
            continue
        certified = table[table["status"] == Status.CRITICAL]
        others = table[table["status"] != Status.CRITICAL]
        ax.scatter(
            others["loss"],
            others["index"],
            s=10,
            marker="x",
            color="0.6",
            alpha=0.5,
            label=f"not certified ({len(others)})",
        )
        ax.scatter(
            certified["loss"],
            certified["index"],
            s=18,
            color="C0",
            label=f"certified ({len(certified)})",
        )
        if "case_seconds" in table and len(table):
            seconds = float(table["case_seconds"].iloc[0])
            per = f"{seconds / len(certified):.0f} s" if len(certified) else "none certified"
            ax.text(
                0.98,
                0.02,
                f"{seconds:.0f} s in all; per certified point: {per}",
                transform=ax.transAxes,
                ha="right",
                fontsize=6,
            )
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("loss at the end point")
        ax.legend(fontsize=6, frameon=False, loc="upper left")
    axes[0, 0].set_ylabel("index (fraction of negative eigenvalues)")
    fig.suptitle("Index against loss at three network sizes (certified: ||g||^2 <= threshold)")
    return fig
