"""Section 4c: Pennington & Bahri (2017)'s memorisation setting and the 3/2 law's fit groups.

A bias-free n-n-n tanh network memorises m Gaussian random inputs and Gaussian random targets,
at a ratio phi = (parameters) / (m n) = 2 n / m of parameters to target values; its critical
points are searched as in section 4b (:mod:`landscape.experiments.index_vs_loss.index_vs_loss`),
and the
index against the energy eps = loss / n is fitted to their 3/2 law
(:mod:`landscape.experiments.index_fit.index_fit`) on the groups :func:`fit_groups` makes: their
procedure (:func:`published_points`) and ours (certified, distinct critical points).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import torch

from landscape.base.options import FromConfig
from landscape.base.vocabulary import Status
from landscape.engine.models import MLP
from landscape.experiments.index_fit.index_fit import GroupKind, Procedure, critical_energy
from landscape.experiments.index_vs_loss.index_vs_loss import (
    COLUMNS,
    Problem,
    SearchOptions,
    case_label,
    distinct_critical_points,
)


def memorisation_problem(width: int, phi: float, seed: int) -> Problem:
    """Pennington & Bahri (2017)'s memorisation task at parameter-to-data ratio ``phi``.

    A bias-free width-width-width tanh network (P = 2 n^2 parameters) fits m Gaussian inputs
    x ~ N(0, I_n) to Gaussian targets y ~ N(0, I_n), with m = round(2 n / phi), so that
    phi = P / (m n), the number of parameters per target value. The actual ratio 2 n / m is
    what :func:`memorisation_phi` reports.
    """
    if width < 1 or not 0 < phi:
        raise ValueError(f"memorisation needs width >= 1 and phi > 0, got {width}, {phi}")
    m = max(1, round(2 * width / phi))
    gen = torch.Generator().manual_seed(int(seed))
    x = torch.randn(m, width, generator=gen, dtype=torch.float64)  # (m, n)
    y = torch.randn(m, width, generator=gen, dtype=torch.float64)  # (m, n)
    return Problem("gaussian", MLP((width, width, width), "tanh", bias=False), "mse", x, y)


def memorisation_phi(problem: Problem) -> float:
    """The ratio of parameters to target values, P / (m n)."""
    return problem.model.n_params / problem.y.numel()


@dataclass(frozen=True)
class MemorisationOptions(FromConfig):
    """The memorisation problems (config section ``index_fit``): one per phi."""

    width: int = 8  # n of the n-n-n network
    phis: tuple[float, ...] = ()  # asked ratios of parameters to target values
    seed: int = 0  # phi k's data are drawn from seed + k
    published_finder: str = "newton_mr"  # whose ends their procedure keeps
    published_cutoff: float = 1e-6  # their largest ||grad eps||^2

    def problem(self, k: int) -> Problem:
        """The problem at the k-th phi."""
        return memorisation_problem(self.width, self.phis[k], self.seed + k)


def memorisation_search_options(search: SearchOptions) -> SearchOptions:
    """Searches of one memorisation case (4c): both finders from every start.

    Gradient-norm minimisation and Newton-MR (its ``solver``, ``minres_maxiter`` and
    ``max_iter``) run from the same snapshots; ``index_fit.published_finder`` later names whose
    ends Pennington & Bahri's procedure keeps, and the certified procedure reads Newton-MR's.

    Args:
        search: The searches of the ``index_fit`` section (``SearchOptions.from_config``).
    """
    return replace(search, methods=("gradient_norm", "newton_mr"))


# The memorisation table: every end point's columns, its phi, and its energy in Pennington &
# Bahri's normalisation (eps = loss / n, the loss per target value) with ||grad eps||^2.
MEMORISATION_COLUMNS = ["phi", *COLUMNS, "energy", "energy_grad_norm_sq"]


def with_energy(table: pd.DataFrame, outputs: int) -> pd.DataFrame:
    """``table`` with Pennington & Bahri's energy eps = loss / n and ||grad eps||^2 = ||g||^2 / n^2.

    Our squared loss is 1/(2m) sum_i ||f(x_i) - y_i||^2 (:func:`landscape.engine.models.make_loss`);
    theirs is the same per target value, divided by the n = ``outputs`` outputs.
    """
    out = table.copy()
    out["energy"] = out["loss"] / outputs
    out["energy_grad_norm_sq"] = out["grad_norm_sq"] / outputs**2
    return out


@dataclass(frozen=True)
class FitGroup:
    """The points one 3/2-law fit is made on."""

    procedure: Procedure
    kind: GroupKind
    setting: str  # memorisation | small MLP
    group: str  # phi 0.250 | digits 16-4-10 tanh mse
    phi: float  # NaN for the small MLPs
    points: pd.DataFrame  # columns energy, index (and the end point's own)
    eps_c: float | None  # the theory's critical energy; None: fitted


def published_points(
    memorisation: pd.DataFrame, cutoff: float, finder: str, above: bool = False
) -> pd.DataFrame:
    """Pennington & Bahri's points: ends of a ||grad L||^2 minimiser with ||grad eps||^2 <= cutoff.

    Their procedure (Sec. 6) locates points by minimising the squared gradient norm and keeps
    those under a cutoff. ``finder`` names the search whose ends are theirs
    (config ``index_fit.published_finder``): ``gradient_norm`` (gradient descent on ||g||^2 with
    a backtracking line search) or ``newton_mr``, a Gauss-Newton method on the same objective
    (its step minimises ||g + H p||, its line search ||g||^2; Roosta et al. 2018, Alg. 1). Their
    index is the plain fraction of negative eigenvalues (round-off tolerance), whatever the
    point's certification; every kept end counts (no deduplication). With ``above``, the ends
    the cutoff leaves out instead (for the figure).
    """
    ends = memorisation[
        (memorisation["method"] == finder) & (memorisation["status"] != Status.DIVERGED)
    ]
    under = ends["energy_grad_norm_sq"] <= cutoff
    kept = ends[~under if above else under].copy()
    kept["index"] = kept["n_negative_roundoff"] / kept["n_params"]
    return kept


def fit_groups(
    memorisation: pd.DataFrame, mlp: pd.DataFrame, cutoff: float, finder: str
) -> list[FitGroup]:
    """The groups the 3/2 law is fitted on (4c), each procedure's in turn.

    Their procedure: every memorisation phi, on :func:`published_points`, with the theory's
    eps_c. Certified: every memorisation phi (eps_c from theory), then every 4b case (eps_c
    fitted: no theory gives it), on distinct certified critical points.

    Args:
        memorisation: All end points of the memorisation runs (:data:`MEMORISATION_COLUMNS`).
        mlp: All end points of the small MLPs (:data:`COLUMNS`).
        cutoff: Their procedure's largest ||grad eps||^2 (config ``index_fit.published_cutoff``).
        finder: The search whose ends their procedure keeps (``index_fit.published_finder``).

    Returns:
        Every group, in order; a group with no point is kept, with an empty table.
    """
    phis = sorted(memorisation["phi"].unique())
    published = published_points(memorisation, cutoff, finder)
    # Certified: Newton-MR's critical ends only (gradient-norm minimisation certifies too rarely
    # to be ours; its ends serve their procedure when it is the published_finder).
    memo = distinct_critical_points(memorisation[memorisation["method"] == "newton_mr"])
    crit = distinct_critical_points(mlp).assign(energy=lambda t: t["loss"])
    labels = crit.apply(case_label, axis=1) if len(crit) else pd.Series(dtype=str)
    groups = []
    for procedure, table in ((Procedure.PUBLISHED, published), (Procedure.CERTIFIED, memo)):
        groups += [
            FitGroup(
                procedure,
                GroupKind.MEMORISATION,
                "memorisation",
                f"phi {phi:.3f}",
                phi,
                table[table["phi"] == phi],
                float(critical_energy(phi)),
            )
            for phi in phis
        ]
    cases = mlp.drop_duplicates(["dataset", "architecture", "loss_function"])
    for case in sorted(cases.itertuples(), key=case_label):
        label = case_label(case)
        groups.append(
            FitGroup(
                Procedure.CERTIFIED,
                GroupKind(case.loss_function),
                "small MLP",
                label,
                float("nan"),
                crit[labels == label],
                None,
            )
        )
    return groups
