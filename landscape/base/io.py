"""Atomic writes and checked readers for the pipeline's files.

Every file the pipeline writes goes first to a temporary name in the same directory and is renamed
into place only once complete, so a killed job never leaves a half-written file under the final
name. Every reader names the file it failed on.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd


class DataFileError(RuntimeError):
    """A pipeline file is missing, truncated, corrupted or lacks an expected field."""


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Delete temporaries that an earlier, killed writer of ``path`` left beside it.

    :func:`atomic_path` writes to ``.<stem>.<8 random characters><suffix>``; a writer killed with
    ``kill -9`` cannot remove it. Only one job ever writes a given output, so any such file is
    stale once a new writer of ``path`` starts.

    Returns:
        The files removed.
    """
    path = Path(path)
    pattern = re.compile(rf"\.{re.escape(path.stem)}\.[A-Za-z0-9_]{{8}}{re.escape(path.suffix)}")
    stale = [p for p in path.parent.glob(f".{path.stem}.*") if pattern.fullmatch(p.name)]
    for p in stale:
        p.unlink(missing_ok=True)
    return stale


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` if the block succeeds.

    The temporary file keeps the suffix of ``path`` so that writers which pick a format from the
    suffix (matplotlib, numpy) behave as for the final name. On error the temporary file is removed
    and ``path`` is left untouched.

    Args:
        path: The final destination.

    Yields:
        A path in the same directory to write to.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_table(df: pd.DataFrame, path: str | os.PathLike, float_format: str = "%.17g") -> None:
    """Write a tidy table as CSV, atomically, with full float64 precision by default.

    Args:
        df: The table.
        path: Destination ``.csv`` path.
        float_format: printf format of floats; the default round-trips every float64. A
            quantity measured to fewer digits (a wall time) passes its own, e.g. ``%.2f``.
    """
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, float_format=float_format)


def read_table(path: str | os.PathLike, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a CSV table, raising :class:`DataFileError` naming the file on any problem.

    A table whose last line lacks its newline was cut off (every table is written whole, with a
    final newline, by :func:`write_table`), so it is refused rather than read short.

    Args:
        path: The ``.csv`` file.
        columns: Columns that must be present.

    Returns:
        The table.
    """
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            if f.tell() > 0:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":  # write_table ends every table with a newline
                    raise DataFileError(f"{path}: table is truncated (its last line is cut off)")
        df = pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataFileError(f"{path}: cannot read table ({exc})") from exc
    missing = [c for c in columns or [] if c not in df.columns]
    if missing:
        raise DataFileError(f"{path}: table lacks columns {missing}; it has {list(df.columns)}")
    return df


def save_checkpoint(payload: dict, path: str | os.PathLike) -> None:
    """Write a checkpoint (a dict of tensors and plain values) atomically with ``torch.save``.

    Args:
        payload: Tensors are moved to the CPU first so the file loads on any machine.
        path: Destination ``.pt`` path.
    """
    import torch

    cpu = {k: v.cpu() if isinstance(v, torch.Tensor) else v for k, v in payload.items()}
    with atomic_path(path) as tmp:
        torch.save(cpu, tmp)


def load_checkpoint(path: str | os.PathLike, keys: list[str]) -> dict:
    """Read a checkpoint written by :func:`save_checkpoint`, checking it holds ``keys``.

    Args:
        path: The ``.pt`` file.
        keys: Entries that must be present.

    Returns:
        The checkpoint's dictionary.

    Raises:
        DataFileError: Naming the file when it is missing, truncated, corrupted or incomplete.
    """
    import torch

    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for damaged files
        raise DataFileError(
            f"{path}: cannot read checkpoint ({type(exc).__name__}: {exc})"
        ) from exc
    if not isinstance(payload, dict):
        raise DataFileError(f"{path}: checkpoint is a {type(payload).__name__}, not a dict")
    missing = [k for k in keys if k not in payload]
    if missing:
        raise DataFileError(f"{path}: checkpoint lacks entries {missing}")
    return payload


def join_tables(inputs, outputs, log: Callable[..., None] = print) -> None:
    """Join per-case (per-shard) tables into one table per output, in input order.

    Args:
        inputs: Named lists of table paths (Snakemake's ``input``), one list per output name.
        outputs: Named destination paths (Snakemake's ``output``).
        log: Progress callback (``log(fmt, *args)``).
    """
    for name, path in outputs.items():
        parts = [read_table(p) for p in inputs[name]]
        table = pd.concat(parts, ignore_index=True)
        log("%s: %d shards, %d rows -> %s", name, len(parts), len(table), path)
        write_table(table, path)
