"""Choosing the torch device from the config's ``device: auto | cpu | cuda``."""

from __future__ import annotations

import torch


class DeviceError(RuntimeError):
    """The requested device is not available."""


def resolve_device(name: str) -> torch.device:
    """Turn the config's device name into a :class:`torch.device`.

    Args:
        name: ``auto`` (CUDA when torch sees a GPU, else CPU), ``cpu`` or ``cuda``.

    Returns:
        The device to compute on.

    Raises:
        DeviceError: If ``cuda`` is asked for and no GPU is visible, or the name is unknown.
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(
                "config key 'device' is 'cuda' but torch sees no GPU "
                f"(torch {torch.__version__}, CUDA build: {torch.version.cuda}); "
                "use 'auto' or 'cpu', or install the CUDA build of torch"
            )
        return torch.device("cuda")
    raise DeviceError(f"config key 'device': unknown device '{name}' (use auto, cpu or cuda)")


# glibc's mallopt parameters (malloc.h): M_TRIM_THRESHOLD and M_MMAP_THRESHOLD.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def keep_freed_memory(threshold_bytes: int = 1 << 25) -> bool:
    """Ask glibc's malloc to reuse freed blocks instead of returning them to the system.

    Loops over many mid-sized tensors (a batch of B networks' (B, m, n) activations is about 1 MB
    at B = 64, m = 128, n = 16) otherwise get fresh pages from ``mmap`` for each new tensor and
    pay a page fault per 4 KB touched: on this project's machine a batched J_g step of 64
    16-16-16 tanh networks took 29 ms that way and 9.8-12.6 ms with both thresholds raised
    (``bench/published_runs.py``). Raising M_MMAP_THRESHOLD and M_TRIM_THRESHOLD to
    ``threshold_bytes`` (32 MB, glibc's largest mmap threshold on 64-bit) keeps such blocks in
    the heap (the process's memory no longer shrinks
    after a peak, which these jobs do not need). The same as setting the environment variables
    MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ before the process starts.

    Returns:
        Whether both were set (False where the C library is not glibc, e.g. macOS: nothing done).
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    ok_mmap = mallopt(_M_MMAP_THRESHOLD, threshold_bytes) == 1
    ok_trim = mallopt(_M_TRIM_THRESHOLD, threshold_bytes) == 1
    return ok_mmap and ok_trim
