"""Device selection: `auto` falls back to the CPU; `cuda` without a GPU is a clear error."""

import pytest
import torch

from landscape.engine.device import DeviceError, resolve_device


def test_cpu_and_auto():
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected


def test_cuda_request():
    if torch.cuda.is_available():
        assert resolve_device("cuda").type == "cuda"
    else:
        with pytest.raises(DeviceError, match="is .cuda. but torch sees no GPU"):
            resolve_device("cuda")


def test_unknown_device_names_the_key():
    with pytest.raises(DeviceError, match="config key 'device': unknown device 'tpu'"):
        resolve_device("tpu")


def test_keep_freed_memory_sets_glibc_thresholds_or_says_it_did_not():
    import ctypes.util

    from landscape.engine.device import keep_freed_memory

    done = keep_freed_memory()
    assert isinstance(done, bool)
    if ctypes.util.find_library("c") and "glibc" in " ".join(__import__("platform").libc_ver()):
        assert done
