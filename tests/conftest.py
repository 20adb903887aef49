"""Shared fixtures: the repository root, the test devices, and one real smoke run.

The smoke run of the whole workflow is shared by the pipeline and SLURM tests.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
WORKFLOW_FILES = ["Snakefile", "profiles", "config.yaml", "workflow", "scripts", "tests/smoke.yaml"]
SMOKE_DIGESTS = "smoke_digests.json"  # written beside the smoke run, right after it


def require_program(*names: str, why: str) -> str:
    """The path of the first of ``names`` on PATH; without one, skip (not root) or fail (root).

    As root, ``make test`` installs the Debian packages first (tests/system_packages.sh), so a
    missing program is an error there; without root the test is skipped, saying what to install.
    """
    for name in names:
        if path := shutil.which(name):
            return path
    message = f"{' or '.join(names)} not found: needed for {why} (see tests/system_packages.sh)"
    if os.geteuid() == 0:
        pytest.fail(message)
    pytest.skip(message + "; not root, so skipped")


@pytest.fixture(params=DEVICES)
def device(request) -> torch.device:
    """Every available device: the CPU always, CUDA where a GPU is visible."""
    return torch.device(request.param)


def copy_workflow(workdir: Path) -> Path:
    """Copy what a user checks out (Snakefile, profiles/, config, workflow/, scripts/) there."""
    for name in WORKFLOW_FILES:
        src, dst = ROOT / name, workdir / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy(src, dst)
    return workdir


def snakemake(workdir: Path, *args: str, timeout: float = 300, **kwargs):
    """Run ``snakemake --cores 2 --configfile tests/smoke.yaml *args`` in ``workdir``."""
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "tests/smoke.yaml"]
    return subprocess.run(
        [*cmd, *args], cwd=workdir, capture_output=True, text=True, timeout=timeout, **kwargs
    )


def result_digests(workdir: Path) -> dict[str, str]:
    """SHA-256 of every table (shards included), score and the scorecard under ``results/``."""
    results = workdir / "results"
    paths = [
        *results.glob("tables/**/*.csv"),
        *results.glob("scores/*"),
        *results.glob("scorecard.csv"),
    ]
    return {
        str(p.relative_to(results)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(paths)
    }


def output_mtimes(workdir: Path) -> dict[Path, int]:
    """Modification time of every output under results/ except logs, benchmarks and temporaries.

    Logs and benchmark files record a job rather than its result, and a rerun of the job
    rewrites them (a job cancelled after Snakemake wrote its benchmark file is one: its outputs
    are redone). Hidden files (``.name.XXXX.ext``) are :func:`landscape.base.io.atomic_path`'s
    temporaries: a job killed mid-write leaves one, and its rerun removes it.

    Keys are paths relative to ``workdir`` (``results/...``).
    """
    results = workdir / "results"
    return {
        p.relative_to(workdir): p.stat().st_mtime_ns
        for p in results.rglob("*")
        if p.is_file()
        and not p.name.startswith(".")
        and not {"logs", "benchmarks"} & set(p.relative_to(results).parts)
    }


def third_of_steps_done(log: str) -> bool:
    """Whether a running Snakemake's log reports at least a third of its steps done."""
    done = re.findall(r"(\d+) of (\d+) steps", log)
    return bool(done) and 3 * int(done[-1][0]) >= int(done[-1][1])


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory) -> Path:
    """Copy the workflow to a fresh directory and run the smoke config there (locally).

    The digests of its tables are saved at once to ``SMOKE_DIGESTS``, since later tests rerun
    parts of it under other configs.
    """
    workdir = copy_workflow(tmp_path_factory.mktemp("smoke"))
    start = time.perf_counter()
    run = snakemake(workdir)
    print(f"smoke DAG: {time.perf_counter() - start:.1f} s")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Logging error" not in run.stderr, run.stderr[-3000:]  # a malformed log line
    (workdir / SMOKE_DIGESTS).write_text(json.dumps(result_digests(workdir), indent=1))
    return workdir


def teacher_runs(b: int, m: int = 50, noise: float = 0.1, seed: int = 0):
    """1-1-1 tanh students near a teacher: a nondegenerate minimum at L = 0 beside each start.

    B runs (landscape.engine.shallow_tanh_search.Runs), each with its own m inputs, targets from
    its teacher (1.5, 1.0) + 0.2 N(0, 1), and a start ``noise`` N(0, 1) away from it.
    """
    from landscape.engine import shallow_tanh as st
    from landscape.engine.shallow_tanh_search import Runs

    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(b, m, 1, generator=gen, dtype=torch.float64)  # (B, m, 1)
    star = torch.tensor([1.5, 1.0], dtype=torch.float64) + 0.2 * torch.randn(
        b, 2, generator=gen, dtype=torch.float64
    )  # (B, 2)
    w1, w2 = st.split(star, 1, 1)
    y = torch.tanh(x @ w1.mT) @ w2.mT  # (B, m, 1)
    start = star + noise * torch.randn(b, 2, generator=gen, dtype=torch.float64)  # (B, 2)
    return Runs(torch.arange(b), x, y, start, torch.full((b,), 0.5, dtype=torch.float64))
