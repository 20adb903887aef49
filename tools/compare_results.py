"""Compare the tables and score files of two result directories, column by column.

    python tools/compare_results.py OLD/results NEW/results

Prints, for every table and score file, ``identical`` (same bytes), or what differs: columns only
in one of them, and the columns whose values differ (with the largest absolute difference for
numbers). Exits 1 when any file differs in more than added columns, so that a refactoring that
must keep its outputs can be checked with one command.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pandas as pd


def tables(root: Path) -> dict[str, Path]:
    """Every table (shards included) and score file under ``root``, by relative path."""
    found = [*root.glob("tables/**/*.csv"), *root.glob("scores/*.csv"), root / "scorecard.csv"]
    return {str(p.relative_to(root)): p for p in sorted(found) if p.exists()}


def compare(old: Path, new: Path) -> tuple[str, bool]:
    """How ``new`` differs from ``old`` (one line), and whether only by added columns."""
    if hashlib.sha256(old.read_bytes()).digest() == hashlib.sha256(new.read_bytes()).digest():
        return "identical", True
    a, b = pd.read_csv(old), pd.read_csv(new)
    added, removed = sorted(set(b) - set(a)), sorted(set(a) - set(b))
    if len(a) != len(b):
        return f"rows {len(a)} -> {len(b)}", False
    changed = []
    for col in [c for c in a if c in b]:
        x, y = a[col], b[col]
        if x.equals(y):
            continue
        try:
            changed.append(f"{col} (max |diff| {float((x - y).abs().max()):.3g})")
        except TypeError:
            changed.append(f"{col} ({int((x.astype(str) != y.astype(str)).sum())} rows)")
    parts = [
        f"added {added}" if added else "",
        f"removed {removed}" if removed else "",
        f"changed {changed}" if changed else "",
    ]
    return "; ".join(p for p in parts if p), not removed and not changed


def main(old_root: str, new_root: str) -> int:
    """Print every file's comparison; 0 when nothing differs but added columns."""
    old, new = tables(Path(old_root)), tables(Path(new_root))
    ok = True
    for name in sorted(set(old) | set(new)):
        if name not in old or name not in new:
            print(f"{name}: only in {'new' if name in new else 'old'}")
            ok = False
            continue
        what, fine = compare(old[name], new[name])
        print(f"{name}: {what}")
        ok &= fine
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
