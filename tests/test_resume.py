"""Resumable searches: killed mid-way, a search resumes from its saved state.

It then ends exactly where an uninterrupted one ends.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

from landscape.base.io import load_checkpoint
from landscape.base.resume import Resume, fingerprint
from landscape.engine.critical import FinderOptions, find_critical_points

ROOT = Path(__file__).resolve().parents[1]

# The search, as a script: gradient-norm minimisation on a small tanh MLP (slow to converge, so
# that it is still running when killed), saving its state after every iteration.
SEARCH = """
import sys, torch
sys.path.insert(0, {tests!r})
from test_critical import _small_mlp_problem
from landscape.engine.critical import FinderOptions, find_critical_points
from landscape.base.resume import Resume
loss, hess, starts = _small_mlp_problem()
opts = FinderOptions(max_iter={iters})
res = find_critical_points(loss, hess, starts, "gradient_norm", opts, log=print,
                           resume=Resume(__import__("pathlib").Path({path!r}), 0.0))
torch.save({{"params": res.params, "status": [str(x) for x in res.status]}}, {out!r})
"""


def _script(tmp_path, iters, out):
    code = SEARCH.format(
        tests=str(ROOT / "tests"), iters=iters, path=str(tmp_path / "state.pt"), out=str(out)
    )
    return [sys.executable, "-c", code]


def _saved_iteration(path: Path) -> int:
    try:
        return int(load_checkpoint(path, ["iteration"])["iteration"])
    except Exception:  # not written yet, or being replaced
        return -1


def test_killed_search_resumes_from_its_last_state(tmp_path):
    iters = 40  # about 0.5 s each: still running when killed at iteration 10
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    state = tmp_path / "state.pt"
    job = subprocess.Popen(
        _script(tmp_path, iters, tmp_path / "killed.pt"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while _saved_iteration(state) < 10 and job.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert job.poll() is None, "the search finished before it could be killed"
    job.send_signal(signal.SIGKILL)
    job.wait()
    killed_at = _saved_iteration(state)
    assert 10 <= killed_at < iters and not (tmp_path / "killed.pt").exists()

    rerun = subprocess.run(
        _script(tmp_path, iters, tmp_path / "resumed.pt"),
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    said = [line for line in rerun.stdout.splitlines() if "resumed at iteration" in line]
    assert len(said) == 1 and int(said[0].split("iteration ")[1].split()[0]) >= killed_at
    assert not state.exists()  # removed once the search ended

    (tmp_path / "fresh").mkdir()
    fresh = subprocess.run(
        _script(tmp_path / "fresh", iters, tmp_path / "fresh.pt"),
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert fresh.returncode == 0 and "resumed" not in fresh.stdout
    a, b = torch.load(tmp_path / "resumed.pt"), torch.load(tmp_path / "fresh.pt")
    assert a["status"] == b["status"]
    assert torch.equal(a["params"], b["params"])  # bit for bit: every step is deterministic


def test_state_of_another_configuration_is_not_resumed(tmp_path):
    import sys as _sys

    _sys.path.insert(0, str(ROOT / "tests"))
    from test_critical import _small_mlp_problem

    loss, hess, starts = _small_mlp_problem()
    opts = FinderOptions(max_iter=3)
    path = tmp_path / "state.pt"
    # A state saved by another configuration (other options): ignored, then overwritten.
    other = Resume(path, 0.0).saver(fingerprint(starts, "newton_mr", FinderOptions(max_iter=4)))
    other({"theta": torch.zeros_like(starts), "iterations": torch.zeros(8), "iteration": 2}, True)
    lines = []
    res = find_critical_points(
        loss,
        hess,
        starts,
        "newton_mr",
        opts,
        log=lines.append,
        resume=Resume(path, 0.0, lines.append),
    )
    plain = find_critical_points(loss, hess, starts, "newton_mr", opts)
    assert any("another configuration" in line for line in lines)
    assert not any("resumed" in line for line in lines)
    assert torch.equal(res.params, plain.params) and not path.exists()
