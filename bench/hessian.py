"""Benchmark: exact Hessians of tanh MLPs on digits, ours against the reference ways.

Cases: one-hidden-layer tanh MLPs ``MLP((64, h, 10), "tanh")`` with P = 75 h + 10 parameters, on
all 1,797 digits (``make_digits(test_fraction=0.0)``), cross-entropy loss, float64, LeCun-normal
parameters of seed 0. Measured in one run, per size:

* ``ours``: ``make_hessian(..., method="structured")(theta)``, the structured assembly.
* ``grad``: one gradient ``torch.func.grad(loss_fn)(theta)``, averaged over several calls; the
  ``grad_multiple`` column of ``ours`` is the cost of ours in gradient evaluations.
* ``a_row_backward``: (a) row by row, one double backward per row of H. Above
  ``--full-rows-max`` parameters only the first ``--rows`` rows are timed and the time is
  extrapolated linearly to all P rows (said in ``note``).
* ``b_func_hessian``: (b) ``torch.func.hessian(loss_fn)(theta)``; its failure (out of memory under
  the address-space limit) is recorded with seconds = NaN. Skipped above 5,000 parameters unless
  ``--func-hessian-large``.
* ``c_vmap_hvp``: (c) ``make_hessian(..., method="hvp")(theta)``, vmap over forward-over-reverse
  HVPs in chunks of 256 basis vectors. Above ``--hvp-full-max`` parameters only the first
  ``--hvp-vectors`` basis vectors are timed and the time extrapolated (said in ``note``).
* ``eigvalsh``: ``torch.linalg.eigvalsh(H)`` alone, on ours' H; the same process checks that
  ``inertia(H, 10, norm=max|lambda|)`` gives the counts of ``summarize_spectrum(eigs, 10)``.
* ``inertia``: ``landscape.engine.spectrum.inertia(H, 10.0)`` (norm estimated by Lanczos), timed.
* ``ours+eigvalsh``: ours' assembly followed by eigvalsh: the time to the full spectrum.

Every measurement runs in a fresh child process (this script with a hidden flag), so that its
peak memory can be read as the growth of ``ru_maxrss`` over a baseline taken after the data, the
model and a tiny warm-up are in place (``peak_mb``, MiB). CPU children run under an address-space
limit (``RLIMIT_AS``, ``--mem-limit-gb``) so that an exploding method fails instead of taking the
machine down. On CUDA (when torch sees a GPU) ours, grad, eigvalsh, inertia and ours+eigvalsh are
also measured there, with peak = growth of ``torch.cuda.max_memory_allocated``; with
``--cuda-references`` the reference assemblies (a), (b), (c) are timed there too, and ``--no-cpu``
leaves out the CPU measurements (a GPU machine's check: ``--no-cpu --cuda-references``).

Timings on a shared machine are easily disturbed (two BLAS threads on two cores slow down many
times when another process takes a core), so each measurement first waits (``--wait-quiet``) for
other processes to go idle, is rerun (``--retry-busy``) when they were busy during it, and records
the cores they kept busy (``other_cores``, from ``/proc/stat``); the table warns about any
disturbed row.

Columns of ``results/bench/hessian.csv``: ``n_params, method, seconds, peak_mb, ratio_to_ours``,
then extras. ``ratio_to_ours`` is seconds / seconds of ``ours`` (on the same device) for the
Hessian assemblies and ``grad``; for ``eigvalsh``, ``inertia`` and ``ours+eigvalsh`` it is relative
to ``eigvalsh`` alone. The ``ratio_basis`` column names the basis of each row. Fast measurements
are repeated (up to 3 runs within a few seconds) and the best time is kept (``repeats``).

Run from the repository root: ``.venv/bin/python bench/hessian.py [--sizes 7 27] [--skip-slow]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "results" / "bench" / "hessian.csv"
DEFAULT_SIZES = (7, 27, 66, 133)
LOSS = "cross_entropy"
FACTOR = 10.0  # eigen tolerance factor
HVP_CHUNK = 256  # make_hessian's default vector_chunk, used by the subset timing of (c)
BUSY_CORES = 0.25  # other processes busier than this disturb a measurement
TARGET_MIN_PARAMS = 4500  # targets apply to the ~5,000 and ~10,000 parameter cases
RESULT_MARK = "BENCH_RESULT "
COLUMNS = [
    "n_params",
    "method",
    "seconds",
    "peak_mb",
    "ratio_to_ours",
    "ratio_basis",
    "device",
    "hidden",
    "hessian_mb",
    "peak_over_hessian",
    "grad_multiple",
    "repeats",
    "max_abs_diff",
    "n_negative",
    "n_zero",
    "other_cores",
    "attempts",
    "note",
    "error",
]
ASSEMBLY = ("ours", "grad", "a_row_backward", "b_func_hessian", "c_vmap_hvp")
SPECTRUM = ("eigvalsh", "inertia_index", "inertia", "ours+eigvalsh")


# ----------------------------------------------------------------------------------------------
# Child side: one measurement in a fresh process.
# ----------------------------------------------------------------------------------------------


def _sync(device: str) -> None:
    """Wait for queued CUDA work (no-op on the CPU).

    Args:
        device: ``cpu`` or ``cuda``.
    """
    if device == "cuda":
        import torch

        torch.cuda.synchronize()


def _memory_baseline(device: str) -> int:
    """Start a peak-memory measurement.

    Args:
        device: ``cpu`` (peak RSS of this process) or ``cuda`` (peak allocated CUDA memory).

    Returns:
        The baseline in bytes (CUDA) or KiB (CPU ``ru_maxrss``).
    """
    if device == "cuda":
        import torch

        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        return torch.cuda.memory_allocated()
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_mb(device: str, baseline: int) -> float:
    """Peak memory growth since :func:`_memory_baseline`, in MiB.

    Args:
        device: ``cpu`` or ``cuda``.
        baseline: What :func:`_memory_baseline` returned.

    Returns:
        Peak growth in MiB.
    """
    if device == "cuda":
        import torch

        torch.cuda.synchronize()
        return (torch.cuda.max_memory_allocated() - baseline) / 2**20
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline) / 1024


def _time_best(fn, device: str, budget_s: float = 5.0, max_repeats: int = 3):
    """Time ``fn()``, repeating while cheap, and keep the best time.

    The previous result is dropped before each repeat so that repeats do not raise the peak.

    Args:
        fn: The call to time.
        device: Device to synchronise.
        budget_s: Stop repeating once another run would exceed this total.
        max_repeats: Most runs.

    Returns:
        (best seconds, number of runs, result of the last run).
    """
    times, out = [], None
    while True:
        out = None
        _sync(device)
        start = time.perf_counter()
        out = fn()
        _sync(device)
        times.append(time.perf_counter() - start)
        if len(times) >= max_repeats or sum(times) + times[-1] > budget_s:
            return min(times), len(times), out


def _setup(hidden: int, device: str) -> dict:
    """Data, model, parameters and loss of one case, plus a tiny warm-up case.

    Args:
        hidden: Hidden width h.
        device: ``cpu`` or ``cuda``.

    Returns:
        A dictionary with x, y, model, theta, loss_fn and the tiny (model, x, y, theta, loss_fn).
    """
    import torch

    from landscape.engine.data import make_digits
    from landscape.engine.models import MLP, init_params, make_loss

    ds = make_digits(test_fraction=0.0)
    x = torch.as_tensor(ds.x_train, dtype=torch.float64, device=device)
    y = torch.as_tensor(ds.y_train, device=device)
    model = MLP((64, hidden, 10), "tanh")
    theta = init_params(model, seed=0, device=device)
    tiny = MLP((64, 2, 10), "tanh")
    tiny_theta = init_params(tiny, seed=0, device=device)
    return {
        "x": x,
        "y": y,
        "model": model,
        "theta": theta,
        "loss_fn": make_loss(model, LOSS, x, y),
        "tiny": tiny,
        "tiny_x": x[:64],
        "tiny_y": y[:64],
        "tiny_theta": tiny_theta,
        "tiny_loss_fn": make_loss(tiny, LOSS, x[:64], y[:64]),
    }


def _load_hessian(path: str, device: str):
    """Read the Hessian saved by the ``ours`` child.

    Args:
        path: ``.npy`` file.
        device: Where to put it.

    Returns:
        H (P, P), float64.
    """
    import numpy as np
    import torch

    h = torch.from_numpy(np.load(path))
    return h.to(device) if device != "cpu" else h


def _max_abs_diff(h, ref_path: str | None, rows: int | None = None) -> float:
    """Largest |H - H_ours| over the first ``rows`` rows (all when None).

    Args:
        h: The method's Hessian (or its first rows).
        ref_path: ours' saved Hessian (memory-mapped), or None.
        rows: How many rows to compare.

    Returns:
        The difference, NaN without a reference.
    """
    import numpy as np
    import torch

    if ref_path is None or not os.path.exists(ref_path):
        return float("nan")
    ref = np.load(ref_path, mmap_mode="r")
    n = ref.shape[0] if rows is None else rows
    got = h[:n].detach().cpu()
    return float((got - torch.from_numpy(np.array(ref[:n]))).abs().max())


def _save_hessian(h, path: str) -> None:
    """Write H to ``path`` (``.npy``) under a temporary name, then rename.

    Args:
        h: H (P, P).
        path: Destination.
    """
    import numpy as np

    tmp = path + ".tmp.npy"
    np.save(tmp, h.detach().cpu().numpy())
    os.replace(tmp, path)


def _child_ours(spec: dict) -> dict:
    """Time ours' structured assembly; save H for the spectrum children."""
    from landscape.engine.curvature import make_hessian

    device = spec["device"]
    s = _setup(spec["hidden"], device)
    make_hessian(s["tiny"], LOSS, s["tiny_x"], s["tiny_y"], method="structured")(s["tiny_theta"])
    fn = make_hessian(s["model"], LOSS, s["x"], s["y"], method="structured")
    base = _memory_baseline(device)
    seconds, repeats, h = _time_best(lambda: fn(s["theta"]), device)
    peak = _peak_mb(device, base)
    if spec.get("save_h"):
        _save_hessian(h, spec["save_h"])
    asym = float((h - h.T).abs().max())
    return {"seconds": seconds, "peak_mb": peak, "repeats": repeats, "asymmetry": asym}


def _child_grad(spec: dict) -> dict:
    """Time one gradient evaluation, averaged over several calls."""
    from torch.func import grad

    device = spec["device"]
    s = _setup(spec["hidden"], device)
    grad(s["tiny_loss_fn"])(s["tiny_theta"])
    g = grad(s["loss_fn"])
    for _ in range(3):
        g(s["theta"])
    base = _memory_baseline(device)
    calls, total = 0, 0.0
    while calls < 20 or total < 1.0:
        _sync(device)
        start = time.perf_counter()
        g(s["theta"])
        _sync(device)
        total += time.perf_counter() - start
        calls += 1
        if calls >= 1000:
            break
    return {"seconds": total / calls, "peak_mb": _peak_mb(device, base), "repeats": calls}


def _child_row_backward(spec: dict) -> dict:
    """(a) One double backward per row of H, the first ``rows`` rows when asked."""
    import torch

    device = spec["device"]
    s = _setup(spec["hidden"], device)

    def rows_of(loss_fn, theta, n_rows):
        p = theta.shape[0]
        out = torch.zeros(p, p, dtype=theta.dtype, device=theta.device)
        t = theta.detach().clone().requires_grad_(True)
        start = time.perf_counter()
        (g,) = torch.autograd.grad(loss_fn(t), t, create_graph=True)
        _sync(device)
        t_grad = time.perf_counter() - start
        for i in range(n_rows):
            (out[i],) = torch.autograd.grad(g[i], t, retain_graph=True)
        _sync(device)
        return out, t_grad, time.perf_counter() - start - t_grad

    rows_of(s["tiny_loss_fn"], s["tiny_theta"], 4)
    p = s["theta"].shape[0]
    n_rows = p if spec["rows"] is None else min(int(spec["rows"]), p)
    base = _memory_baseline(device)
    if n_rows == p:
        seconds, repeats, (h, _, _) = _time_best(
            lambda: rows_of(s["loss_fn"], s["theta"], p), device
        )
        note = "all rows"
    else:
        h, t_grad, t_rows = rows_of(s["loss_fn"], s["theta"], n_rows)
        seconds, repeats = t_grad + t_rows * p / n_rows, 1
        note = (
            f"extrapolated from {n_rows} rows ({t_grad + t_rows:.1f} s measured: "
            f"{t_grad * 1e3:.1f} ms gradient + {t_rows / n_rows * 1e3:.2f} ms/row x {p} rows)"
        )
    peak = _peak_mb(device, base)
    diff = _max_abs_diff(h, spec.get("ref_h"), n_rows)
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "repeats": repeats,
        "note": note,
        "max_abs_diff": diff,
    }


def _child_func_hessian(spec: dict) -> dict:
    """(b) ``torch.func.hessian``; an allocation failure is recorded, not raised."""
    import torch

    device = spec["device"]
    s = _setup(spec["hidden"], device)
    torch.func.hessian(s["tiny_loss_fn"])(s["tiny_theta"])
    fn = torch.func.hessian(s["loss_fn"])
    base = _memory_baseline(device)
    try:
        seconds, repeats, h = _time_best(lambda: fn(s["theta"]), device)
    except (RuntimeError, MemoryError) as exc:
        peak = _peak_mb(device, base)
        msg = " ".join(str(exc).split())[:300]
        return {
            "seconds": float("nan"),
            "peak_mb": peak,
            "repeats": 1,
            "note": f"failed: {type(exc).__name__} (peak is up to the failure)",
            "error": msg,
        }
    peak = _peak_mb(device, base)
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "repeats": repeats,
        "max_abs_diff": _max_abs_diff(h, spec.get("ref_h")),
    }


def _child_hvp(spec: dict) -> dict:
    """(c) vmap over forward-over-reverse HVPs: the whole H, or the first basis vectors."""
    import torch
    from torch.func import vmap

    from landscape.engine.curvature import make_hessian, make_hvp

    device = spec["device"]
    s = _setup(spec["hidden"], device)
    make_hessian(s["tiny"], LOSS, s["tiny_x"], s["tiny_y"], method="hvp")(s["tiny_theta"])
    p = s["theta"].shape[0]
    n_vec = p if spec["vectors"] is None else min(int(spec["vectors"]), p)
    base = _memory_baseline(device)
    if n_vec == p:
        fn = make_hessian(s["model"], LOSS, s["x"], s["y"], method="hvp")
        seconds, repeats, h = _time_best(lambda: fn(s["theta"]), device)
        note = f"full make_hessian(method='hvp'), vector_chunk={HVP_CHUNK}"
    else:
        # The body of make_hessian_hvp on the first n_vec basis vectors (same eye, same chunks).
        hvp = make_hvp(s["loss_fn"])
        _sync(device)
        start = time.perf_counter()
        eye = torch.eye(p, dtype=s["theta"].dtype, device=device)
        h = vmap(hvp, in_dims=(None, 0), chunk_size=HVP_CHUNK)(s["theta"], eye[:n_vec])
        _sync(device)
        measured = time.perf_counter() - start
        seconds, repeats = measured * p / n_vec, 1
        note = (
            f"extrapolated from {n_vec} of {p} basis vectors ({measured:.1f} s measured, "
            f"vector_chunk={HVP_CHUNK}); peak lacks the rest of the P x P output"
        )
    peak = _peak_mb(device, base)
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "repeats": repeats,
        "note": note,
        "max_abs_diff": _max_abs_diff(h, spec.get("ref_h"), n_vec),
    }


def _warm_spectrum(device: str) -> None:
    """Run eigvalsh and inertia once on a small symmetric matrix (library initialisation).

    Args:
        device: Where.
    """
    import torch

    from landscape.engine.spectrum import inertia

    gen = torch.Generator().manual_seed(0)
    a = torch.randn(64, 64, generator=gen, dtype=torch.float64).to(device)
    a = a + a.T
    torch.linalg.eigvalsh(a)
    inertia(a, FACTOR)


def _child_eigvalsh(spec: dict) -> dict:
    """Time eigvalsh on ours' H; check inertia's counts at the same tolerance."""
    import torch

    from landscape.engine.spectrum import inertia, summarize_spectrum

    device = spec["device"]
    h = _load_hessian(spec["ref_h"], device)
    _warm_spectrum(device)
    base = _memory_baseline(device)
    seconds, repeats, eigs = _time_best(lambda: torch.linalg.eigvalsh(h), device)
    peak = _peak_mb(device, base)
    summary = summarize_spectrum(eigs, FACTOR)
    check = inertia(h, FACTOR, norm=float(eigs.abs().max()))
    same = (summary.n_negative, summary.n_zero) == (check.n_negative, check.n_zero)
    note = (
        f"counts at tol {summary.eig_tol:.3g}: eigvalsh neg={summary.n_negative} "
        f"zero={summary.n_zero}; inertia(norm=max|eig|) neg={check.n_negative} "
        f"zero={check.n_zero}; identical: {'yes' if same else 'no'}"
    )
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "repeats": repeats,
        "n_negative": summary.n_negative,
        "n_zero": summary.n_zero,
        "counts_identical": same,
        "eig_tol": summary.eig_tol,
        "lambda_min": summary.lambda_min,
        "lambda_max": summary.lambda_max,
        "note": note,
    }


def _child_inertia(spec: dict) -> dict:
    """Time inertia (two LDL^T factorisations, norm by Lanczos) on ours' H."""
    from landscape.engine.spectrum import count_below, inertia, spectral_norm, tolerance_from_norm

    device = spec["device"]
    h = _load_hessian(spec["ref_h"], device)
    _warm_spectrum(device)
    base = _memory_baseline(device)
    seconds, repeats, summary = _time_best(lambda: inertia(h, FACTOR), device)
    peak = _peak_mb(device, base)
    # Where the time goes (one more, untimed-in-the-table pass of each part).
    _sync(device)
    start = time.perf_counter()
    norm = spectral_norm(h)
    _sync(device)
    t_norm = time.perf_counter() - start
    tol = float(tolerance_from_norm(norm, h.shape[-1], h.dtype, FACTOR))
    t_ldl = []
    for shift in (-tol, tol):
        start = time.perf_counter()
        count_below(h, shift)
        _sync(device)
        t_ldl.append(time.perf_counter() - start)
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "repeats": repeats,
        "n_negative": summary.n_negative,
        "n_zero": summary.n_zero,
        "eig_tol": summary.eig_tol,
        "note": (
            f"norm by Lanczos; tol {summary.eig_tol:.3g}; parts: spectral_norm {t_norm:.2f} s, "
            f"count_below {t_ldl[0]:.2f} s + {t_ldl[1]:.2f} s"
        ),
    }


def _child_inertia_index(spec: dict) -> dict:
    """Time the index alone by inertia (one LDL^T factorisation, norm by Lanczos) on ours' H."""
    from landscape.engine.spectrum import inertia

    device = spec["device"]
    h = _load_hessian(spec["ref_h"], device)
    _warm_spectrum(device)
    base = _memory_baseline(device)
    seconds, repeats, summary = _time_best(lambda: inertia(h, FACTOR, nullity=False), device)
    return {
        "seconds": seconds,
        "peak_mb": _peak_mb(device, base),
        "repeats": repeats,
        "n_negative": summary.n_negative,
        "eig_tol": summary.eig_tol,
        "note": f"index only (H + tol I); norm by Lanczos; tol {summary.eig_tol:.3g}",
    }


def _child_ours_eigvalsh(spec: dict) -> dict:
    """Time ours' assembly followed by eigvalsh: the time to the full spectrum."""
    import torch

    from landscape.engine.curvature import make_hessian

    device = spec["device"]
    s = _setup(spec["hidden"], device)
    make_hessian(s["tiny"], LOSS, s["tiny_x"], s["tiny_y"], method="structured")(s["tiny_theta"])
    _warm_spectrum(device)
    fn = make_hessian(s["model"], LOSS, s["x"], s["y"], method="structured")
    base = _memory_baseline(device)
    seconds, repeats, _ = _time_best(lambda: torch.linalg.eigvalsh(fn(s["theta"])), device)
    return {"seconds": seconds, "peak_mb": _peak_mb(device, base), "repeats": repeats}


CHILDREN = {
    "ours": _child_ours,
    "grad": _child_grad,
    "a_row_backward": _child_row_backward,
    "b_func_hessian": _child_func_hessian,
    "c_vmap_hvp": _child_hvp,
    "eigvalsh": _child_eigvalsh,
    "inertia_index": _child_inertia_index,
    "inertia": _child_inertia,
    "ours+eigvalsh": _child_ours_eigvalsh,
}


def child_main(spec: dict) -> None:
    """Entry point of a child process: run one measurement and print its result as JSON.

    Args:
        spec: method, hidden, device and the method's options.
    """
    if spec["device"] == "cpu" and spec.get("mem_limit_gb"):
        # CUDA reserves a huge virtual address space, so the limit is applied on the CPU only.
        limit = int(spec["mem_limit_gb"] * 2**30)
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    result = CHILDREN[spec["method"]](spec)
    print(RESULT_MARK + json.dumps(result), flush=True)


# ----------------------------------------------------------------------------------------------
# Parent side: run the children, assemble the table, check the targets.
# ----------------------------------------------------------------------------------------------


def _busy_cpu_seconds() -> float:
    """CPU seconds all processes of the machine have spent busy since boot (``/proc/stat``).

    Returns:
        Busy seconds (user, nice, system, irq, softirq, steal), NaN where unreadable.
    """
    try:
        with open("/proc/stat") as fh:
            fields = [int(v) for v in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return math.nan
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    """CPU seconds (user + system) used by this process's finished children.

    Returns:
        Seconds.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_child_once(spec: dict, timeout_s: float) -> dict:
    """Run one measurement in a fresh process.

    Args:
        spec: The child's specification (see :func:`child_main`).
        timeout_s: Wall-clock limit of the child.

    Returns:
        The child's result; on a crash or timeout, seconds = NaN and an ``error``.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", json.dumps(spec)]
    label = f"{spec['method']} h={spec['hidden']} on {spec['device']}"
    print(f"  running {label} ...", end="", flush=True)
    busy0, own0 = _busy_cpu_seconds(), _children_cpu_seconds()
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, cwd=REPO)
    except subprocess.TimeoutExpired:
        load = math.nan
        print(f" timed out after {timeout_s:.0f} s", flush=True)
        return {
            "seconds": float("nan"),
            "peak_mb": float("nan"),
            "note": "failed: timed out",
            "other_cores": load,
            "error": f"child timed out after {timeout_s:.0f} s",
        }
    wall = time.perf_counter() - start
    # Cores kept busy by other processes while the child ran: a contention warning.
    load = max(0.0, (_busy_cpu_seconds() - busy0 - (_children_cpu_seconds() - own0)) / wall)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            result = json.loads(line[len(RESULT_MARK) :])
            result["other_cores"] = load
            print(
                f" {result['seconds']:.3g} s (child wall {wall:.0f} s, other processes busy "
                f"{load:.2f} cores)",
                flush=True,
            )
            return result
    tail = " ".join(proc.stderr.strip().splitlines()[-3:])[-400:]
    reason = "killed (signal 9, likely out of memory)" if proc.returncode == -9 else "crashed"
    print(f" {reason}, rc {proc.returncode}", flush=True)
    return {
        "seconds": float("nan"),
        "peak_mb": float("nan"),
        "note": f"failed: child {reason}",
        "other_cores": load,
        "error": f"rc {proc.returncode}: {tail}",
    }


def wait_until_quiet(max_wait_s: float, window_s: float = 2.0) -> float:
    """Wait until other processes keep fewer than ``BUSY_CORES`` cores busy, or give up.

    Args:
        max_wait_s: Longest wait (0: do not wait).
        window_s: Sampling window.

    Returns:
        Seconds waited.
    """
    waited = 0.0
    while waited < max_wait_s:
        busy0 = _busy_cpu_seconds()
        time.sleep(window_s)
        waited += window_s
        if not (_busy_cpu_seconds() - busy0) / window_s > BUSY_CORES:  # NaN: cannot tell
            break
    return waited


def run_child(spec: dict, args: argparse.Namespace) -> dict:
    """Run one measurement, waiting for a quiet machine and retrying when it was disturbed.

    Args:
        spec: The child's specification (see :func:`child_main`).
        args: Options ``wait_quiet``, ``retry_busy`` and ``child_timeout``.

    Returns:
        The least disturbed attempt's result, with ``attempts``.
    """
    best = None
    for attempt in range(1 + max(0, args.retry_busy)):
        waited = wait_until_quiet(args.wait_quiet)
        if waited > 2.0:
            print(f"  (waited {waited:.0f} s for a quiet machine)", flush=True)
        result = _run_child_once(spec, args.child_timeout)
        result["attempts"] = attempt + 1
        if best is None or result["other_cores"] < best["other_cores"]:
            best = {**result, "attempts": attempt + 1}
        if not result["other_cores"] > BUSY_CORES or result.get("error"):
            break
    best["attempts"] = attempt + 1
    return best


def _skipped(note: str) -> dict:
    """A result row for a measurement that was not run.

    Args:
        note: Why.

    Returns:
        The result, seconds NaN.
    """
    return {"seconds": float("nan"), "peak_mb": float("nan"), "note": note}


def measure_size(hidden: int, device: str, args: argparse.Namespace, workdir: str) -> list[dict]:
    """All measurements of one size on one device.

    Args:
        hidden: Hidden width h.
        device: ``cpu`` or ``cuda``.
        args: Command-line options.
        workdir: Scratch directory for ours' Hessian.

    Returns:
        Table rows.
    """
    from landscape.engine.models import MLP

    p = MLP((64, hidden, 10), "tanh").n_params
    h_path = os.path.join(workdir, f"hessian_h{hidden}_{device}.npy")
    common = {"hidden": hidden, "device": device, "mem_limit_gb": args.mem_limit_gb}

    def run(method: str, **extra) -> dict:
        return run_child({"method": method, **common, **extra}, args)

    results = {"ours": run("ours", save_h=h_path), "grad": run("grad")}
    have_h = os.path.exists(h_path)
    ref = h_path if have_h else None
    no_h = _skipped("not run: ours produced no Hessian")
    results["eigvalsh"] = run("eigvalsh", ref_h=h_path) if have_h else no_h
    results["inertia_index"] = run("inertia_index", ref_h=h_path) if have_h else no_h
    results["inertia"] = run("inertia", ref_h=h_path) if have_h else no_h
    results["ours+eigvalsh"] = run("ours+eigvalsh")
    if device == "cpu" or args.cuda_references:
        if args.skip_slow:
            for m in ("a_row_backward", "b_func_hessian", "c_vmap_hvp"):
                results[m] = _skipped("skipped (--skip-slow)")
        else:
            rows = None if p <= args.full_rows_max else args.rows
            results["a_row_backward"] = run("a_row_backward", rows=rows, ref_h=ref)
            if p > 5000 and not args.func_hessian_large:
                results["b_func_hessian"] = _skipped(
                    "skipped above 5,000 params (--func-hessian-large runs it)"
                )
            else:
                results["b_func_hessian"] = run("b_func_hessian", ref_h=ref)
            vectors = None if p <= args.hvp_full_max else args.hvp_vectors
            results["c_vmap_hvp"] = run("c_vmap_hvp", vectors=vectors, ref_h=ref)
    if have_h:
        os.remove(h_path)
    return build_rows(hidden, p, device, results)


def build_rows(hidden: int, p: int, device: str, results: dict) -> list[dict]:
    """Turn one size's child results into table rows with ratios.

    Args:
        hidden: Hidden width h.
        p: Number of parameters.
        device: ``cpu`` or ``cuda``.
        results: Child results by method.

    Returns:
        Rows in :data:`COLUMNS` order of keys.
    """
    hessian_mb = p * p * 8 / 2**20
    ours_s = results["ours"]["seconds"]
    eig_s = results.get("eigvalsh", {}).get("seconds", float("nan"))
    grad_s = results.get("grad", {}).get("seconds", float("nan"))
    rows = []
    for method in (*ASSEMBLY, *SPECTRUM):
        if method not in results:
            continue
        r = results[method]
        seconds = float(r.get("seconds", float("nan")))
        basis = "eigvalsh" if method in SPECTRUM else "ours"
        denom = eig_s if basis == "eigvalsh" else ours_s
        note = r.get("note", "")
        if method == "ours":
            note = f"|H - H^T| max {r['asymmetry']:.2g}" if "asymmetry" in r else note
        if method == "grad":
            note = f"mean of {r.get('repeats', 0)} calls; ratio = grad / ours"
        if method in SPECTRUM and method != "eigvalsh":
            note = (f"{note}; " if note else "") + "ratio = seconds / eigvalsh seconds"
        peak = float(r.get("peak_mb", float("nan")))
        rows.append(
            {
                "n_params": p,
                "method": method,
                "seconds": seconds,
                "peak_mb": peak,
                "ratio_to_ours": seconds / denom if denom and not math.isnan(denom) else math.nan,
                "ratio_basis": basis,
                "device": device,
                "hidden": hidden,
                "hessian_mb": hessian_mb,
                "peak_over_hessian": peak / hessian_mb,
                "grad_multiple": ours_s / grad_s if method == "ours" else math.nan,
                "repeats": r.get("repeats", ""),
                "max_abs_diff": r.get("max_abs_diff", math.nan),
                "n_negative": r.get("n_negative", ""),
                "n_zero": r.get("n_zero", ""),
                "other_cores": r.get("other_cores", math.nan),
                "attempts": r.get("attempts", ""),
                "note": note,
                "error": r.get("error", ""),
            }
        )
    return rows


def _fmt(value, spec: str = ".3g") -> str:
    """Format a number for the printed table (blank for missing, ``nan`` for NaN).

    Args:
        value: The value.
        spec: Format specification.

    Returns:
        The text.
    """
    if value == "" or value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return format(value, spec)


def write_csv(rows: list[dict], path: Path) -> None:
    """Write the table under a temporary name, then rename it into place.

    Args:
        rows: Table rows.
        path: Destination.
    """
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".csv")
    try:
        with os.fdopen(fd, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: repr(v) if isinstance(v, float) else v for k, v in row.items()})
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def print_table(rows: list[dict]) -> None:
    """Print the table.

    Args:
        rows: Table rows.
    """
    head = (
        f"{'n_params':>8} {'method':<15} {'device':<6} {'seconds':>9} {'peak_mb':>9} "
        f"{'ratio':>8} {'basis':<8} {'peak/H':>7} {'grad_x':>7} {'maxdiff':>8} {'other':>5}  note"
    )
    print(head)
    print("-" * len(head))
    last = None
    for r in rows:
        if last is not None and r["n_params"] != last:
            print()
        last = r["n_params"]
        note = r["note"] + (f" [error: {r['error'][:120]}]" if r["error"] else "")
        print(
            f"{r['n_params']:>8} {r['method']:<15} {r['device']:<6} {_fmt(r['seconds']):>9} "
            f"{_fmt(r['peak_mb'], '.1f'):>9} {_fmt(r['ratio_to_ours']):>8} "
            f"{r['ratio_basis']:<8} {_fmt(r['peak_over_hessian'], '.2f'):>7} "
            f"{_fmt(r['grad_multiple'], '.0f'):>7} {_fmt(r['max_abs_diff'], '.1e'):>8} "
            f"{_fmt(r['other_cores'], '.2f'):>5}  {note}"
        )


def print_targets(rows: list[dict]) -> None:
    """Print the issue's targets, measured, at every size run (they apply at >= ~5,000 params).

    Args:
        rows: Table rows.
    """
    by = {(r["device"], r["n_params"], r["method"]): r for r in rows}
    for device in sorted({r["device"] for r in rows}):
        _print_device_targets(by, device)


def _print_device_targets(by: dict, device: str) -> None:
    """Print the targets of one device.

    Args:
        by: Rows keyed by (device, n_params, method).
        device: ``cpu`` or ``cuda``.
    """
    sizes = sorted({p for d, p, _ in by if d == device})

    def line(label, target, ok, value_fn):
        parts = []
        for p in sizes:
            value, extra = value_fn(p)
            txt = "n/a" if value is None or math.isnan(value) else f"{value:.3g}"
            verdict = ""
            measured = value is not None and not math.isnan(value)
            if ok is not None and p >= TARGET_MIN_PARAMS and measured:
                verdict = " [met]" if ok(value) else " [MISSED]"
            parts.append(f"P={p}: {txt}{verdict}{extra}")
        print(f"  {label} (target {target}): " + "; ".join(parts))

    def sec(p, method):
        r = by.get((device, p, method))
        return math.nan if r is None else r["seconds"]

    def ratio(p, num, den):
        a = by.get((device, p, num))
        extra = " (extrapolated)" if a and "extrapolated" in a["note"] else ""
        if a and a["note"].startswith("skipped"):
            extra = " (skipped)"
        return sec(p, num) / sec(p, den), extra

    def peak_ratio(p):
        r = by.get((device, p, "ours"))
        return (math.nan if r is None else r["peak_over_hessian"]), ""

    def counts(p):
        r = by.get((device, p, "eigvalsh"))
        if r is None or "identical" not in r["note"]:
            return "n/a"
        same = r["note"].rsplit("identical: ", 1)[1]
        idx = by.get((device, p, "inertia_index"))
        if idx is not None and not math.isnan(idx["n_negative"]):
            agree = "yes" if idx["n_negative"] == r["n_negative"] else "NO"
            same += f", index-only (Lanczos norm) neg={int(idx['n_negative'])}: {agree}"
        return same

    print(
        f"\nTargets on {device} (verdicts at >= {TARGET_MIN_PARAMS} params, the ~5k and ~10k"
        " cases; other sizes shown for reference):"
    )
    if any((device, p, "a_row_backward") in by for p in sizes):
        line(
            "ours vs (a) [a / ours]",
            ">= 8",
            lambda v: v >= 8,
            lambda p: ratio(p, "a_row_backward", "ours"),
        )
        line(
            "ours vs (c) [c / ours]",
            ">= 5",
            lambda v: v >= 5,
            lambda p: ratio(p, "c_vmap_hvp", "ours"),
        )
        line("ours vs (b) [b / ours]", "none", None, lambda p: ratio(p, "b_func_hessian", "ours"))
    line("peak/Hessian size for ours", "<= 5", lambda v: v <= 5, peak_ratio)
    line(
        "ours+eigvalsh / eigvalsh",
        "<= 1.5",
        lambda v: v <= 1.5,
        lambda p: ratio(p, "ours+eigvalsh", "eigvalsh"),
    )
    line(
        "eigvalsh / inertia, index only",
        ">= 3",
        lambda v: v >= 3,
        lambda p: ratio(p, "eigvalsh", "inertia_index"),
    )
    line(
        "eigvalsh / inertia, index and nullity",
        "none",
        None,
        lambda p: ratio(p, "eigvalsh", "inertia"),
    )
    print(
        "  counts identical (eigvalsh vs inertia at the same tolerance): "
        + "; ".join(f"P={p}: {counts(p)}" for p in sizes)
    )
    grad_x = [
        f"P={p}: {by[(device, p, 'ours')]['grad_multiple']:.0f}"
        for p in sizes
        if (device, p, "ours") in by
    ]
    print("  ours cost in gradient evaluations: " + "; ".join(grad_x))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        The options.
    """
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(DEFAULT_SIZES),
        help="hidden widths h (P = 75 h + 10); default 7 27 66 133",
    )
    ap.add_argument(
        "--skip-slow", action="store_true", help="skip the reference assemblies (a), (b) and (c)"
    )
    ap.add_argument(
        "--rows",
        type=int,
        default=200,
        help="rows of (a) timed above --full-rows-max params (then extrapolated)",
    )
    ap.add_argument(
        "--full-rows-max", type=int, default=2500, help="largest P for which (a) computes every row"
    )
    ap.add_argument(
        "--hvp-vectors",
        type=int,
        default=1024,
        help="basis vectors of (c) timed above --hvp-full-max params",
    )
    ap.add_argument(
        "--hvp-full-max",
        type=int,
        default=5000,
        help="largest P for which (c) assembles the whole Hessian",
    )
    ap.add_argument(
        "--func-hessian-large",
        action="store_true",
        help="also run (b) torch.func.hessian above 5,000 params",
    )
    ap.add_argument(
        "--mem-limit-gb",
        type=float,
        default=16.0,
        help="address-space limit of each CPU child process (GiB)",
    )
    ap.add_argument(
        "--child-timeout",
        type=float,
        default=1800.0,
        help="wall-clock limit of one measurement (s)",
    )
    ap.add_argument(
        "--wait-quiet",
        type=float,
        default=60.0,
        help="before each measurement, wait up to this long (s) for other processes to go idle",
    )
    ap.add_argument(
        "--retry-busy",
        type=int,
        default=1,
        help="rerun a measurement disturbed by other processes up to this many times",
    )
    ap.add_argument("--no-cuda", action="store_true", help="do not run the CUDA measurements")
    ap.add_argument(
        "--no-cpu", action="store_true", help="run only the CUDA measurements (needs a GPU)"
    )
    ap.add_argument(
        "--cuda-references",
        action="store_true",
        help="also time the reference assemblies (a), (b), (c) on CUDA",
    )
    ap.add_argument("--out", type=Path, default=OUT, help="CSV destination")
    ap.add_argument("--_child", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark, print the table and the targets, write the CSV.

    Args:
        argv: Command-line arguments.
    """
    args = parse_args(argv)
    if args._child:
        child_main(json.loads(args._child))
        return
    import torch

    devices = [] if args.no_cpu else ["cpu"]
    if torch.cuda.is_available() and not args.no_cuda:
        devices.append("cuda")
    if not devices:
        raise SystemExit("bench/hessian.py: --no-cpu given but torch sees no GPU (or --no-cuda)")
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, devices {devices}, "
        f"load average {os.getloadavg()[0]:.2f}; sizes h={args.sizes}",
        flush=True,
    )
    start = time.perf_counter()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench_hessian_") as workdir:
        for hidden in args.sizes:
            for device in devices:
                print(f"h={hidden} on {device}:", flush=True)
                rows.extend(measure_size(hidden, device, args, workdir))
                write_csv(rows, args.out)
    total = time.perf_counter() - start
    print()
    print_table(rows)
    print(
        "(ratio: seconds / seconds of the basis method; peak/H: peak_mb / Hessian size; grad_x:"
        " ours in gradient evaluations; maxdiff: max |H - H_ours|; other: cores kept busy by"
        " other processes during the measurement)"
    )
    busy = [r for r in rows if r["other_cores"] > BUSY_CORES]
    if busy:
        print(
            f"WARNING: other processes kept > {BUSY_CORES} cores busy during {len(busy)} of "
            f"{len(rows)} measurements; their timings are disturbed (see column other_cores)."
        )
    print_targets(rows)
    print(
        f"\nWrote {args.out}. Total time {total:.0f} s; "
        f"load average at the end {os.getloadavg()[0]:.2f}."
    )


if __name__ == "__main__":
    main()
