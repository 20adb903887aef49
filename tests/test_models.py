"""Models as pure functions, checked against torch.nn built from the same parameters."""

import pytest
import torch
import torch.nn.functional as F

from landscape.engine.models import MLP, TwoLayerReLU, deep_linear, init_params, make_loss


def _reference_net(model: MLP, theta: torch.Tensor) -> torch.nn.Sequential:
    acts = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "linear": torch.nn.Identity}
    layers = []
    for li, (w, b) in enumerate(model.unflatten(theta)):
        lin = torch.nn.Linear(
            w.shape[1], w.shape[0], bias=model.bias, dtype=torch.float64, device=theta.device
        )
        with torch.no_grad():
            lin.weight.copy_(w)
            if model.bias:
                lin.bias.copy_(b)
        layers.append(lin)
        if li < len(model.layer_shapes) - 1:
            layers.append(acts[model.activation]())
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
@pytest.mark.parametrize("bias", [True, False])
def test_forward_matches_torch_nn(activation, bias, device):
    model = MLP((5, 4, 3, 2), activation, bias)
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
    # Layer by layer, the row-major augmented matrix [W | b].
    flat = [torch.cat([w, b[:, None]], 1).flatten() for w, b in ((w1, b1), (w2, b2))]
    assert torch.equal(torch.cat(flat), theta)
    linear = deep_linear((3, 5, 2))
    assert linear.n_params == 3 * 5 + 5 * 2
    (v1, c1), (v2, c2) = linear.unflatten(torch.arange(25.0))
    assert c1 is None and c2 is None and v2[0, 0] == 15


def test_deep_linear_and_student_forward():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(6, 3, dtype=torch.float64, generator=gen)
    linear = deep_linear((3, 4, 4, 2))
    theta = init_params(linear, 0)
    (a, _), (b, _), (c, _) = linear.unflatten(theta)
    torch.testing.assert_close(linear.forward(theta, x), x @ (c @ b @ a).T, rtol=1e-14, atol=0)
    student = TwoLayerReLU(input_dim=3, n_hidden=5)
    w = torch.randn(15, dtype=torch.float64, generator=gen)
    ref = [sum(max(0.0, float(w[3 * j : 3 * j + 3] @ xi)) for j in range(5)) for xi in x]
    torch.testing.assert_close(
        student.forward(w, x)[:, 0], torch.tensor(ref, dtype=torch.float64), rtol=1e-14, atol=1e-15
    )


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
