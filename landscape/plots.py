"""One shared figure style, and one function per figure: a tidy table in, a figure out."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from landscape.io import atomic_path  # noqa: E402


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


def end_of_training(
    summary: pd.DataFrame, eigenvalues: pd.DataFrame, history: pd.DataFrame
) -> plt.Figure:
    """Loss and squared gradient norm over training, and the Hessian spectrum where it ended.

    Args:
        summary: One row per network (``network``, ``status``, ``index``, ``eig_tol``, ...).
        eigenvalues: One row per eigenvalue (``network``, ``rank``, ``eigenvalue``).
        history: One row per network and recorded step (``network``, ``step``, ``loss``,
            ``grad_norm_sq``).

    Returns:
        A three-panel figure.
    """
    set_style()
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2), layout="constrained")
    # Diverged networks' non-finite records cannot be drawn; the table keeps them.
    finite = np.isfinite(history["loss"]) & np.isfinite(history["grad_norm_sq"])
    hist = history[finite].assign(network=history.loc[finite, "network"].astype(str))
    sns.lineplot(hist, x="step", y="loss", hue="network", ax=axes[0], legend=False)
    axes[0].set(yscale="log", title="training loss")
    sns.lineplot(hist, x="step", y="grad_norm_sq", hue="network", ax=axes[1], legend=False)
    axes[1].set(yscale="log", ylabel=r"$\|\nabla L\|^2$", title="squared gradient norm")
    ax = axes[2]
    ax.set(xlabel="eigenvalue rank", ylabel="Hessian eigenvalue", title="spectrum at the end")
    if eigenvalues.empty:  # counted by inertia, or diverged: no eigenvalues, only the counts
        lines = [
            f"net {r.network}: index {r.index:.3f}, nullity {r.nullity}, {r.status}"
            for r in summary.itertuples()
        ]
        ax.text(0.02, 0.98, "no eigenvalues drawn\n" + "\n".join(lines), va="top", fontsize=7)
        return fig
    for net, g in eigenvalues.groupby("network"):
        row = summary.set_index("network").loc[net]
        label = f"net {net}: index {row['index']:.3f}, {row['status']}"
        ax.plot(g["rank"], g["eigenvalue"], ".", ms=2, label=label)
    # Linear within 1e-4 of the largest |eigenvalue|, logarithmic beyond, ticks every two decades.
    linthresh = max(1e-4 * eigenvalues["eigenvalue"].abs().max(), summary["eig_tol"].max(), 1e-300)
    ax.set_yscale("symlog", linthresh=linthresh)
    # Ticks at 0 and every second decade beyond the linear band, so that labels never overlap.
    top = max(eigenvalues["eigenvalue"].abs().max(), linthresh)
    decades = 10.0 ** np.arange(np.ceil(np.log10(linthresh)) + 1, np.log10(top) + 1, 2)
    ax.set_yticks([*(-decades[::-1]), 0.0, *decades])
    ax.axhline(0.0, color="0.5", lw=0.6)
    ax.legend(fontsize=6, loc="upper left")
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
    palette = {"critical": "C0", "gradient-flat": "C1", "not converged": "C3"}
    for ax, method in zip(axes, methods, strict=True):
        ax.scatter(
            analytic["loss"], analytic["index"], s=40, facecolors="none", edgecolors="0.6",
            label="analytic", zorder=1,
        )  # fmt: skip
        rows = table[table["method"] == method]
        for status, group in rows.groupby("status"):
            marker = "o" if status == "critical" else "x"
            ax.scatter(
                group["loss"], group["index"], s=12, marker=marker,
                color=palette.get(status, "k"), label=f"{status} ({len(group)})", zorder=2,
            )  # fmt: skip
        certified = (rows["status"] == "critical").mean()
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


def toy_critical_points(table: pd.DataFrame) -> plt.Figure:
    """Contours of each gallery function with its critical points marked by their measured kind.

    Args:
        table: One row per point (``function``, ``x``, ``y``, ``measured``).

    Returns:
        One panel per function.
    """
    import torch

    from landscape.toys import GALLERY

    set_style()
    fig, axes = plt.subplots(
        1, len(GALLERY), figsize=(2.6 * len(GALLERY), 2.8), layout="constrained"
    )
    markers = {
        "positive definite": ("o", "C2"), "negative definite": ("^", "C3"),
        "indefinite": ("X", "C1"), "positive semidefinite": ("s", "C0"),
        "negative semidefinite": ("s", "C4"), "zero": ("*", "k"),
    }  # fmt: skip
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
