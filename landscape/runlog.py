"""Logging for pipeline scripts: progress lines, the parameters used, and the wall time.

Every rule's script runs inside :func:`logged`, which writes to the rule's ``log:`` file (and to
stderr), records the start, and ends with a ``wall time`` line, or with the traceback on failure.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator
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
