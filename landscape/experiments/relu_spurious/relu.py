"""Section 3b: spurious minima of two-layer ReLU teacher-student networks (Safran & Shamir 2018).

Inputs x ~ N(0, I_d); the teacher is y = sum_{i<=k} [v_i . x]_+ with v_i = e_i (d = k); the
student sum_{j<=n} [w_j . x]_+ trains W only, on the population loss
F(W) = 1/2 E[(student - teacher)^2] in closed form
(:func:`landscape.engine.theory.relu_population_loss`). Hundreds of runs per (k, n) descend at once
from W ~ N(0, 1/d). A run that ends, converged, at F >= ``spurious_loss`` sits in a spurious
minimum; its exact Hessian certifies it.

Stopping rule. Runs heading for a global minimum crawl when n > k (the minima are not isolated).
Gradient descent here is checked to be monotone (the loss is recorded every step and any
increase is counted); a monotone run whose loss has fallen below ``spurious_loss`` can never end
at a loss >= ``spurious_loss``, so it is stopped once F <= ``early_stop_loss`` (a margin below
that threshold) and labelled ``below threshold``: its classification is already decided. A run
whose loss ever rose (by more than 1e-12 relative) is never stopped early.

Polish. Near a spurious minimum gradient descent converges linearly at the rate of the smallest
Hessian eigenvalue (~0.005 for k = 12), i.e. tens of thousands of steps to ||grad F|| = 1e-9. A
run with F >= spurious_loss and ||grad F|| <= polish_grad whose exact Hessian is positive definite
there is finished by Newton steps on the closed form; one whose Hessian has a negative eigenvalue
is near a saddle that gradient descent will leave, so it keeps descending (Newton would converge
to the saddle), and is checked again ``polish_recheck`` steps later. Every end point is then
certified like any other (gradient and smallest Hessian eigenvalue).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd
import torch

from landscape.base.options import FromConfig, Numerics
from landscape.base.runlog import Progress
from landscape.engine import census_step
from landscape.engine.critical import FinderOptions, Status, certify, distance_tolerances
from landscape.engine.spectrum import eigen_tolerance, summarize_spectrum
from landscape.engine.stats import wilson_interval
from landscape.engine.theory import relu_population_loss

RUN_COLUMNS = [
    "k",
    "n",
    "run",
    "status",
    "loss",
    "grad_norm",
    "steps",
    "learning_rate",
    "restarts",
    "loss_increases",
    "spurious",
    "min_hessian_eigenvalue",
    "eig_tol",
    "eig_tol_distance",
    "certified",
]
CASE_COLUMNS = [
    "k",
    "n",
    "runs",
    "spurious",  # candidates: converged at loss >= spurious_loss
    "certified_fraction",  # certified minima / runs: the census's rate
    "certified",  # candidates certified as local minima (certify_minima)
    "mean_spurious_loss",  # over the certified minima
    "min_hessian_eigenvalue",  # over the certified minima
    "ci_low",  # 95% Wilson interval of certified_fraction
    "ci_high",
    "below_threshold",
    "converged",
    "not_converged",
    "restarted",
]


# End points certified at once by :func:`certify_minima` (memory: about 4 (n d)^2 floats each).
CERTIFY_CHUNK = 32


class CensusStatus(StrEnum):
    """How a census run ended (see :func:`descend`); written to the tables as its value."""

    DESCENDING = "descending"  # still running (never written)
    CONVERGED = "converged"  # ||grad F|| <= grad_tol
    BELOW_THRESHOLD = "below threshold"  # F <= early_stop_loss on a monotone run
    DIVERGED = Status.DIVERGED.value  # non-finite or exploding after every restart
    NOT_CONVERGED = Status.NOT_CONVERGED.value  # still moving after max_steps


@dataclass(frozen=True)
class CensusOptions(FromConfig):
    """Descent and classification of the teacher-student census (config ``relu_spurious``)."""

    runs: int = 200  # runs per (k, n), batched
    learning_rate: float = 0.1  # step size (halved for a run that diverges, then restarted)
    grad_tol: float = 1e-9  # ||grad F|| below this: converged
    spurious_loss: float = 1e-3  # a converged run with F >= this is in a spurious minimum
    early_stop_loss: float = 1e-4  # a monotone run below this is stopped (see module docstring)
    polish_grad: float = 1e-5  # ||grad F|| below this with F >= spurious_loss: Newton polish
    polish_steps: int = 30  # Newton steps of the polish at most
    polish_recheck: int = 1000  # steps before a run near a saddle is checked again
    max_steps: int = 200_000  # steps at most; runs still moving are labelled not converged
    restarts: int = 3  # halvings of the step at most
    seed: int = 0  # base seed; case (k, n) draws from seed * 1_000_003 + 1_000 k + n


def teacher(k: int) -> torch.Tensor:
    """v_i = e_i, i = 1..k, in d = k dimensions: (k, k)."""
    return torch.eye(k, dtype=torch.float64)


def initial_weights(k: int, n: int, runs: int, seed: int) -> torch.Tensor:
    """Xavier-style W ~ N(0, 1/d) for every run: (runs, n, d), from the case's own seed."""
    gen = torch.Generator().manual_seed(seed * 1_000_003 + 1_000 * k + n)
    return torch.randn(runs, n, k, generator=gen, dtype=torch.float64) / k**0.5


def _kernel_terms(a: torch.Tensor, b: torch.Tensor):
    """Norms, cosines, sines and angles between the rows of a (..., m, d) and b (..., p, d)."""
    na, nb = a.norm(dim=-1), b.norm(dim=-1)  # (..., m), (p,)
    cos = (a @ b.mT) / (na[..., :, None] * nb[..., None, :]).clamp_min(1e-300)
    cos = cos.clamp(-1.0, 1.0)  # (..., m, p)
    sin = (1 - cos * cos).clamp_min(0.0).sqrt()
    return na, nb, cos, sin, torch.arccos(cos)


def population_value_and_grad(w: torch.Tensor, v: torch.Tensor):
    """F(W) and its gradient for a batch of students, in closed form.

    With K(w, u) = ||w|| ||u|| (sin t + (pi - t) cos t) / (2 pi) and its gradient
    grad_w K(w, u) = (||u|| sin t w / ||w|| + (pi - t) u) / (2 pi) (t the angle between w and u),

        grad_{w_j} F = sum_{l != j} grad_w K(w_j, w_l) + w_j / 2 - sum_i grad_w K(w_j, v_i).

    No derivative of the angle is taken, so the formula holds up to aligned vectors, where the
    autograd form of :func:`landscape.engine.theory.relu_population_loss` needs care.

    Args:
        w: Students (R, n, d).
        v: Teacher (k, d).

    Returns:
        (losses (R,), gradients (R, n, d)).
    """
    n = w.shape[-2]
    off = ~torch.eye(n, dtype=torch.bool, device=w.device)
    nw, _, c_ww, s_ww, t_ww = _kernel_terms(w, w)  # (R, n), ., (R, n, n)
    nw_, nv, c_wv, s_wv, t_wv = _kernel_terms(w, v)  # (R, n, k)
    g_ww = torch.where(off, s_ww + (torch.pi - t_ww) * c_ww, 0.0)
    k_ww = nw[..., :, None] * nw[..., None, :] * g_ww / (2 * torch.pi)  # off-diagonal
    k_wv = nw[..., :, None] * nv[None, None, :] * (s_wv + (torch.pi - t_wv) * c_wv) / (2 * torch.pi)
    _, _, c_vv, s_vv, t_vv = _kernel_terms(v[None], v)
    kk = v.shape[0]
    off_v = ~torch.eye(kk, dtype=torch.bool, device=v.device)
    k_vv = nv[:, None] * nv[None, :] * (s_vv + (torch.pi - t_vv) * c_vv)[0] / (2 * torch.pi)
    c_teacher = torch.where(off_v, k_vv, 0.0).sum() + 0.5 * (v * v).sum()
    loss = 0.5 * (k_ww.sum((-2, -1)) + 0.5 * (nw * nw).sum(-1) - 2 * k_wv.sum((-2, -1)) + c_teacher)
    unit = w / nw[..., None].clamp_min(1e-300)  # (R, n, d)
    # sum_l ||w_l|| sin t_jl (over l != j) times w_j / ||w_j||, plus sum_l (pi - t_jl) w_l
    a_ww = torch.where(off, s_ww, 0.0) @ nw[..., None]  # (R, n, 1)
    b_ww = torch.where(off, torch.pi - t_ww, 0.0) @ w  # (R, n, d)
    a_wv = s_wv @ nv[:, None]  # (R, n, 1)
    b_wv = (torch.pi - t_wv) @ v  # (R, n, d)
    grad = ((a_ww - a_wv) * unit + b_ww - b_wv) / (2 * torch.pi) + 0.5 * w
    return loss, grad


def _exact_hessian(w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """The exact Hessian (n d, n d) of F at one student w (n, d), in closed form.

    :func:`landscape.engine.census_step.population_hessian`; tested against autograd of
    :func:`landscape.engine.theory.relu_population_loss`.
    """
    return census_step.population_hessian(w[None], v)[0]


def step_function(v: torch.Tensor, device: torch.device, reference: bool = False):
    """W (A, n, d) -> (F (A,), grad F (A, n, d)) for the census's descent.

    On the CPU the fused step of :func:`landscape.engine.census_step.value_and_grad`; elsewhere, or
    with ``reference``, :func:`population_value_and_grad` (today's torch path, the reference).
    """
    if reference or device.type != "cpu":
        return lambda w: population_value_and_grad(w, v)
    v_np = v.numpy()
    constant = census_step.teacher_constant(v_np)
    workspace: list[census_step.Workspace] = []  # made at the first step (n is known there)

    def fused(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if not workspace:
            workspace.append(census_step.Workspace(w.shape[1], *v_np.shape))
        f, g = census_step.value_and_grad(w.numpy(), v_np, constant, workspace[0])
        return torch.from_numpy(f), torch.from_numpy(g)

    return fused


def _newton_polish(w: torch.Tensor, v: torch.Tensor, opts: CensusOptions):
    """Newton steps w - H^+ g on the closed form until ||g|| <= grad_tol, kept if ||g|| falls.

    Returns:
        (w, F, ||g||).
    """
    n, d = w.shape
    f, g = population_value_and_grad(w[None], v)
    gn = g.norm()
    for _ in range(opts.polish_steps):
        if gn <= opts.grad_tol:
            break
        lam, vecs = torch.linalg.eigh(_exact_hessian(w, v))
        keep = lam.abs() > 1e-12 * lam.abs().max()
        coef = vecs.T @ g.flatten()
        step = vecs @ torch.where(keep, coef / torch.where(keep, lam, 1.0), 0.0)
        trial = w - step.reshape(n, d)
        ft, gt = population_value_and_grad(trial[None], v)
        if not gt.norm() < gn:
            break
        w, f, g, gn = trial, ft, gt, gt.norm()
    return w, f[0], gn


# The run states of :func:`descend`, by code (3 is unused).
_STATES = (
    CensusStatus.DESCENDING,
    CensusStatus.CONVERGED,
    CensusStatus.BELOW_THRESHOLD,
    None,
    CensusStatus.DIVERGED,
    CensusStatus.NOT_CONVERGED,
)


@dataclass
class _Descent:
    """The per-run state of :func:`descend`: R runs, each a row of every tensor.

    ``state`` codes index :data:`_STATES`: 0 descending, 1 converged, 2 below threshold,
    4 diverged, 5 not converged.
    """

    w0: torch.Tensor  # (R, n, d) the starts
    w: torch.Tensor  # (R, n, d) the current points
    lr: torch.Tensor  # (R,) step sizes
    restarts: torch.Tensor  # (R,) restarts so far
    steps: torch.Tensor  # (R,) steps since the last (re)start
    increases: torch.Tensor  # (R,) steps at which F rose
    loss: torch.Tensor  # (R,) F at the current point
    gnorm: torch.Tensor  # (R,) ||grad F|| there
    state: torch.Tensor  # (R,) run state codes
    next_check: torch.Tensor  # (R,) earliest step of a run's next polish check

    @classmethod
    def start(cls, w0: torch.Tensor, learning_rate: float) -> _Descent:
        """Every run descending from its start, at ``learning_rate``."""
        runs = w0.shape[0]
        real = {"dtype": w0.dtype, "device": w0.device}  # per-run state lives beside the weights
        count = {"dtype": torch.long, "device": w0.device}
        return cls(
            w0=w0,
            w=w0.clone(),
            lr=torch.full((runs,), learning_rate, **real),
            restarts=torch.zeros(runs, **count),
            steps=torch.zeros(runs, **count),
            increases=torch.zeros(runs, **count),
            loss=torch.full((runs,), torch.inf, **real),
            gnorm=torch.full((runs,), torch.inf, **real),
            state=torch.zeros(runs, **count),
            next_check=torch.zeros(runs, **count),
        )

    def record(self, idx: torch.Tensor, f: torch.Tensor, gn: torch.Tensor) -> torch.Tensor:
        """Record F and ||grad F|| of runs ``idx``; the mask of those whose values are sane."""
        ok = torch.isfinite(f) & ~(f > 1e6)
        self.increases[idx] += (ok & (f > self.loss[idx] * (1 + 1e-12))).long()
        self.loss[idx] = torch.where(ok, f, self.loss[idx])
        self.gnorm[idx] = torch.where(ok, gn, self.gnorm[idx])
        return ok

    def restart(self, runs: list[int], limit: int) -> None:
        """Restart ``runs`` from their starts with half the step; past ``limit``: diverged."""
        for j in runs:
            if self.restarts[j] >= limit:
                self.state[j] = 4
                continue
            self.restarts[j] += 1
            self.lr[j] /= 2
            self.w[j], self.steps[j], self.loss[j], self.increases[j] = self.w0[j], 0, torch.inf, 0

    def result(self) -> dict[str, torch.Tensor]:
        """The runs' ends, as :func:`descend` returns them.

        Per run: params, loss, grad_norm, steps, learning_rate, restarts, loss_increases,
        status (list of :class:`CensusStatus`).
        """
        return {
            "params": self.w,
            "loss": self.loss,
            "grad_norm": self.gnorm,
            "steps": self.steps,
            "learning_rate": self.lr,
            "restarts": self.restarts,
            "loss_increases": self.increases,
            "status": [_STATES[int(s)] for s in self.state],
        }


def _polish_candidates(
    run: _Descent,
    idx: torch.Tensor,
    cand: torch.Tensor,
    step: int,
    v: torch.Tensor,
    opts: CensusOptions,
) -> None:
    """Polish the candidate runs at a local minimum (smallest eigenvalue above its tolerance).

    A candidate near a saddle (or a degenerate point) keeps descending, and is checked again
    ``polish_recheck`` steps later; one whose Newton polish reaches ``grad_tol`` converges.
    """
    for a in cand.nonzero()[:, 0].tolist():
        j = int(idx[a])
        lam = torch.linalg.eigvalsh(_exact_hessian(run.w[j], v))
        run.next_check[j] = step + opts.polish_recheck
        if float(lam[0]) <= float(eigen_tolerance(lam, 10.0)):
            continue
        wj, fj, gj = _newton_polish(run.w[j], v, opts)
        if gj <= opts.grad_tol:
            run.w[j], run.loss[j], run.gnorm[j], run.state[j] = wj, fj, gj, 1


def _decide(
    run: _Descent,
    idx: torch.Tensor,
    f: torch.Tensor,
    gn: torch.Tensor,
    ok: torch.Tensor,
    step: int,
    v: torch.Tensor,
    opts: CensusOptions,
) -> None:
    """Decide runs ``idx``: converged, below threshold, or polished to a certified minimum."""
    conv = ok & (gn <= opts.grad_tol)
    low = ok & ~conv & (f <= opts.early_stop_loss) & (run.increases[idx] == 0)
    run.state[idx] = torch.where(conv, 1, torch.where(low, 2, run.state[idx]))
    cand = ok & ~conv & (gn <= opts.polish_grad) & (f >= opts.spurious_loss)
    cand &= run.next_check[idx] <= step
    _polish_candidates(run, idx, cand, step, v, opts)


def descend(
    w0: torch.Tensor,
    v: torch.Tensor,
    opts: CensusOptions,
    log: Callable[[str], None] = print,
    reference: bool = False,
) -> dict[str, torch.Tensor]:
    """Batched gradient descent on F from every start until each run is decided.

    A run stops when ||grad F|| <= grad_tol (``converged``), when F <= early_stop_loss
    (``below threshold``), or after max_steps (``not converged``). A run whose loss turns
    non-finite or grows above 10^6 restarts from its start with half the step, at most
    ``restarts`` times (then ``diverged``).

    Progress goes to ``log`` every :data:`landscape.base.runlog.PROGRESS_SECONDS`: the step, the
    runs still descending, their median and smallest ||grad F||, the time left at most (max_steps).

    Args:
        w0: Starts (R, n, d).
        v: Teacher (k, d).
        opts: The census options.
        log: Progress callback.
        reference: Step with :func:`population_value_and_grad` on the CPU too (see
            :func:`step_function`).

    Returns:
        Per run: params (R, n, d), loss, grad_norm, steps, learning_rate, restarts,
        loss_increases (steps at which F rose), status (list of str).
    """
    value_and_grad = step_function(v, w0.device, reference)
    run = _Descent.start(w0, opts.learning_rate)
    progress = Progress(log, opts.max_steps)
    for step in range(opts.max_steps + 1):
        idx = (run.state == 0).nonzero()[:, 0]
        if len(idx) == 0:
            break
        # Only the runs still descending are evaluated (most finish early).
        wa = run.w[idx]  # (A, n, d)
        f, g = value_and_grad(wa)  # (A,), (A, n, d)
        gn = g.flatten(1).norm(dim=1)  # (A,)
        ok = run.record(idx, f, gn)
        if not ok.all():
            run.restart(idx[~ok].tolist(), opts.restarts)
        _decide(run, idx, f, gn, ok, step, v, opts)
        move = ok & (run.state[idx] == 0)
        if step == opts.max_steps:
            run.state[idx[move]] = 5
            break
        mi = idx[move]
        run.w[mi] = wa[move] - run.lr[mi, None, None] * g[move]
        run.steps[mi] += 1
        if progress.due():
            _report(progress, step, gn[move], len(mi), w0.shape[0])
    return run.result()


def _report(progress: Progress, step: int, live: torch.Tensor, moving: int, runs: int) -> None:
    """One progress line: the runs still descending and their ||grad F||."""
    median = f"{float(live.median()):.2e}" if len(live) else "-"
    smallest = f"{float(live.min()):.2e}" if len(live) else "-"
    progress.report(
        step,
        f"    step {step}: {moving} of {runs} runs still descending, "
        f"||grad F|| median {median}, smallest {smallest}",
    )


def certify_minima(
    points: torch.Tensor, grad_norms: torch.Tensor, v: torch.Tensor, numerics: Numerics
) -> list[tuple[float, float, float, bool]]:
    """Certify end points as local minima: ||g||^2 and the smallest Hessian eigenvalue.

    A point is a certified minimum when ||grad F||^2 <= ``numerics.grad_norm_sq_threshold`` and
    its smallest Hessian eigenvalue is above the derived tolerance (round-off plus the distance
    term sqrt(M ||g||) of :mod:`landscape.engine.critical`, M measured on the closed-form Hessian).

    Args:
        points: End points (S, n, d).
        grad_norms: Their ||grad F|| (S,).
        v: Teacher (k, d).
        numerics: The ``numerics`` section.

    Returns:
        Per point: (smallest eigenvalue, derived tolerance, its distance part, certified).
    """
    if len(points) > CERTIFY_CHUNK:  # bounded memory: see CERTIFY_CHUNK
        return [
            c
            for s in range(0, len(points), CERTIFY_CHUNK)
            for c in certify_minima(
                points[s : s + CERTIFY_CHUNK], grad_norms[s : s + CERTIFY_CHUNK], v, numerics
            )
        ]
    if len(points) == 0:
        return []
    size, n, d = points.shape
    flat = points.reshape(size, n * d)

    def hessians(theta: torch.Tensor) -> torch.Tensor:  # (S, P) -> (S, P, P)
        return census_step.population_hessian(theta.reshape(-1, n, d), v)

    hessians.batched = True
    options = FinderOptions(hessian_chunk=None)
    distance = distance_tolerances(
        lambda t: relu_population_loss(t.reshape(n, d), v), hessians, flat, options
    )
    h = hessians(flat)  # (S, P, P); NaN at a zero student row
    finite = torch.isfinite(h).all(-1).all(-1) & torch.isfinite(distance)  # (S,)
    lam = torch.linalg.eigvalsh(torch.where(finite[:, None, None], h, 0.0))  # (S, P)
    out = []
    for j in range(size):
        s = summarize_spectrum(lam[j], numerics.eigen_tolerance_factor, distance=float(distance[j]))
        g2 = float(grad_norms[j]) ** 2
        critical = certify(g2, numerics.grad_norm_sq_threshold) == Status.CRITICAL
        certified = bool(finite[j]) and critical and s.lambda_min > s.eig_tol
        out.append((s.lambda_min, s.eig_tol, float(distance[j]), certified))
    return out


def census_case(
    k: int,
    n: int,
    opts: CensusOptions,
    numerics: Numerics,
    log: Callable[[str], None] = print,
    device: str | torch.device = "cpu",
) -> tuple[dict, pd.DataFrame]:
    """All runs of one (k, n) case, classified; spurious end points certified by the Hessian.

    Args:
        k: Teacher width (and input dimension).
        n: Student width.
        opts: The census options.
        numerics: The typed ``numerics`` section (certification threshold, eigenvalue
            tolerance factor).
        log: Progress callback.
        device: Where the descent and the Hessians run; the starts are drawn on the CPU, so
            every device starts from the same weights.

    Returns:
        (the case's summary row, columns :data:`CASE_COLUMNS`; per-run rows, :data:`RUN_COLUMNS`).
    """
    v = teacher(k).to(device)
    w0 = initial_weights(k, n, opts.runs, opts.seed).to(device)
    res = descend(w0, v, opts, log)
    flagged = [
        r
        for r in range(opts.runs)
        if res["status"][r] == CensusStatus.CONVERGED
        and float(res["loss"][r]) >= opts.spurious_loss
    ]
    checks = certify_minima(res["params"][flagged], res["grad_norm"][flagged], v, numerics)
    checks = dict(zip(flagged, checks, strict=True))
    runs = _run_table(k, n, res, checks, opts.runs)
    summary = _case_summary(k, n, runs)
    sp = runs[runs["spurious"]]
    log(
        f"k = {k}, n = {n}: {len(sp)}/{len(runs)} spurious ({summary['certified']} certified "
        f"minima), {summary['below_threshold']} stopped below threshold, "
        f"{summary['not_converged']} not converged"
    )
    return summary, runs


def _run_table(k: int, n: int, res: dict, checks: dict, runs: int) -> pd.DataFrame:
    """One row per run (:data:`RUN_COLUMNS`); ``checks`` holds the flagged runs' certification."""
    rows = []
    for r in range(runs):
        min_eig, tol, distance, certified = checks.get(r, (float("nan"),) * 3 + (False,))
        rows.append(
            {
                "k": k,
                "n": n,
                "run": r,
                "status": res["status"][r],
                "loss": float(res["loss"][r]),
                "grad_norm": float(res["grad_norm"][r]),
                "steps": int(res["steps"][r]),
                "learning_rate": float(res["learning_rate"][r]),
                "restarts": int(res["restarts"][r]),
                "loss_increases": int(res["loss_increases"][r]),
                "spurious": r in checks,
                "min_hessian_eigenvalue": min_eig,
                "eig_tol": tol,
                "eig_tol_distance": distance,
                "certified": certified,
            }
        )
    return pd.DataFrame(rows, columns=RUN_COLUMNS)


def _case_summary(k: int, n: int, runs: pd.DataFrame) -> dict:
    """The case's row (:data:`CASE_COLUMNS`) from its runs; the rate counts certified minima."""
    minima = runs[runs["certified"]]
    certified = len(minima)
    low, high = wilson_interval(certified, len(runs))
    nan = float("nan")
    return {
        "k": k,
        "n": n,
        "runs": len(runs),
        "spurious": int(runs["spurious"].sum()),
        "certified_fraction": certified / len(runs),
        "certified": certified,
        "mean_spurious_loss": float(minima["loss"].mean()) if certified else nan,
        "min_hessian_eigenvalue": (
            float(minima["min_hessian_eigenvalue"].min()) if certified else nan
        ),
        "ci_low": low,
        "ci_high": high,
        "below_threshold": int((runs["status"] == CensusStatus.BELOW_THRESHOLD).sum()),
        "converged": int((runs["status"] == CensusStatus.CONVERGED).sum()),
        "not_converged": int((runs["status"] == CensusStatus.NOT_CONVERGED).sum()),
        "restarted": int((runs["restarts"] > 0).sum()),
    }
