"""One shared figure style, and one function per figure: a tidy table in, a figure out."""

# Over 600 lines: every section's figure functions sit here until each moves into its
# experiment's module (issue 30, item 1, not done); the shared style is the first 60 lines.
from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from landscape.base.io import atomic_path  # noqa: E402
from landscape.base.vocabulary import Definiteness
from landscape.engine.critical import Status
from landscape.engine.spectrum import IndexTolerance


def set_style() -> None:
    """Apply the pipeline's figure style (seaborn ``ticks``, colour-blind palette)."""
    sns.set_theme(context="paper", style="ticks", palette="colorblind")
    plt.rcParams.update({"figure.dpi": 120, "savefig.dpi": 150, "pdf.fonttype": 42})


def save_figure(fig: plt.Figure, *paths: str | os.PathLike) -> None:
    """Save ``fig`` to each path (format from the suffix) atomically, then close it."""
    # A fixed creation date keeps the PDF bytes reproducible.
    metadata = {"png": {"Software": None}, "pdf": {"CreationDate": None, "Producer": None}}
    for path in paths:
        with atomic_path(path) as tmp:
            suffix = str(path).rsplit(".", 1)[-1]
            fig.savefig(tmp, bbox_inches="tight", metadata=metadata.get(suffix))
    plt.close(fig)


def _symlog_eigen_axis(ax: plt.Axes, eigenvalues: np.ndarray, tol: float) -> None:
    """Symmetric-log y axis for a spectrum: linear within 1e-4 max|lambda| (at least tol).

    Ticks at 0 and every second decade beyond the linear band, so that labels never overlap.
    """
    top = float(np.abs(eigenvalues).max())
    linthresh = max(1e-4 * top, tol if np.isfinite(tol) else 0.0, 1e-300)
    ax.set_yscale("symlog", linthresh=linthresh)
    decades = 10.0 ** np.arange(
        np.ceil(np.log10(linthresh)) + 1, np.log10(max(top, linthresh)) + 1, 2
    )
    ax.set_yticks([*(-decades[::-1]), 0.0, *decades])


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
        hist = hist[drawable]
        pts = summary[summary["network"] == net]
        ax_loss, ax_grad, ax_eig = axes[:, col]
        ax_loss.plot(hist["step"], hist["loss"], color="C0", lw=1)
        ax_grad.plot(hist["step"], hist["grad_norm_sq"], color="C1", lw=1)
        for ax in (ax_loss, ax_grad):
            for r in pts[pts["point"] == "plateau"].itertuples():
                ax.axvspan(r.plateau_start, r.plateau_end, color="0.85", lw=0)
            if len(hist):  # a log axis needs something positive to draw
                ax.set_yscale("log")
        for j, r in enumerate(pts.itertuples()):
            marker = "o" if r.point == "plateau" else "s"
            if not 0 < r.loss < 1e100:  # diverged: say so, draw no point
                ax_loss.text(0.5, 0.5, f"{r.point} at step {r.step}", fontsize=7,
                             ha="center", transform=ax_loss.transAxes)  # fmt: skip
                continue
            ax_loss.plot(r.step, r.loss, marker, color=f"C{2 + j % 7}", ms=5)
            if np.isfinite(r.grad_norm_sq) and r.grad_norm_sq > 0:
                ax_grad.plot(r.step, r.grad_norm_sq, marker, color=f"C{2 + j % 7}", ms=5)
            label = (
                f"{r.n_negative:.0f} neg ({100 * r.index:.1f}%)"
                if np.isfinite(r.index)
                else r.status
            )
            where = {"ha": "left" if j == 0 else "right", "textcoords": "offset points"}
            ax_loss.annotate(label, (r.step, r.loss), fontsize=6, xytext=(-4, -10), **where)
            eig = eigenvalues[(eigenvalues["network"] == net) & (eigenvalues["step"] == r.step)]
            if not eig.empty:
                ax_eig.plot(eig["rank"], np.sort(eig["eigenvalue"].to_numpy()), ".", ms=1.5,
                            color=f"C{2 + j % 7}", label=f"step {r.step}")  # fmt: skip
        ax_loss.set(title=f"network {net}", xlabel="step", ylabel="loss" if col == 0 else "")
        ax_grad.set(xlabel="step", ylabel=r"$\|\nabla L\|^2$" if col == 0 else "")
        ax_eig.axhline(0.0, color="0.5", lw=0.6)
        mine = eigenvalues[eigenvalues["network"] == net]["eigenvalue"]
        if not mine.empty:
            _symlog_eigen_axis(ax_eig, mine.to_numpy(), float(pts["eig_tol"].max()))
            ax_eig.legend(fontsize=6, loc="upper left", markerscale=4)
        ax_eig.set(xlabel="eigenvalue rank", ylabel="Hessian eigenvalue" if col == 0 else "")
        if eigenvalues.empty:
            ax_eig.text(0.02, 0.5, "no eigenvalues drawn\n(counted by inertia, or diverged)",
                        fontsize=7, transform=ax_eig.transAxes)  # fmt: skip
    return fig


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
            analytic["loss"], analytic["index"], s=40, facecolors="none", edgecolors="0.6",
            label="analytic", zorder=1,
        )  # fmt: skip
        rows = table[table["method"] == method]
        for status, group in rows.groupby("status"):
            marker = "o" if status == Status.CRITICAL else "x"
            ax.scatter(
                group["loss"], group["index"], s=12, marker=marker,
                color=palette.get(status, "k"), label=f"{status} ({len(group)})", zorder=2,
            )  # fmt: skip
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


def symmetry(path: pd.DataFrame) -> plt.Figure:
    """The loss along the straight path from each network to its permuted twin, per dataset.

    Args:
        path: One row per path point (``dataset``, ``network``, ``permutation``, ``t``, ``loss``).

    Returns:
        One panel per dataset.
    """
    set_style()
    names = list(dict.fromkeys(path["dataset"]))
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.2), layout="constrained")
    for ax, name in zip(np.atleast_1d(axes), names, strict=True):
        rows = path[path["dataset"] == name]
        for (net, perm), g in rows.groupby(["network", "permutation"]):
            ax.plot(g["t"], g["loss"], lw=1.2, label=f"net {net}, permutation {perm}")
        ax.set(title=name, xlabel="t: (1 - t) theta + t pi(theta)", ylabel="training loss")
        ax.legend(fontsize=6)
    return fig


# Marker and colour of each kind of critical point (definiteness of the Hessian).
KIND_MARKERS = {
    Definiteness.POSITIVE_DEFINITE: ("o", "C2"), Definiteness.NEGATIVE_DEFINITE: ("^", "C3"),
    Definiteness.INDEFINITE: ("X", "C1"), Definiteness.POSITIVE_SEMIDEFINITE: ("s", "C0"),
    Definiteness.NEGATIVE_SEMIDEFINITE: ("s", "C4"), Definiteness.ZERO: ("*", "k"),
}  # fmt: skip


def toy_critical_points(table: pd.DataFrame) -> plt.Figure:
    """Contours of each gallery function with its critical points marked by their measured kind.

    Args:
        table: One row per point (``function``, ``x``, ``y``, ``measured``).

    Returns:
        One panel per function.
    """
    import torch

    from landscape.experiments.toys import GALLERY

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

    from landscape.experiments.toys import GALLERY

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


def deep_linear_toy(table: pd.DataFrame) -> plt.Figure:
    """The scalar deep linear losses: the valley and saddle of (1 - w1 w2)^2, and flatness.

    Args:
        table: The rows of :func:`landscape.experiments.deep_linear.toy_table` (``layers``,
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
    ax_c.plot(0, 0, "X", color="C1", ms=9,
              label=f"saddle: eigenvalues {origin.eig_1:g}, {origin.eig_2:g}")  # fmt: skip
    ax_c.set(xlabel="w1", ylabel="w2", title="(1 - w1 w2)^2", aspect="equal")
    ax_c.legend(fontsize=6, loc="lower left")
    ax_s.plot_surface(w1, w2, np.minimum(z, 4), cmap="viridis", linewidth=0, alpha=0.9)
    ax_s.set(xlabel="w1", ylabel="w2", zlabel="loss", title="surface (clipped at 4)")
    t = np.linspace(-1.5, 1.5, 301)
    ax_p.plot(t, (1 - t**2 / 2) ** 2, color="C0", label="2 layers, along (1, 1): curvature -2")
    ax_p.plot(t, (1 + t**2 / 2) ** 2, color="C0", ls=":", label="2 layers, along (1, -1)")
    ax_p.plot(t, (1 - t**3 / 3**1.5) ** 2, color="C2",
              label="3 layers, along (1, 1, 1): flat to 2nd order")  # fmt: skip
    flat = table[(table["layers"] == 3) & (table["where"] == "origin")].iloc[0]
    ax_p.set(xlabel="t (distance from the origin)", ylabel="loss", ylim=(0, 2.5),
             title=f"3 layers at the origin: eigenvalues {flat.eig_1:g}, {flat.eig_2:g}, "
             f"{flat.eig_3:g}")  # fmt: skip
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
    fig, axes = plt.subplots(1, len(datasets), figsize=(3.6 * len(datasets), 3.2),
                             layout="constrained", squeeze=False, sharey=True)  # fmt: skip
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
            ax.scatter(xs[~certified], gap[~certified], facecolor="none", edgecolor=f"C{i}",
                       s=14, label=f"width {width}, not certified")  # fmt: skip
        ax.axhline(gap_tolerance, color="0.4", ls="--", lw=0.8)
        ax.set(yscale="log", xlabel="hidden layers", title=name,
               xticks=sorted(table["depth"].unique()))  # fmt: skip
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
    fig, (ax, ax_n) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained",
                                   gridspec_kw={"width_ratios": [2.2, 1]})  # fmt: skip
    shapes = {"global minimum": "o", "strict saddle": "X", "flat saddle": "s"}
    depths = sorted(table["depth"].unique())
    for value in sorted(table.loc[table["source"].str.startswith("analytic"), "loss"].unique()):
        ax.axvline(value, color="0.88", lw=0.8, zorder=0)
    for i, depth in enumerate(depths):
        sub = table[table["depth"] == depth]
        color = f"C{i}"
        for kind, g in sub.groupby("kind"):
            marker = shapes.get(kind, "d")
            analytic = g["source"].str.startswith("analytic")
            ax.scatter(g.loc[analytic, "loss"], g.loc[analytic, "index"], s=70, marker=marker,
                       facecolor="none", edgecolor=color, lw=0.9)  # fmt: skip
            ax.scatter(g.loc[~analytic, "loss"], g.loc[~analytic, "index"], s=14, marker=marker,
                       color=color)  # fmt: skip
    handles = [plt.Line2D([], [], color=f"C{i}", marker="o", ls="", label=f"{d} hidden")
               for i, d in enumerate(depths)]  # fmt: skip
    handles += [plt.Line2D([], [], color="0.3", marker=m, ls="", label=k)
                for k, m in shapes.items()]  # fmt: skip
    handles += [plt.Line2D([], [], color="0.3", marker="o", mfc="none", ms=9, ls="",
                           label="analytic (hollow) / found (filled)")]  # fmt: skip
    ax.legend(handles=handles, fontsize=6, loc="upper left")
    ax.set(xlabel="loss", ylabel="index (fraction of negative eigenvalues)",
           title="critical points of deep linear networks")  # fmt: skip
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


def counting_argument(table: pd.DataFrame) -> plt.Figure:
    """log10 2^-N against N, with the pipeline's networks and the GOE Monte Carlo rates.

    Args:
        table: Rows of :func:`landscape.experiments.counting.counting_table`.

    Returns:
        Left: the whole range of the networks, labelled; right: small N with GOE rates.
    """
    set_style()
    fig, (ax, ax_small) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    nets = table[table["kind"] == "network"]
    top = int(nets["n_params"].max()) if len(nets) else 10
    n = np.arange(1, top + 1)
    for a in (ax, ax_small):
        a.plot(n, -n * np.log10(2.0), color="0.4", lw=1, label="2^-N (independent signs)")
    ax.scatter(nets["n_params"], nets["log10_p_independent"], color="C0", s=16, zorder=3)
    for j, r in enumerate(nets.itertuples()):
        ax.annotate(r.name, (r.n_params, r.log10_p_independent), fontsize=5,
                    xytext=(4, 6 if j % 2 else -9), textcoords="offset points")  # fmt: skip
    ax.set(xscale="log", xlabel="N (parameters)", ylabel="log10 P(all eigenvalues positive)",
           title="the pipeline's networks")  # fmt: skip
    goe = table[table["kind"] == "goe"]
    if len(goe):
        rate = goe["goe_rate"].to_numpy()
        lo, hi = goe["goe_low"].to_numpy(), goe["goe_high"].to_numpy()
        floor = 1e-12  # a size with no hit is drawn at its upper bound only
        y = np.log10(np.maximum(rate, floor))
        err = [y - np.log10(np.maximum(lo, floor)), np.log10(hi) - y]
        ax_small.errorbar(goe["n_params"], y, yerr=err, fmt="o", color="C3", ms=4,
                          label="GOE Monte Carlo")  # fmt: skip
        ax_small.set_xlim(0.5, goe["n_params"].max() + 0.5)
        ax_small.set_ylim(min(y.min(), -goe["n_params"].max() * np.log10(2.0)) - 0.5, 0.2)
    ax_small.set(xlabel="N", title="small N: random symmetric matrices")
    ax_small.legend(fontsize=7)
    return fig


def _empty_figure(message: str) -> plt.Figure:
    """A figure that says why it has nothing to draw."""
    fig, ax = plt.subplots(figsize=(5, 2))
    ax.text(0.5, 0.5, message, ha="center", va="center")
    ax.axis("off")
    return fig


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
        len(losses), len(datasets), figsize=(4.2 * len(datasets), 3.2 * len(losses)),
        squeeze=False, constrained_layout=True,
    )  # fmt: skip
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
                    grp["loss"], grp[value], s=18 if certified else 12, marker=marker,
                    color=colours.get(act), alpha=0.8 if certified else 0.35, label=label,
                    facecolors=None if certified or marker == "x" else "none",
                )  # fmt: skip
            ax.set_title(f"{dataset}, {loss}")
            # Searches that ran far uphill would squash the axis: it stops at 1.25 x the
            # largest starting loss, and the panel says how many end points lie beyond.
            if not certified_only and len(sub):
                right = 1.25 * float(sub["start_loss"].max())
                ax.set_xlim(left=0.0, right=right)
                beyond = int((sub["loss"] > right).sum())
                ax.text(0.98, 0.02, f"{beyond} end points beyond loss {right:.3g}",
                        transform=ax.transAxes, ha="right", fontsize=6)  # fmt: skip
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
        table: End points (:data:`landscape.experiments.index_vs_loss.COLUMNS`).
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
        points: :data:`landscape.experiments.index_vs_loss.SENSITIVITY_COLUMNS` rows.
        tests: :data:`landscape.experiments.index_vs_loss.TEST_COLUMNS` rows.
    """
    if points.empty:
        return _empty_figure("no certified critical point: no index to test")
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
            style = {"color": colour} if marker == "x" else {"edgecolors": colour,
                                                             "facecolors": face}  # fmt: skip
            ax_rho.scatter(x[r.tolerance], y, marker=marker, **style)
        med = points[points["case"] == case].groupby("tolerance")["index"].median()
        ax_idx.plot([x[t] for t in order if t in med], [med[t] for t in order if t in med],
                    "o-", color=colour, ms=3, lw=0.8)  # fmt: skip
    for ax in (ax_rho, ax_idx):
        ax.set_xticks(range(len(order)), order, fontsize=7)
        ax.set_xlabel("eigenvalue tolerance (negative: below -tol)")
    ax_rho.axhline(0, color="k", lw=0.5)
    ax_rho.set(ylabel="Spearman rho(loss, index)",
               title="filled: rho > 0 significant; hollow: not; x: too few points")  # fmt: skip
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
        return _empty_figure("no certified critical point: no spectrum to draw")
    if eigenvalues.empty:
        return _empty_figure("no eigenvalues: counted by inertia (curvature.spectrum: inertia)")
    fig, axes = plt.subplots(1, len(picks), figsize=(4 * len(picks), 3), squeeze=False,
                             constrained_layout=True)  # fmt: skip
    for ax, row in zip(axes[0], picks.itertuples(), strict=True):
        key = ["network", "method", "snapshot_step"]
        mask = (eigenvalues[key] == pd.Series([row.network, row.method, row.snapshot_step],
                                               index=key)).all(axis=1)  # fmt: skip
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


def index_fit(fits: pd.DataFrame, points: pd.DataFrame, min_loss: float, max_index: float
              ) -> plt.Figure:  # fmt: skip
    """Points of small index with the 3/2-law and free-exponent fits, per procedure and group.

    Args:
        fits: The fit table (procedure, group, status, eps_c, alpha0, exponent, ...).
        points: Every group's points, columns procedure, group, energy, index, and kept (False:
            an end point their procedure's cutoff left out, drawn as a cross).
        min_loss: The smallest energy fitted.
        max_index: The largest index fitted.
    """
    if fits.empty:
        return _empty_figure("no group to fit")
    cols = min(4, len(fits))
    rows = -(-len(fits) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.0 * rows), squeeze=False,
                             constrained_layout=True)  # fmt: skip
    for ax, fit in zip(axes.flat, fits.itertuples(), strict=False):
        sub = points[(points["group"] == fit.group) & (points["procedure"] == fit.procedure)]
        _index_fit_panel(ax, fit, sub, min_loss, max_index)
    for ax in list(axes.flat)[len(fits) :]:
        ax.axis("off")
    return fig


def _index_fit_panel(ax, fit, sub: pd.DataFrame, min_loss: float, max_index: float) -> None:
    """One group's points and fits (:func:`index_fit`)."""
    from landscape.experiments.index_fit import power_law

    out, sub = sub[~sub["kept"]], sub[sub["kept"]]
    if len(out):
        ax.scatter(out["energy"], out["index"], s=10, marker="x", color="0.75", lw=0.6,
                   label="above their cutoff")  # fmt: skip
    small = (sub["index"] > 0) & (sub["index"] <= max_index) & (sub["energy"] >= min_loss)
    if fit.eps_c_source == "theory":
        small &= sub["energy"] > fit.eps_c
        ax.axvline(fit.eps_c, color="0.5", lw=0.6, ls=":", label=f"theory eps_c = {fit.eps_c:.3g}")
    ax.scatter(sub.loc[~small, "energy"], sub.loc[~small, "index"], s=10, color="0.7",
               label="not fitted")  # fmt: skip
    ax.scatter(sub.loc[small, "energy"], sub.loc[small, "index"], s=14, label="fit set")
    if fit.status == "fitted":
        grid = np.linspace(fit.eps_c, sub.loc[small, "energy"].max() * 1.05, 200)
        ax.plot(grid, power_law(grid, fit.alpha0, fit.eps_c, 1.5), "k-", lw=1,
                label=f"3/2 law, eps_c = {fit.eps_c:.3g}")  # fmt: skip
        ax.plot(grid, power_law(grid, fit.alpha0_free, fit.eps_c_free, fit.exponent), "r--",
                lw=1, label=f"p = {fit.exponent:.2f} [{fit.exponent_low:.2f}, "
                f"{fit.exponent_high:.2f}]")  # fmt: skip
    ax.set_ylim(-0.005, max_index * 1.6)
    ax.set_title(f"{fit.procedure}: {fit.group}\n{fit.status} ({fit.points} points)", fontsize=7)
    ax.set_xlabel("energy (loss per target value)" if fit.setting == "memorisation" else "loss")
    ax.set_ylabel("index")
    ax.legend(fontsize=6, frameon=False)


def relu_trap(ends: pd.DataFrame, history: pd.DataFrame, perturb: pd.DataFrame) -> plt.Figure:
    """The trap's training loss against the contrast runs', and its perturbation test."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), constrained_layout=True)
    ax = axes[0]
    for init, grp in history.groupby("init", sort=False):
        trap = init == "trap"
        ax.plot(grp["step"], grp["loss"].clip(lower=1e-32), lw=2 if trap else 0.7,
                color="C3" if trap else "0.6", label="trap" if trap else None)  # fmt: skip
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


def relu_spurious(table: pd.DataFrame, published: list | None = None) -> plt.Figure:
    """Certified spurious-minimum rate against k, n = k and n = k + 1, with Wilson intervals.

    ``published`` (config ``relu_spurious.published``: {k, n, rate, runs} entries, Safran & Shamir
    2018's Table 1) is drawn beside the measured rates as open markers, in the same colours.
    """
    fig, ax = plt.subplots(figsize=(5, 3.4), constrained_layout=True)
    published = pd.DataFrame(published or [], columns=["k", "n", "rate", "runs"])
    labelled = False  # one legend entry for the published markers
    for extra, grp in table.groupby(table["n"] - table["k"]):
        grp = grp.sort_values("k")
        err = [
            grp["certified_fraction"] - grp["ci_low"],
            grp["ci_high"] - grp["certified_fraction"],
        ]
        line = ax.errorbar(grp["k"], grp["certified_fraction"], yerr=err, marker="o", capsize=3,
                           label="n = k" if extra == 0 else f"n = k + {extra}")  # fmt: skip
        ref = published[published["n"] - published["k"] == extra]
        if len(ref):
            label, labelled = (None if labelled else "published"), True
            ax.plot(ref["k"] + 0.15, ref["rate"], linestyle="none", marker="D", fillstyle="none",
                    color=line[0].get_color(), label=label)  # fmt: skip
    runs = int(table["runs"].min()) if len(table) else 0
    ax.set_xlabel("k (teacher units, input dimension)")
    ax.set_ylabel("certified spurious minima (fraction)")
    note = "" if len(published) else "; no published rates entered"
    ax.set_title(f"{runs} runs per case, 95% Wilson intervals{note}", fontsize=9)
    ax.legend(frameon=False)
    return fig


def index_vs_loss_scale(panels: list[tuple[str, pd.DataFrame | None]]) -> plt.Figure:
    """Section 4b at three sizes: index against loss, one panel per network size.

    Args:
        panels: (title, end points with :data:`landscape.experiments.index_vs_loss.COLUMNS`
            and, for the scale cases, ``case_seconds``, the job's search time from its timing
            file), in order of size; None draws a panel that says the size was not run in this
            config.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4), squeeze=False,
                             constrained_layout=True, sharey=True)  # fmt: skip
    for ax, (title, table) in zip(axes[0], panels, strict=True):
        if table is None:
            ax.text(0.5, 0.5, "not run in this config\n(workflow/config/paper.yaml runs it)",
                    ha="center", va="center", transform=ax.transAxes)  # fmt: skip
            ax.set_title(title, fontsize=9)
            ax.set_xticks([])
            continue
        certified = table[table["status"] == Status.CRITICAL]
        others = table[table["status"] != Status.CRITICAL]
        ax.scatter(others["loss"], others["index"], s=10, marker="x", color="0.6", alpha=0.5,
                   label=f"not certified ({len(others)})")  # fmt: skip
        ax.scatter(certified["loss"], certified["index"], s=18, color="C0",
                   label=f"certified ({len(certified)})")  # fmt: skip
        if "case_seconds" in table and len(table):
            seconds = float(table["case_seconds"].iloc[0])
            per = f"{seconds / len(certified):.0f} s" if len(certified) else "none certified"
            ax.text(0.98, 0.02, f"{seconds:.0f} s in all; per certified point: {per}",
                    transform=ax.transAxes, ha="right", fontsize=6)  # fmt: skip
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("loss at the end point")
        ax.legend(fontsize=6, frameon=False, loc="upper left")
    axes[0, 0].set_ylabel("index (fraction of negative eigenvalues)")
    fig.suptitle("Index against loss at three network sizes (certified: ||g||^2 <= threshold)")
    return fig
