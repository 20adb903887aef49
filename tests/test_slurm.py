"""The workflow on a real SLURM cluster: smoke config through the slurm executor, with a fault.

A private single-node cluster (munge, MariaDB, slurmdbd, slurmctld, slurmd) is started from Debian's
packages by ``tests/slurm/cluster.sh`` (root; ``.ci/run`` installs the packages). The smoke config
is submitted with the repository's workflow profile; once a third of its jobs are done, one running
job is killed with ``scancel``. The run must report that job as failed and stop; a rerun must
finish the workflow without resubmitting any finished job. Then sacct must show every job
COMPLETED (the cancelled one CANCELLED), each rule-and-wildcards once, and the tables must be
byte-identical to the local smoke run's. Deselect with ``pytest -m "not slurm"`` where there is
no root.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import (
    ROOT,
    SMOKE_DIGESTS,
    copy_workflow,
    output_mtimes,
    require_program,
    result_digests,
    third_of_steps_done,
)

pytestmark = [pytest.mark.slurm, pytest.mark.timeout(3600)]  # above the sum of the limits below
CLUSTER = ROOT / "tests" / "slurm" / "cluster.sh"
FIRST_RUN_S, RERUN_S = 1200, 900  # wall-clock limits: a hang fails the test, never stalls CI
# The sub-DAG submitted: four sections' verdicts, through their per-shard and per-case jobs (every
# kind of job: datasets, training shards, Hessians, searches, joins, scores). Each SLURM job
# starts a Snakemake of its own, so the whole smoke DAG took 7 minutes of CI here; the rest of it
# runs locally in the smoke run.
TARGETS = [
    "results/scores/training_plateaus.csv",
    "results/scores/deep_linear_saddles.csv",
    "results/scores/relu_spurious.csv",
    "results/scores/index_vs_loss.csv",
]


def _sh(env, *cmd, timeout=60):
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def cluster():
    """Start the cluster, yield the environment that points clients at it, stop its daemons."""
    for program in ("slurmctld", "slurmd", "sbatch", "sacct", "munged", "mariadbd", "slurmdbd"):
        require_program(program, why="the SLURM test")
    run_dir = Path(tempfile.mkdtemp(prefix="landscape-slurm-"))
    run_dir.chmod(0o755)  # the munge and mysql users must reach their directories
    env = {**os.environ, "LANDSCAPE_SLURM_DIR": str(run_dir)}
    try:
        start = _sh(env, "bash", str(CLUSTER), "start", timeout=300)
    except subprocess.TimeoutExpired:
        _sh(env, "bash", str(CLUSTER), "stop", timeout=120)
        pytest.fail(f"SLURM cluster did not start within 300 s ({CLUSTER} start)")
    if start.returncode != 0:
        pytest.fail(
            f"SLURM cluster did not start ({CLUSTER} start, exit {start.returncode}):\n"
            + start.stderr[-4000:]
        )
    pids = (run_dir / "pids").read_text().split()
    yield env
    stop = _sh(env, "bash", str(CLUSTER), "stop", timeout=120)
    assert stop.returncode == 0, stop.stderr
    alive = [p for p in pids if Path(f"/proc/{p}").exists()]
    assert alive == [], f"daemons still running after stop: {alive}"
    shutil.rmtree(run_dir, ignore_errors=True)  # its database and logs


def _submitted(log: str) -> list[str]:
    """SLURM job ids that Snakemake reports having submitted."""
    return re.findall(r"has been submitted with SLURM jobid (\d+)", log)


def _run_workflow(workdir, env, limit_s, on_poll=None):
    """Run the smoke config through the SLURM profile; ``on_poll(log_text)`` every half second."""
    cmd = [sys.executable, "-m", "snakemake", "--workflow-profile", "profiles/slurm"]
    cmd += ["--configfile", "tests/smoke.yaml", "--jobs", "4", *TARGETS]
    log_path = workdir / f"snakemake-{time.monotonic_ns()}.log"
    start = time.monotonic()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            while proc.poll() is None:
                if time.monotonic() - start > limit_s:
                    pytest.fail(
                        f"SLURM run still going after {limit_s} s (killed):\n"
                        + log_path.read_text()[-4000:]
                    )
                if on_poll is not None:
                    on_poll(log_path.read_text())
                time.sleep(0.5)
        finally:  # whatever stopped the loop (a limit, a failed check), leave nothing running
            if proc.poll() is None:
                proc.kill()
                proc.wait()
                _sh(env, "scancel", "--user", "root")
    print(f"SLURM run: {time.monotonic() - start:.0f} s, exit {proc.returncode}")
    return proc.returncode, log_path.read_text()


def _sacct(env, job_ids):
    """``{job id: (state, comment)}`` for the given jobs, from the accounting database."""
    fields = "JobIDRaw,State,Comment"
    out = _sh(env, "sacct", "-X", "-n", "-P", "-o", fields, "-j", ",".join(job_ids))
    assert out.returncode == 0, out.stderr
    rows = [line.split("|", 2) for line in out.stdout.splitlines() if line]
    return {job: (state, comment) for job, state, comment in rows}


def test_smoke_config_on_slurm_survives_a_cancelled_job(cluster, smoke_run, tmp_path):
    env = cluster
    workdir = copy_workflow(tmp_path)
    cancelled = {}

    def cancel_one_running_job(log):
        """Once a third of the steps are done, scancel one RUNNING job (retry if it just ended)."""
        if cancelled.get("state", "").startswith("CANCELLED"):
            return
        if not third_of_steps_done(log):
            return
        if "job" in cancelled:  # cancelled earlier: did it take, or had the job finished?
            state = _sacct(env, [cancelled["job"]]).get(cancelled["job"], ("", ""))[0]
            if state.startswith("CANCELLED"):
                cancelled["state"] = state
                return
            if state in ("PENDING", "RUNNING", "") or state.startswith("COMPLETING"):
                return  # not settled yet
        running = _sh(env, "squeue", "-h", "-t", "RUNNING", "-o", "%i|%k").stdout.split()
        if running:
            job, comment = running[0].split("|", 1)
            _sh(env, "scancel", job)
            cancelled.update(job=job, comment=comment)

    rc, first = _run_workflow(workdir, env, FIRST_RUN_S, cancel_one_running_job)
    job = cancelled.get("job")
    print(f"cancelled SLURM job {job} ({cancelled.get('comment')})")
    assert job is not None, "no running job was found to cancel:\n" + first[-3000:]
    assert rc != 0, "the run with a cancelled job exited 0:\n" + first[-3000:]
    assert f"SLURM-job '{job}' failed, SLURM status is: 'CANCELLED'" in first, first[-3000:]
    assert "Exiting because a job execution failed" in first, first[-3000:]
    finished = output_mtimes(workdir)
    assert finished, "the first run left no outputs"

    rc, rerun = _run_workflow(workdir, env, RERUN_S)
    assert rc == 0, rerun[-4000:]
    assert output_mtimes(workdir).items() >= finished.items(), "finished outputs were recomputed"

    # Every job went through SLURM: COMPLETED in sacct, each rule and wildcards exactly once,
    # except the cancelled one, which is there twice.
    ids = _submitted(first) + _submitted(rerun)
    accounting = _sacct(env, ids)
    assert sorted(accounting) == sorted(ids), "sacct lacks jobs that Snakemake submitted"
    states = {state for j, (state, _) in accounting.items() if j != job}
    assert states == {"COMPLETED"}, accounting
    assert accounting[job][0].startswith("CANCELLED"), accounting[job]
    comments = [comment for _, comment in accounting.values()]
    repeated = {c for c in comments if comments.count(c) > 1}
    assert repeated == {cancelled["comment"]}, repeated
    scored = {c for c in comments if c.startswith("rule_score_wildcards_")}  # one per target
    assert len(scored) == len(TARGETS) and len(comments) >= 15, comments

    # The tables are those of the local run of the same config, byte for byte.
    local = json.loads((smoke_run / SMOKE_DIGESTS).read_text())
    on_slurm = result_digests(workdir)
    assert on_slurm.keys() <= local.keys() and len(on_slurm) >= 15, sorted(on_slurm)
    differing = [name for name in on_slurm if local[name] != on_slurm[name]]
    assert differing == [], differing
