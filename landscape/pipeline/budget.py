"""The default run's CPU budget, in units of a calibration measured in the same run.

A job's wall time depends on the machine: the same code ran 1.2-1.8 times slower, job for job, on
another 2-core machine of the kind CI uses (issue 31). The budget is therefore not stated in
seconds but in *calibration units*: rule ``calibration`` times a fixed float64 workload
(:func:`calibrate`: dense matrix products and a symmetric eigendecomposition, the two kernels
that dominate this pipeline's jobs, on one thread as every job runs) in the same run, and each
job's wall time is divided by it.

The budget (ours, from issue 31): the default run's jobs sum to at most 30 CPU-minutes on the
slower machine, so that 2 cores finish it in 20 minutes with room for the section 4 work to
come, and no job takes more than about 4 minutes there. In units: :data:`BUDGET_UNITS` and
:data:`LONGEST_UNITS`, from the calibration measured on the development machine
(:data:`DEV_CALIBRATION_S`) times :data:`SLOWER_FACTOR`, the middle of the measured 1.2-1.8.

Run as ``python -m landscape.pipeline.budget results/report`` (``make budget``) it prints the
check of a finished run (``run_statistics.csv`` and ``calibration.csv`` there) and exits 1 when
the run is over budget; ``--calibrate`` prints this machine's calibration.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from landscape.base.io import read_table

# The calibration workload: CALIBRATION_MATMULS products of two N x N float64 matrices and one
# symmetric eigendecomposition of an N x N matrix, on one thread; CALIBRATION_REPEATS timings,
# the median kept (the fastest would flatter a machine whose other core is busy).
CALIBRATION_N = 512
CALIBRATION_MATMULS = 24
CALIBRATION_REPEATS = 9
CALIBRATION_SEED = 0

# The calibration on the development machine as a default run measures it (rule calibration
# beside another job: 0.260 s on 2026-12-03; 0.205 s alone, `python -m landscape.pipeline.budget
# --calibrate`: the busy other core slows it as it slows every job), and how much slower the
# slower 2-core machines ran the same jobs (issue 31: 1.2-1.8 job for job; the middle taken).
DEV_CALIBRATION_S = 0.26
SLOWER_FACTOR = 1.5
SLOWER_CALIBRATION_S = DEV_CALIBRATION_S * SLOWER_FACTOR
BUDGET_SLOWER_S = 30 * 60  # the jobs' sum, on the slower machine
LONGEST_SLOWER_S = 4 * 60  # the longest job, on the slower machine
BUDGET_UNITS = BUDGET_SLOWER_S / SLOWER_CALIBRATION_S
LONGEST_UNITS = LONGEST_SLOWER_S / SLOWER_CALIBRATION_S

CALIBRATION_COLUMNS = ["calibration_s", "repeats", "n", "matmuls"]  # results/report/calibration.csv


def calibration_table(seconds: float) -> pd.DataFrame:
    """Rule ``calibration``'s one-row table: the time and the workload it measured."""
    row = [seconds, CALIBRATION_REPEATS, CALIBRATION_N, CALIBRATION_MATMULS]
    return pd.DataFrame([row], columns=CALIBRATION_COLUMNS)


def read_calibration(path: str | Path) -> float:
    """A run's calibration (s), from rule ``calibration``'s table.

    Raises:
        DataFileError: For a missing, cut-off or malformed table.
    """
    return float(read_table(path, CALIBRATION_COLUMNS)["calibration_s"].iloc[0])


def _workload(a) -> float:
    """The fixed float64 work on ``a`` (N, N): matrix products, then a symmetric eigensolve."""
    import torch

    b = a
    for _ in range(CALIBRATION_MATMULS):
        b = (a @ b) / CALIBRATION_N  # (N, N), kept of order one
    return float(torch.linalg.eigvalsh(b + b.T)[-1])


def calibrate(repeats: int = CALIBRATION_REPEATS) -> float:
    """The median wall time (s) of the calibration workload on this machine, now, on one thread.

    Raises:
        ValueError: For fewer than one repeat.
    """
    import torch

    if repeats < 1:
        raise ValueError(f"calibration needs at least one repeat, got {repeats}")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as every job runs
    try:
        gen = torch.Generator().manual_seed(CALIBRATION_SEED)
        a = torch.randn(CALIBRATION_N, CALIBRATION_N, dtype=torch.float64, generator=gen)
        _workload(a)  # warm the caches and the BLAS
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            _workload(a)
            times.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(threads)
    return statistics.median(times)


@dataclass(frozen=True)
class BudgetCheck:
    """A run's jobs against the budget, in calibration units (job seconds / calibration)."""

    calibration_s: float  # this run's calibration
    total_s: float  # the jobs' wall times summed
    longest_s: float  # the longest job
    longest_log: str  # its log
    shares: dict[str, float]  # seconds per section ("0".."4", "pipeline")

    @property
    def total_units(self) -> float:
        """The sum in calibration units."""
        return self.total_s / self.calibration_s

    @property
    def longest_units(self) -> float:
        """The longest job in calibration units."""
        return self.longest_s / self.calibration_s

    @property
    def within(self) -> bool:
        """Whether the sum and the longest job are within the budget."""
        return self.total_units <= BUDGET_UNITS and self.longest_units <= LONGEST_UNITS

    def lines(self) -> list[str]:
        """The check, for a person: sum, longest, shares, each also on the slower machine."""
        slower = SLOWER_CALIBRATION_S / self.calibration_s  # this machine's s -> slower's s
        out = [
            f"calibration {self.calibration_s:.3f} s (the slower machine: "
            f"{SLOWER_CALIBRATION_S:.3f} s)",
            f"sum of jobs {self.total_s:.0f} s = {self.total_units:.0f} units "
            f"(budget {BUDGET_UNITS:.0f}); on the slower machine {self.total_s * slower / 60:.1f} "
            f"of {BUDGET_SLOWER_S / 60:.0f} CPU-min",
            f"longest job {self.longest_log}: {self.longest_s:.0f} s = {self.longest_units:.0f} "
            f"units (limit {LONGEST_UNITS:.0f}); on the slower machine "
            f"{self.longest_s * slower / 60:.1f} of {LONGEST_SLOWER_S / 60:.0f} min",
        ]
        for name, seconds in self.shares.items():
            out.append(
                f"  section {name}: {seconds:.0f} s, {seconds / self.calibration_s:.0f} units, "
                f"{100 * seconds / self.total_s:.0f}% of the sum"
            )
        out.append("within budget" if self.within else "OVER BUDGET")
        return out


def check(stats: pd.DataFrame, calibration_s: float) -> BudgetCheck:
    """The budget check of a run's statistics, against its calibration.

    Args:
        stats: Columns ``log``, ``rule``, ``section``, ``wall_time_s`` (one row per job).
        calibration_s: The run's calibration (s).

    Raises:
        ValueError: For an empty table or a calibration that is not positive.
    """
    if stats.empty:
        raise ValueError("no finished jobs in the run statistics: nothing to check")
    if not calibration_s > 0:
        raise ValueError(f"the calibration must be positive, got {calibration_s}")
    longest = stats.loc[stats["wall_time_s"].idxmax()]
    shares = stats.groupby("section", sort=True)["wall_time_s"].sum()
    return BudgetCheck(
        calibration_s=float(calibration_s),
        total_s=float(stats["wall_time_s"].sum()),
        longest_s=float(longest["wall_time_s"]),
        longest_log=str(longest["log"]),
        shares={str(k): float(v) for k, v in shares.items()},
    )


def main(argv: list[str]) -> int:
    """``budget REPORT_DIR``: print the check of a finished run, 1 if over; ``--calibrate``."""
    if argv == ["--calibrate"]:
        print(f"calibration: {calibrate():.4f} s (median of {CALIBRATION_REPEATS})")
        return 0
    if len(argv) != 1:
        print(
            "usage: python -m landscape.pipeline.budget results/report\n"
            "       python -m landscape.pipeline.budget --calibrate",
            file=sys.stderr,
        )
        return 2
    stats_path = Path(argv[0]) / "run_statistics.csv"
    calibration_path = Path(argv[0]) / "calibration.csv"
    for path in (stats_path, calibration_path):
        if not path.exists():
            print(f"{path}: no such file; run the pipeline first (make run)", file=sys.stderr)
            return 2
    stats = pd.read_csv(stats_path)
    result = check(stats, read_calibration(calibration_path))
    print("\n".join(result.lines()))
    return 0 if result.within else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
