"""Suggest each heavy rule's ``mem_mb`` and ``runtime`` from Snakemake's benchmark files.

    python tools/resources_from_benchmarks.py results/benchmarks

For every rule (one folder or file per rule under the benchmark directory) it prints the largest
peak memory (``max_rss``, MB) and wall time (``s``) over its jobs, and the resources set from them
with headroom: memory x2 rounded up to 500 MB (at least 1000), runtime x3 in minutes rounded up
to 10 (at least 10). The rules' ``resources:`` are written from this table, by hand.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd


def measured(root: Path) -> pd.DataFrame:
    """One row per rule: jobs, largest max_rss (MB) and wall time (s)."""
    rows = []
    for path in sorted(root.rglob("*.tsv")):
        rule = path.parent.name if path.parent != root else path.stem
        bench = pd.read_csv(path, sep="\t")
        rows.append({"rule": rule, "max_rss": bench["max_rss"].max(), "s": bench["s"].max()})
    table = pd.DataFrame(rows)
    return (
        table.groupby("rule")
        .agg(jobs=("s", "size"), max_rss=("max_rss", "max"), s=("s", "max"))
        .reset_index()
    )


def suggested(row) -> tuple[int, int]:
    """(mem_mb, runtime in minutes) with headroom."""
    mem = max(1000, 500 * math.ceil(2 * float(row.max_rss) / 500))
    runtime = max(10, 10 * math.ceil(3 * float(row.s) / 60 / 10))
    return mem, runtime


def main(root: str) -> int:
    """Print the measured and suggested resources of every benchmarked rule."""
    table = measured(Path(root))
    print(f"{'rule':34} {'jobs':>4} {'max_rss MB':>10} {'wall s':>8} {'mem_mb':>7} {'runtime':>7}")
    for row in table.itertuples():
        mem, runtime = suggested(row)
        print(f"{row.rule:34} {row.jobs:4d} {row.max_rss:10.0f} {row.s:8.1f} {mem:7d} {runtime:7d}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "results/benchmarks"))
