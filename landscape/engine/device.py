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
