"""Models as pure functions, checked against torch.nn built from the same parameters."""

import pytest
import torch
import torch.nn.functional as F

from landscape.models import MLP, init_params, make_loss


def _reference_net(model: MLP, theta: torch.Tensor) -> torch.nn.Sequential:
    acts = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "linear": torch.nn.Identity}
    layers = []
    for li, (w, b) in enumerate(model.unflatten(theta)):
        lin = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.float64, device=theta.device)
        with torch.no_grad():
            lin.weight.copy_(w)
            lin.bias.copy_(b)
        layers.append(lin)
        if li < len(model.layer_shapes) - 1:
            layers.append(acts[model.activation]())
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
def test_forward_matches_torch_nn(activation, device):
    model = MLP((5, 4, 3, 2), activation)
    theta = init_params(model, seed=1, device=device) + 0.1  # non-zero biases too
    x = torch.randn(7, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0)).to(
        device
    )
    ref = _reference_net(model, theta)(x)
    torch.testing.assert_close(model.forward(theta, x), ref, rtol=1e-14, atol=1e-14)


def test_parameter_count_and_layout():
    model = MLP((64, 8, 10))
    assert model.n_params == 64 * 8 + 8 + 8 * 10 + 10
    theta = torch.arange(model.n_params, dtype=torch.float64)
    (w1, b1), (w2, b2) = model.unflatten(theta)
    assert w1.shape == (8, 64) and b1.shape == (8,) and w2.shape == (10, 8) and b2.shape == (10,)
    assert torch.equal(torch.cat([w1.flatten(), b1, w2.flatten(), b2]), theta)


def test_init_is_seeded_and_lecun_scaled():
    model = MLP((400, 300, 2))
    a, b, c = (init_params(model, s) for s in (3, 3, 4))
    assert torch.equal(a, b) and not torch.equal(a, c)
    w1, b1 = model.unflatten(a)[0]
    assert abs(w1.std().item() - 400**-0.5) < 0.01 * 400**-0.5 * 10
    assert torch.count_nonzero(b1) == 0


def test_losses_match_references():
    gen = torch.Generator().manual_seed(0)
    model = MLP((3, 4, 5), "tanh")
    theta = init_params(model, 0)
    x = torch.randn(11, 3, dtype=torch.float64, generator=gen)
    labels = torch.randint(0, 5, (11,), generator=gen)
    logits = model.forward(theta, x)
    ce = make_loss(model, "cross_entropy", x, labels)(theta)
    ce_ref = -torch.log_softmax(logits, dim=1)[torch.arange(11), labels].mean()
    torch.testing.assert_close(ce, ce_ref, rtol=1e-14, atol=0)
    mse = make_loss(model, "mse", x, labels)(theta)
    onehot = F.one_hot(labels, 5).double()
    mse_ref = sum(0.5 * ((logits[i] - onehot[i]) ** 2).sum() for i in range(11)) / 11
    torch.testing.assert_close(mse, mse_ref, rtol=1e-14, atol=0)


def test_bad_model_and_loss_arguments():
    with pytest.raises(ValueError, match="activation"):
        MLP((2, 2), "sigmoid")
    with pytest.raises(ValueError, match="widths"):
        MLP((2,))
    model = MLP((2, 3, 1))
    x = torch.zeros(4, 2, dtype=torch.float64)
    with pytest.raises(ValueError, match="integer class labels"):
        make_loss(model, "cross_entropy", x, torch.zeros(4, 1, dtype=torch.float64))
    with pytest.raises(ValueError, match="unknown loss"):
        make_loss(model, "hinge", x, torch.zeros(4, 1, dtype=torch.float64))
