"""Logging for pipeline scripts: progress lines, the parameters used, and the wall time.

Every rule's script runs inside :func:`logged`, which writes to the rule's ``log:`` file (and to
stderr), records the start, and ends with a ``wall time`` line, or with the traceback on failure.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import torch

WALL_TIME_PREFIX = "wall time"


@contextlib.contextmanager
def logged(log_path: str | Path, name: str) -> Iterator[logging.Logger]:
    """Log to ``log_path`` and stderr for the duration of the block.

    Args:
        log_path: The rule's log file (overwritten).
        name: The logger's name, usually the rule's name.

    Yields:
        A logger; the block's wall time is logged when it ends.
    """
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(f"landscape.{name}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    fmt = logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s", "%H:%M:%S")
    handlers = [logging.FileHandler(log_path, mode="w"), logging.StreamHandler(sys.stderr)]
    for h in handlers:
        h.setFormatter(fmt)
        logger.addHandler(h)
    start = time.perf_counter()
    logger.info("start (torch %s, %d threads)", torch.__version__, torch.get_num_threads())
    try:
        yield logger
    except BaseException:
        logger.exception("failed after %.2f s", time.perf_counter() - start)
        raise
    else:
        logger.info("%s %.2f s", WALL_TIME_PREFIX, time.perf_counter() - start)
    finally:
        for h in handlers:
            logger.removeHandler(h)
            h.close()


# Seconds between progress lines of long loops (searches, descents, training): at least one a
# minute, as a user watching a cluster job's log expects.
PROGRESS_SECONDS = 30.0


class Progress:
    """Progress lines of a long loop, at most one per :data:`PROGRESS_SECONDS`.

    Each line ends with the elapsed time and, when the loop's length is known, an estimate of
    the time left (elapsed / done * (total - done): an upper bound where later iterations are
    cheaper, as they are when finished starts drop out).
    """

    def __init__(
        self,
        log: Callable[[str], None] | None,
        total: int | None = None,
        every: float | None = None,
    ):
        """``log`` takes one line (None: silent); ``total`` is the loop's length, if known.

        ``every`` defaults to :data:`PROGRESS_SECONDS` (read when the loop starts).
        """
        self.log, self.total = log, total
        self.every = PROGRESS_SECONDS if every is None else every
        self.start = self.last = time.monotonic()

    def due(self) -> bool:
        """Whether a line is due (``every`` seconds since the last one, or the start)."""
        return self.log is not None and time.monotonic() - self.last >= self.every

    def report(self, done: int, message: str, force: bool = False) -> None:
        """Log ``message`` with the elapsed and estimated remaining time, if a line is due.

        ``done`` counts the loop's finished iterations; ``force`` logs even when none is due.
        """
        if self.log is None or not (force or self.due()):
            return
        self.last = time.monotonic()
        elapsed = self.last - self.start
        left = ""
        if self.total and done > 0:
            left = f", about {elapsed / done * max(self.total - done, 0):.0f} s left at most"
        self.log(f"{message} ({elapsed:.0f} s{left})")
