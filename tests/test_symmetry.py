"""Permuted twins compute the same function; paths between them; the count of copies."""

import math

import pytest
import torch

from landscape.engine.models import MLP, init_params, make_loss, permute_hidden
from landscape.experiments.symmetry.symmetry import barrier, equivalent_minima, path_losses


@pytest.mark.parametrize("layer", [0, 1])
def test_permuted_twin_computes_the_same_function(layer):
    model = MLP((5, 4, 3, 2), "tanh")
    gen = torch.Generator().manual_seed(0)
    theta = init_params(model, 0) + 0.1 * torch.randn(model.n_params, generator=gen).double()
    x = torch.randn(7, 5, dtype=torch.float64, generator=gen)
    width = model.widths[layer + 1]
    perm = torch.randperm(width, generator=gen)
    while torch.equal(perm, torch.arange(width)):
        perm = torch.randperm(width, generator=gen)
    twin = permute_hidden(model, theta, layer, perm)
    assert not torch.equal(twin, theta)
    torch.testing.assert_close(
        model.forward(twin, x), model.forward(theta, x), rtol=1e-15, atol=1e-15
    )
    # The inverse permutation restores the original parameters exactly.
    assert torch.equal(permute_hidden(model, twin, layer, torch.argsort(perm)), theta)
    with pytest.raises(ValueError, match="not a hidden layer"):
        permute_hidden(model, theta, 2, perm)


def test_path_between_twins_and_its_barrier():
    model = MLP((2, 2, 1), "tanh")
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=torch.float64)
    y = torch.tensor([[1.0], [-1.0], [0.0]], dtype=torch.float64)
    loss_fn = make_loss(model, "mse", x, y)
    theta = torch.tensor([2.0, 0.0, 0.0, 0.0, -2.0, 0.0, 1.0, 1.0, 0.0], dtype=torch.float64)
    twin = permute_hidden(model, theta, 0, torch.tensor([1, 0]))
    t, losses = path_losses(loss_fn, theta, twin, 11)
    assert t[0] == 0 and t[-1] == 1 and len(losses) == 11
    torch.testing.assert_close(losses[0], losses[-1])
    torch.testing.assert_close(losses[5], loss_fn(0.5 * (theta + twin)))
    assert barrier(losses) == pytest.approx(float(losses.max() - losses[0]))
    assert barrier(losses) > 0  # the midpoint averages the two units away


def test_equivalent_minima():
    assert equivalent_minima([3]) == 6
    assert equivalent_minima([16, 8]) == math.factorial(16) * math.factorial(8)
