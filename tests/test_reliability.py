"""A run that survives faults: kill -9, damaged files, malformed configs; figures-only redraws.

Divergence is tested in test_pipeline (test_diverged_networks_are_reported_and_the_run_completes)
and a cancelled cluster job in test_slurm.
"""

import copy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
import yaml
from conftest import (
    ROOT,
    SMOKE_DIGESTS,
    copy_workflow,
    output_mtimes,
    result_digests,
    snakemake,
    third_of_steps_done,
)
from test_config import BROKEN


def _rerun_outputs(log: str) -> dict[str, str]:
    """Output file -> the reason Snakemake gave for the job that (re)made it, from a run's log."""
    made = {}
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", log):
        outputs = re.search(r"\n\s+output: (.*)", block)
        reason = re.search(r"\n\s+reason: (.*)", block)
        if outputs:
            for path in outputs.group(1).split(", "):
                made[path.strip()] = reason.group(1) if reason else ""
    return made


def test_killed_run_resumes_without_redoing_finished_work(smoke_run, tmp_path):
    """Kill -9 the whole run a third of the way in; the rerun finishes it.

    Its tables match those of an uninterrupted run of the same config, so two runs of one config
    give identical tables.
    """
    workdir = copy_workflow(tmp_path)
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "tests/smoke.yaml"]
    log_path = tmp_path / "killed.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            cmd, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            if third_of_steps_done(log_path.read_text()):
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the run ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)  # Snakemake and every job it runs, at once
        proc.wait()
    before = output_mtimes(workdir)
    assert before, "nothing was finished before the kill"

    unlock = snakemake(workdir, "--unlock")
    assert unlock.returncode == 0, unlock.stderr[-2000:]
    rerun = snakemake(workdir, timeout=600)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    after = output_mtimes(workdir)
    remade = _rerun_outputs(rerun.stdout + rerun.stderr)
    changed = [str(p) for p, t in before.items() if after.get(p) != t]
    # Only outputs of jobs cut short by the kill are made again, and Snakemake says so: as
    # "Incomplete output files", or, for a job killed after writing some of its outputs, as
    # "Forced execution" (under rerun-incomplete, Snakemake 9's DAG.check_incomplete adds the
    # incomplete files to the forced ones; nothing else forces a job in this rerun).
    for path in changed:
        reason = remade.get(path, "")
        assert "Incomplete output files" in reason or reason == "Forced execution", (path, reason)
    assert len(changed) < len(before), "every finished output was recomputed"
    assert [p for p in (workdir / "results").rglob(".*") if p.is_file()] == []  # no temporaries
    local = json.loads((smoke_run / SMOKE_DIGESTS).read_text())
    assert result_digests(workdir) == local


@pytest.fixture
def finished_copy(smoke_run, tmp_path):
    """A copy of the finished smoke run (results and Snakemake's records) to damage."""
    workdir = tmp_path / "run"
    shutil.copytree(smoke_run, workdir, symlinks=True)
    assert "Nothing to be done" in snakemake(workdir, "--dry-run").stdout
    return workdir


DAMAGE = [
    # (file, how, words the error must contain)
    ("results/networks/training_plateaus/shard0.pt", "truncate", ["cannot read checkpoint"]),
    ("results/data/teacher_student.npz", "garble", ["cannot read dataset"]),
    ("results/tables/symmetry.csv", "truncate", ["table is truncated"]),
]


@pytest.mark.parametrize(("name", "how", "words"), DAMAGE, ids=[d[0] for d in DAMAGE])
def test_damaged_intermediate_file_is_named(finished_copy, name, how, words):
    path = finished_copy / name
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[: len(data) // 3])
    else:
        path.write_bytes(data[:64] + bytes(b ^ 0x5A for b in data[64:]))
    run = snakemake(finished_copy, timeout=600)
    out = run.stdout + run.stderr
    assert run.returncode != 0
    assert f"DataFileError: {name}" in out, out[-3000:]
    for word in words:
        assert word in out, out[-3000:]


# Ten malformed configs, each a different key and kind of mistake, run through real Snakemake.
BAD_CONFIGS = BROKEN[:4] + BROKEN[5:7] + BROKEN[8:9] + BROKEN[11:12] + BROKEN[14:16]


@pytest.mark.parametrize(("change", "words"), BAD_CONFIGS, ids=[str(c) for c, _ in BAD_CONFIGS])
def test_bad_config_stops_snakemake_before_any_job(tmp_path, change, words):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(copy.deepcopy(change)))
    cmd = [sys.executable, "-m", "snakemake", "--cores", "1", "--configfile", str(bad), "-n"]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    out = run.stdout + run.stderr
    assert run.returncode != 0
    assert "bad.yaml" in out and all(w in out for w in words), out[-2000:]
    assert "Building DAG" not in out  # stopped while loading, before any job


def test_figures_only_command_redraws_figures_without_training(finished_copy):
    """`make figures`: every figure again from the tables, and the report; nothing upstream."""
    make = ["make", "-s", "-n", "figures", f"VENV={ROOT / '.venv'}", "CONFIG=tests/smoke.yaml"]
    dry = subprocess.run(make, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    commands = [c for c in dry.stdout.splitlines() if "snakemake" in c]
    assert len(commands) == 2 and "--report" in commands[1]
    before = output_mtimes(finished_copy)
    (finished_copy / "results/figures/symmetry.png").unlink()
    for command in commands:
        run = subprocess.run(
            command, shell=True, cwd=finished_copy, capture_output=True, text=True, timeout=600
        )
        assert run.returncode == 0, run.stderr[-3000:]
    after = output_mtimes(finished_copy)
    redrawn = {p for p in before if after.get(p) != before[p]}
    # Only figures, the report's parts and the report itself were written.
    assert {p.parts[1] for p in redrawn} <= {"figures", "report", "report.html"}, sorted(
        map(str, redrawn)
    )
    assert not any(p.parts[1] in ("tables", "networks", "data", "scores") for p in redrawn)
    assert all(p in redrawn for p in before if p.parts[1] == "figures" and p.suffix == ".png")
    assert (finished_copy / "results/figures/symmetry.png").exists()
    assert (finished_copy / "results/report.html").stat().st_mtime_ns > max(before.values())
