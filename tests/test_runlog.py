"""Progress lines of long loops (landscape.base.runlog.Progress) and their use in the searches."""

import time

import torch

from landscape.base import runlog
from landscape.base.runlog import Progress
from landscape.engine.critical import FinderOptions, find_critical_points


def test_progress_lines_are_rate_limited_and_estimate_the_time_left():
    lines = []
    progress = Progress(lines.append, total=100, every=0.05)
    progress.report(1, "too early")
    time.sleep(0.06)
    progress.report(25, "iteration 25")
    progress.report(26, "again too early")
    progress.report(27, "forced", force=True)
    assert [line.split(" (")[0] for line in lines] == ["iteration 25", "forced"]
    assert "s left at most)" in lines[0]
    Progress(None).report(1, "silent", force=True)  # no callback: nothing to call


def test_a_search_logs_its_progress(monkeypatch):
    # A search that cannot converge in its budget, logging on every iteration (every=0): lines
    # name the iteration, the starts still searching and the best and median ||g||^2.
    def loss(t: torch.Tensor) -> torch.Tensor:
        return (t**4).sum() + (t[0] * t[1]) ** 2

    starts = torch.randn(3, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    monkeypatch.setattr(runlog, "PROGRESS_SECONDS", 0.0)
    lines = []
    options = FinderOptions(max_iter=3, grad_norm_sq_threshold=1e-300, polish_steps=0)
    hess = torch.func.hessian(loss)
    find_critical_points(loss, hess, starts, "gradient_norm", options, lines.append)
    assert len(lines) == 3  # iterations 0, 1 and 2 start with starts still searching
    assert lines[1].startswith("iteration 1/3: 3 of 3 starts searching, ||g||^2 best ")
    assert "median" in lines[1] and "s left at most)" in lines[1]
