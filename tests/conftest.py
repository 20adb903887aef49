"""Shared fixtures: the repository root, and the devices every numerical test runs on."""

from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture(params=DEVICES)
def device(request) -> torch.device:
    """Every available device: the CPU always, CUDA where a GPU is visible."""
    return torch.device(request.param)
