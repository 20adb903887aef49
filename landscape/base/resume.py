"""Resumable loops: a job killed and resubmitted continues from its last saved state.

A long loop (a critical-point search, a census descent) saves its state every ``every_seconds``
to one file, atomically (:func:`landscape.base.io.save_checkpoint`), under a **fingerprint** of
everything that determines the loop (its inputs and options). On the next run, a state saved
under the same fingerprint is loaded and the loop continues from it; one under another
fingerprint (the config changed) is ignored and overwritten. Since every step is deterministic
given the state, a resumed loop ends exactly where an uninterrupted one does. The file is removed
when the loop finishes.

The files live outside the rule's outputs (``results/resume/<rule>/<wildcards>``, config key
``resume_seconds``), so Snakemake, which deletes the outputs of a failed job, keeps them.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from landscape.base.io import DataFileError, load_checkpoint, save_checkpoint


def fingerprint(*parts: Any) -> str:
    """A SHA-256 hex digest of tensors (their dtype, shape and bytes) and plain values (repr)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, torch.Tensor):
            t = part.detach().cpu().contiguous()
            digest.update(f"{t.dtype}{tuple(t.shape)}".encode())
            digest.update(t.numpy().tobytes())
        else:
            digest.update(repr(part).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Resume:
    """Where and how often a loop saves its state; ``path`` None saves nothing.

    Attributes:
        path: The state file (``.pt``), or None.
        every_seconds: Seconds between saves (0: after every iteration).
        log: Where "resumed" and "saved" lines go (None: silent).
    """

    path: Path | None = None
    every_seconds: float = 60.0
    log: Callable[[str], None] | None = None

    @classmethod
    def from_params(cls, params, log: Callable[[str], None] | None = None) -> Resume:
        """From a rule's ``params.resume`` (the file) and ``params.resume_seconds`` (0: off)."""
        if params.resume_seconds <= 0:
            return cls(None, 0.0, log)
        return cls(Path(params.resume), float(params.resume_seconds), log)

    def part(self, name: str) -> Resume:
        """The same settings for one of several loops of a job (``<path stem>.<name>.pt``)."""
        if self.path is None:
            return self
        return Resume(
            self.path.with_name(f"{self.path.stem}.{name}.pt"), self.every_seconds, self.log
        )

    def load(self, key: str) -> dict | None:
        """The state saved under fingerprint ``key``, or None (no file, another key, damaged)."""
        if self.path is None or not self.path.exists():
            return None
        try:
            state = load_checkpoint(self.path, ["fingerprint"])
        except DataFileError as exc:
            self._say(f"ignoring the unreadable resume file: {exc}")
            return None
        if state["fingerprint"] != key:
            self._say(f"{self.path}: saved by another configuration; starting afresh")
            return None
        return state

    def saver(self, key: str) -> Callable[[dict, bool], None]:
        """save(state, force): writes ``state`` under ``key`` when ``every_seconds`` have passed."""
        last = [time.monotonic()]

        def save(state: dict, force: bool = False) -> None:
            if self.path is None:
                return
            if force or time.monotonic() - last[0] >= self.every_seconds:
                save_checkpoint({**state, "fingerprint": key}, self.path)
                last[0] = time.monotonic()

        return save

    def clear(self) -> None:
        """Remove the state file (the loop finished)."""
        if self.path is not None and self.path.exists():
            self.path.unlink()

    def _say(self, line: str) -> None:
        if self.log is not None:
            self.log(line)


NO_RESUME = Resume()
