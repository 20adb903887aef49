"""Exact Hessians against torch.autograd.functional.hessian (float64), on every device."""

import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from landscape.engine.curvature import (
    DEFAULT_VECTOR_CHUNK,
    MIN_VECTOR_CHUNK,
    CurvatureOptions,
    HessianMethod,
    SpectrumMethod,
    batched_hessians,
    grad_norm_sq,
    hessian_bytes,
    hvp_vector_bytes,
    make_hessian,
    make_hessian_hvp,
    make_hessian_mlp,
    make_hvp,
    networks_per_chunk,
    point_spectra,
    vectors_per_chunk,
)
from landscape.engine.models import MLP, TwoLayerReLU, deep_linear, init_params, make_loss
from landscape.engine.spectrum import spectra, summarize_spectrum


def _data(model, loss, device, n=9, seed=1):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, model.widths[0], dtype=torch.float64, generator=gen).to(device)
    if loss == "cross_entropy":
        y = torch.randint(0, model.widths[-1], (n,), generator=gen).to(device)
    else:
        y = torch.randn(n, model.widths[-1], dtype=torch.float64, generator=gen).to(device)
    return x, y


def _params(model, device, k=3):
    gen = torch.Generator().manual_seed(7)
    noise = 0.3 * torch.randn(k, model.n_params, dtype=torch.float64, generator=gen)
    base = torch.stack([init_params(model, s) for s in range(k)])
    return (base + noise).to(device)  # non-zero biases, off any symmetric point


def _reference(loss_fn, theta):
    return torch.autograd.functional.hessian(loss_fn, theta)


ARCHS = [(4, 3, 3), (4, 5, 3, 2), (3, 4, 2, 3, 3)]  # 1, 2 and 3 hidden layers


@pytest.mark.parametrize("widths", ARCHS, ids=lambda w: "-".join(map(str, w)))
@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize("bias", [True, False])
def test_structured_mlp_hessian_matches_autograd(widths, activation, loss, bias, device):
    model = MLP(widths, activation, bias)
    x, y = _data(model, loss, device)
    params = _params(model, device)
    loss_fn = make_loss(model, loss, x, y)
    hess = make_hessian_mlp(model, loss, x, y, sample_chunk=4)  # 3 passes over 9 samples
    for theta in params:
        torch.testing.assert_close(hess(theta), _reference(loss_fn, theta), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "model",
    [MLP((4, 3, 3), "tanh"), deep_linear((3, 4, 4, 2)), TwoLayerReLU(input_dim=4, n_hidden=3)],
    ids=["mlp", "deep_linear", "two_layer_relu"],
)
def test_generic_hvp_hessian_matches_autograd(model, device):
    loss = "cross_entropy" if isinstance(model, MLP) and model.bias else "mse"
    x, y = _data(model, loss, device)
    loss_fn = make_loss(model, loss, x, y)
    hess = make_hessian_hvp(loss_fn, vector_chunk=5)
    for theta in _params(model, device, k=2):
        torch.testing.assert_close(hess(theta), _reference(loss_fn, theta), rtol=1e-12, atol=1e-14)
        v = torch.linspace(-1, 1, model.n_params, dtype=torch.float64, device=device)
        torch.testing.assert_close(make_hvp(loss_fn)(theta, v), _reference(loss_fn, theta) @ v)


def test_batched_equals_looped_and_chunks_agree(device):
    model = MLP((5, 4, 3), "tanh")
    x, y = _data(model, "cross_entropy", device, n=20)
    params = _params(model, device, k=5)
    hess = make_hessian(model, "cross_entropy", x, y)
    batched = batched_hessians(hess, params, chunk_size=2)
    looped = torch.stack([hess(theta) for theta in params])
    torch.testing.assert_close(batched, 0.5 * (looped + looped.mT), rtol=0, atol=1e-15)
    whole = make_hessian_mlp(model, "cross_entropy", x, y, sample_chunk=None)
    torch.testing.assert_close(whole(params[0]), looped[0], rtol=1e-13, atol=1e-15)
    gns = grad_norm_sq(make_loss(model, "cross_entropy", x, y), params)
    for k, theta in enumerate(params):
        g = torch.autograd.functional.jacobian(make_loss(model, "cross_entropy", x, y), theta)
        torch.testing.assert_close(gns[k], (g * g).sum(), rtol=1e-13, atol=0)


def test_method_dispatch_and_errors():
    model = MLP((2, 2, 2))
    x, y = torch.zeros(3, 2, dtype=torch.float64), torch.zeros(3, dtype=torch.long)
    with pytest.raises(ValueError, match="unknown Hessian method"):
        make_hessian(model, "mse", x, y, method="bfgs")
    with pytest.raises(ValueError, match="needs an MLP"):
        make_hessian(TwoLayerReLU(2, 2), "mse", x, x[:, :1], method="structured")
    with pytest.raises(ValueError, match="integer class labels"):
        make_hessian_mlp(model, "cross_entropy", x, x, None)
    assert networks_per_chunk(2**20, 3.0) == 3 and networks_per_chunk(10 * 2**20, 1.0) == 1
    # digits 64-8-10 on 1,437 samples: the per-sample outer products (65 x 65 per sample) dominate.
    digits = MLP((64, 8, 10))
    per_net = hessian_bytes(digits, 1437)
    assert per_net >= 3 * 1437 * (65 * 65 + 8 * 8) * 8 + 4 * 610**2 * 8
    assert hessian_bytes(digits, 1437, sample_chunk=100) < per_net
    assert networks_per_chunk(per_net, 4096) < 40


def test_hvp_path_counts_its_vector_temporaries():
    """The HVP path's bytes grow with samples and vector chunk, and its chunk with the budget."""
    model = MLP((10, 20, 5), "tanh")
    structured = hessian_bytes(model, 1000, method="structured")
    hvp = hessian_bytes(model, 1000, method="hvp", vector_chunk=256)
    assert hvp == 5 * 325**2 * 8 + 256 * hvp_vector_bytes(model, 1000) > 20 * structured
    assert hvp_vector_bytes(model, 2000) > 1.9 * hvp_vector_bytes(model, 1000)
    assert hessian_bytes(model, 1000, method="hvp", vector_chunk=16) < hvp / 10
    assert hessian_bytes(TwoLayerReLU(4, 3), 50) > 5 * 12**2 * 8  # not an MLP: the HVP path
    assert vectors_per_chunk(model, 1000, 4096) == DEFAULT_VECTOR_CHUNK
    assert vectors_per_chunk(model, 1000, 0.01) == MIN_VECTOR_CHUNK
    middle = vectors_per_chunk(model, 1000, 200)
    assert MIN_VECTOR_CHUNK < middle < DEFAULT_VECTOR_CHUNK
    within = hessian_bytes(model, 1000, method="hvp", vector_chunk=middle)
    assert within <= 200 * 2**20 < within + hvp_vector_bytes(model, 1000)
    options = CurvatureOptions(hessian_method="hvp", memory_budget_mb=200)
    assert options.networks_per_chunk(model, 1000) == 1
    assert options.vector_chunk(model, 1000) == middle


def test_closed_form_saddles(device):
    origin2 = torch.zeros(1, 2, dtype=torch.float64, device=device)
    h2 = batched_hessians(make_hessian_hvp(lambda w: (1 - w[0] * w[1]) ** 2), origin2)[0]
    torch.testing.assert_close(
        spectra(h2), torch.tensor([-2.0, 2.0], dtype=torch.float64, device=device)
    )
    s2 = summarize_spectrum(spectra(h2), factor=10.0)
    assert (s2.n_negative, s2.n_positive, s2.definiteness) == (1, 1, "indefinite")
    origin3 = torch.zeros(1, 3, dtype=torch.float64, device=device)
    h3 = batched_hessians(make_hessian_hvp(lambda w: (1 - w[0] * w[1] * w[2]) ** 2), origin3)[0]
    assert torch.count_nonzero(h3) == 0
    assert summarize_spectrum(spectra(h3), factor=10.0).definiteness == "zero"
    # The same two losses as one-unit deep linear networks on x = y = 1, via the structured path.
    one = torch.ones(1, 1, dtype=torch.float64, device=device)
    for depth, expected in ((2, [-1.0, 1.0]), (3, [0.0, 0.0, 0.0])):
        net = deep_linear((1,) * (depth + 1))
        zero = torch.zeros(depth, dtype=torch.float64, device=device)
        # mse is 1/2 (1 - w1 w2 ...)^2: half the toy loss, so half its eigenvalues.
        h = make_hessian_mlp(net, "mse", one, one)(zero)
        torch.testing.assert_close(
            spectra(h[None])[0], torch.tensor(expected, dtype=torch.float64, device=device)
        )


def overflowing_curvature(w: torch.Tensor) -> torch.Tensor:
    """The loss exp(w3) w1^2 + w2^2, whose curvature 2 exp(w3) along w1 overflows.

    At w3 = 709.7 and w1 = 1e-160 the loss and gradient are finite, the Hessian is not.
    """
    return torch.exp(w[2]) * w[0] ** 2 + w[1] ** 2


@pytest.mark.parametrize("spectrum", list(SpectrumMethod))
def test_point_spectra_label_a_non_finite_hessian(spectrum):
    """A finite point whose Hessian holds inf or NaN is labelled, never classified."""
    points = torch.tensor([[0.1, 0.2, 0.0], [1e-160, 0.5, 709.7], [0.3, -0.1, 0.5]]).double()
    loss_fn = overflowing_curvature
    assert all(math.isfinite(float(loss_fn(w))) for w in points)
    assert torch.isfinite(torch.func.vmap(torch.func.grad(loss_fn))(points)).all()
    hess = make_hessian_hvp(loss_fn)
    assert not torch.isfinite(batched_hessians(hess, points[1:2])).all()
    summaries, spectra_ = point_spectra(
        hess, points, 10.0, CurvatureOptions(spectrum=spectrum), chunk=2
    )
    bad = summaries[1]
    assert bad.definiteness == "not computed (non-finite Hessian)", bad
    assert math.isnan(bad.index) and math.isnan(bad.n_negative) and spectra_[1] is None
    for k in (0, 2):  # the finite Hessians of the same chunks are read as usual
        eigs = torch.linalg.eigvalsh(batched_hessians(hess, points[k : k + 1])[0])
        want = summarize_spectrum(eigs, 10.0)
        assert (summaries[k].n_negative, summaries[k].n_positive) == (
            want.n_negative,
            want.n_positive,
        )
        assert summaries[k].definiteness == want.definiteness == "indefinite"


PEAK = """
import re, sys
import torch
from landscape.engine.curvature import CurvatureOptions, point_spectra
from landscape.engine.models import MLP, init_params

def rss(key):
    return int(re.search(key + r":\\s+(\\d+)", open("/proc/self/status").read()).group(1)) * 1024

method, budget, spectrum = sys.argv[1], float(sys.argv[2]), sys.argv[3]
torch.set_num_threads(1)
options = CurvatureOptions(hessian_method=method, memory_budget_mb=budget, spectrum=spectrum)
gen = torch.Generator().manual_seed(0)
for widths, n, k in (((2, 2, 2), 3, 2), ((10, 20, 5), 60, 32)):  # warm-up, then the measurement
    model = MLP(widths, "tanh")
    x = torch.randn(n, widths[0], dtype=torch.float64, generator=gen)
    y = torch.randint(0, widths[-1], (n,), generator=gen)
    params = torch.stack([init_params(model, s) for s in range(k)])
    hess = options.hessian(model, "cross_entropy", x, y)
    chunk = options.networks_per_chunk(model, n)
    open("/proc/self/clear_refs", "w").write("5")  # the peak (VmHWM) back to the current RSS
    base = rss("VmRSS")
    point_spectra(hess, params, 10.0, options, chunk)
print(chunk, rss("VmHWM") - base)
"""


def _can_reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _can_reset_peak(), reason="needs Linux's /proc/self/clear_refs")
@pytest.mark.parametrize("budget", [20, 100])
@pytest.mark.parametrize("method", [HessianMethod.STRUCTURED, HessianMethod.HVP])
def test_point_spectra_stay_within_the_memory_budget(method, budget):
    """The peak memory of point_spectra (resident set, fresh process) is within 2x the budget.

    32 Hessians of a 10-20-5 tanh network (P = 325) on 60 samples; the peak is measured in a
    child process from the current resident set, with the high-water mark reset just before
    (/proc/self/clear_refs), after a warm-up on a tiny network (torch's lazy imports).
    """
    run = subprocess.run(
        [sys.executable, "-c", PEAK, method, str(budget), "full"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    chunk, peak = map(int, run.stdout.split())
    assert chunk < 32  # the budget binds: the 32 Hessians are assembled in chunks
    assert peak <= 2 * budget * 2**20, f"{method}: peak {peak / 2**20:.1f} MiB, budget {budget}"
