"""The shared figure style, and the helpers every experiment's figures use."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402

from landscape.base.io import atomic_path  # noqa: E402


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


def symlog_eigen_axis(ax: plt.Axes, eigenvalues: np.ndarray, tol: float) -> None:
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


def empty_figure(message: str) -> plt.Figure:
    """A figure that says why it has nothing to draw."""
    fig, ax = plt.subplots(figsize=(5, 2))
    ax.text(0.5, 0.5, message, ha="center", va="center")
    ax.axis("off")
    return fig
