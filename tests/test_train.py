"""Batched training against a plain per-network loop with torch.optim, in float64."""

import pytest
import torch

from landscape.engine.models import MLP, init_params, make_batch_loss, make_loss
from landscape.engine.train import (
    EpochSampler,
    TrainOptions,
    choose_value_and_grad,
    even_in_loss,
    find_plateaus,
    make_mlp_value_and_grad,
    plateau_points,
    train,
)


def _problem(device, loss="cross_entropy"):
    gen = torch.Generator().manual_seed(0)
    model = MLP((6, 5, 3), "tanh")
    x = torch.randn(40, 6, dtype=torch.float64, generator=gen).to(device)
    if loss == "cross_entropy":
        y = torch.randint(0, 3, (40,), generator=gen).to(device)
    else:
        y = torch.randn(40, 3, dtype=torch.float64, generator=gen).to(device)
    return model, x, y, make_loss(model, loss, x, y), make_batch_loss(model, loss, x, y)


def _loop_reference(loss_fn, batch_loss_fn, theta0, opts, seed, record_steps):
    """One network, trained with torch.optim and autograd in a plain Python loop."""
    theta = theta0.clone().requires_grad_(True)
    if opts.optimizer == "adam":
        optim = torch.optim.Adam([theta], lr=opts.learning_rate, betas=(opts.beta1, opts.beta2))
    else:
        optim = torch.optim.SGD([theta], lr=opts.learning_rate)
    sampler = EpochSampler(40, opts.batch_size, seed) if opts.batch_size else None
    losses = []
    for step in range(opts.steps + 1):
        if step in record_steps:
            losses.append(loss_fn(theta).item())
        if step == opts.steps:
            break
        optim.zero_grad()
        batch = loss_fn(theta) if sampler is None else batch_loss_fn(theta, sampler.next())
        batch.backward()
        optim.step()
    return theta.detach(), losses


@pytest.mark.parametrize(
    "opts",
    [
        TrainOptions("gd", learning_rate=0.3, steps=50, record_every=7),
        TrainOptions("sgd", learning_rate=0.1, steps=60, record_every=10, batch_size=8),
        TrainOptions("adam", learning_rate=0.01, steps=50, record_every=10),
        TrainOptions("adam", learning_rate=0.01, steps=50, record_every=25, batch_size=16),
    ],
    ids=["gd", "sgd", "adam", "adam-minibatch"],
)
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_batched_training_equals_loop(opts, loss, device):
    model, x, y, loss_fn, batch_loss_fn = _problem(device, loss)
    seeds = [11, 12, 13, 14, 15]
    theta0 = torch.stack([init_params(model, s, device=device) for s in seeds])  # (K, P)
    result = train(loss_fn, theta0, opts, seeds=seeds, batch_loss_fn=batch_loss_fn, n_samples=40)
    steps = result.steps.tolist()
    assert steps[-1] == opts.steps and steps[:2] == [0, opts.record_every]
    for k, seed in enumerate(seeds):
        theta, losses = _loop_reference(loss_fn, batch_loss_fn, theta0[k], opts, seed, steps)
        torch.testing.assert_close(result.params[k], theta, rtol=0, atol=1e-10)
        torch.testing.assert_close(
            result.loss[:, k].cpu(), torch.tensor(losses, dtype=torch.float64), rtol=0, atol=1e-10
        )
    assert not result.diverged.any()


def test_samplers_are_seeded_and_cover_each_epoch():
    a, b, c = EpochSampler(10, 3, 1), EpochSampler(10, 3, 1), EpochSampler(10, 3, 2)
    first = [a.next() for _ in range(3)]
    assert all(torch.equal(p, b.next()) for p in first)
    assert len(set(torch.cat(first).tolist())) == 9  # no repeats inside an epoch
    assert not all(torch.equal(p, c.next()) for p in first)
    with pytest.raises(ValueError, match="batch_size"):
        EpochSampler(10, 11, 0)


def test_divergent_network_is_frozen_and_others_carry_on(device):
    gen = torch.Generator().manual_seed(0)
    model = MLP((4, 4, 2), "linear")
    x = torch.randn(30, 4, dtype=torch.float64, generator=gen).to(device)
    y = torch.randn(30, 2, dtype=torch.float64, generator=gen).to(device)
    loss_fn = make_loss(model, "mse", x, y)
    theta0 = torch.stack([init_params(model, s, device=device) for s in range(3)])
    theta0[1] *= 30.0  # curvature ~ 1e3: gradient descent with step 0.1 blows up
    opts = TrainOptions(learning_rate=0.1, steps=200, record_every=10)
    result = train(loss_fn, theta0, opts)
    assert result.diverged.tolist() == [False, True, False]
    assert not torch.isfinite(result.loss[-1, 1])
    longer = train(loss_fn, theta0, TrainOptions(learning_rate=0.1, steps=250))
    torch.testing.assert_close(longer.params[1], result.params[1], equal_nan=True, rtol=0, atol=0)
    alone = train(loss_fn, theta0[[0, 2]], opts)
    assert torch.isfinite(alone.loss).all()
    torch.testing.assert_close(result.params[[0, 2]], alone.params, rtol=0, atol=1e-12)


def test_snapshots_and_even_in_loss(device):
    model, x, y, loss_fn, _ = _problem(device)
    theta0 = torch.stack([init_params(model, s, device=device) for s in range(3)])
    opts = TrainOptions(learning_rate=0.5, steps=40, record_every=5, snapshot_every=4)
    result = train(loss_fn, theta0, opts)
    assert result.snapshot_steps.tolist() == list(range(0, 41, 4))
    assert result.snapshots.shape == (11, 3, model.n_params)
    torch.testing.assert_close(result.snapshots[-1], result.params)
    for s, step in enumerate(result.snapshot_steps.tolist()):
        recorded = result.steps.tolist().index(step) if step in result.steps.tolist() else None
        if recorded is not None:
            torch.testing.assert_close(result.snapshot_loss[s], result.loss[recorded])
    picks = even_in_loss(result.snapshot_loss, 4)  # (4, K)
    assert picks.shape == (4, 3)
    losses = result.snapshot_loss.gather(0, picks)  # (4, K)
    assert (losses[0] == result.snapshot_loss.max(0).values).all()
    assert (losses[-1] == result.snapshot_loss.min(0).values).all()
    assert (losses[:-1] >= losses[1:]).all()


def test_even_in_loss_is_nearest_to_levels():
    nan = float("nan")
    losses = torch.tensor([[4.0], [3.6], [2.9], [2.1], [1.4], [1.0], [nan]], dtype=torch.float64)
    assert even_in_loss(losses, 4)[:, 0].tolist() == [0, 2, 3, 5]  # levels 4, 3, 2, 1


def test_bad_options():
    with pytest.raises(ValueError, match="unknown optimizer"):
        TrainOptions("lbfgs")
    with pytest.raises(ValueError, match="needs a batch_size"):
        TrainOptions("sgd")
    _, _, _, loss_fn, _ = _problem("cpu")
    with pytest.raises(ValueError, match="needs batch_loss_fn"):
        train(loss_fn, torch.zeros(1, 38, dtype=torch.float64), TrainOptions(batch_size=4))


@pytest.mark.parametrize("widths", [(6, 5, 3), (6, 5, 4, 3)], ids=["1-hidden", "2-hidden"])
@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize("bias", [True, False])
def test_handwritten_batched_gradient_matches_autograd(widths, activation, loss, bias, device):
    gen = torch.Generator().manual_seed(2)
    model = MLP(widths, activation, bias)
    x = torch.randn(20, widths[0], dtype=torch.float64, generator=gen).to(device)
    if loss == "cross_entropy":
        y = torch.randint(0, widths[-1], (20,), generator=gen).to(device)
    else:
        y = torch.randn(20, widths[-1], dtype=torch.float64, generator=gen).to(device)
    theta = torch.stack([init_params(model, s, device=device) for s in range(4)]) + 0.1
    fast = make_mlp_value_and_grad(model, loss, x, y)
    g, v = fast(theta)
    g_ref, v_ref = torch.func.vmap(torch.func.grad_and_value(make_loss(model, loss, x, y)))(theta)
    torch.testing.assert_close(g, g_ref, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(v, v_ref, rtol=1e-13, atol=0)
    idx = torch.randint(0, 20, (4, 7), generator=gen).to(device)
    g, v = fast(theta, idx)
    ref = torch.func.vmap(torch.func.grad_and_value(make_batch_loss(model, loss, x, y)))
    g_ref, v_ref = ref(theta, idx)
    torch.testing.assert_close(g, g_ref, rtol=1e-12, atol=1e-14)


def test_training_with_handwritten_gradient_equals_vmap(device):
    model, x, y, loss_fn, batch_loss_fn = _problem(device)
    theta0 = torch.stack([init_params(model, s, device=device) for s in range(3)])
    fast = make_mlp_value_and_grad(model, "cross_entropy", x, y)
    for opts in (
        TrainOptions("gd", learning_rate=0.3, steps=30),
        TrainOptions("adam", learning_rate=0.01, steps=30, batch_size=8),
    ):
        kwargs = {"seeds": [0, 1, 2], "n_samples": 40}
        a = train(loss_fn, theta0, opts, batch_loss_fn=batch_loss_fn, **kwargs)
        b = train(loss_fn, theta0, opts, value_and_grad=fast, **kwargs)
        torch.testing.assert_close(a.params, b.params, rtol=0, atol=1e-12)
        torch.testing.assert_close(a.loss, b.loss, rtol=0, atol=1e-12)


def test_gradient_path_choice():
    small = MLP((16, 16, 4))
    x, y = torch.zeros(128, 16, dtype=torch.float64), torch.zeros(128, dtype=torch.long)
    assert choose_value_and_grad(small, "cross_entropy", x, y) is not None
    big_x = torch.zeros(1797, 64, dtype=torch.float64)
    assert choose_value_and_grad(MLP((64, 32, 10)), "cross_entropy", big_x, y) is None


def _curve(values):
    """Steps 0, 10, 20, ... with the given losses, as float64 tensors."""
    loss = torch.tensor(values, dtype=torch.float64)
    return torch.arange(len(values)) * 10, loss


def test_find_plateaus_on_a_curve_with_known_stalls():
    # Flat at 1.0 (steps 0-40), falls to 0.5 (50-70), flat at 0.5 (70-120), falls again.
    steps, loss = _curve([1.0] * 5 + [0.8, 0.6] + [0.5] * 6 + [0.3, 0.1])
    # Over a window of 20 steps: stuck at t = 20, 30, 40 (windows 0-20 ... 20-40), and at
    # t = 90 ... 120 (windows 70-90 ... 100-120); at 50 the loss fell by 20%.
    assert find_plateaus(steps, loss, 20, 0.01) == [(0, 40), (70, 120)]
    # A looser threshold also counts the 0.6 -> 0.5 drop (17%) as stuck, extending the second.
    assert find_plateaus(steps, loss, 10, 0.18) == [(0, 40), (60, 120)]
    # A window longer than the run finds nothing.
    assert find_plateaus(steps, loss, 1000, 0.01) == []


def test_find_plateaus_ignores_non_finite_losses_and_rises():
    steps, loss = _curve([1.0, 1.0, float("nan"), float("nan"), 2.0, 3.0, 3.001])
    # nan never looks stuck, nor does a rise (2 -> 3); 3 -> 3.001 does.
    assert find_plateaus(steps, loss, 10, 0.01) == [(0, 10), (50, 60)]


def test_plateau_points_take_the_smallest_gradient_and_label_the_end():
    steps, loss = _curve([1.0] * 5 + [0.8, 0.6, 0.4])
    gn = torch.tensor([5.0, 3.0, 1.0, 2.0, 4.0, 9.0, 9.0, 9.0], dtype=torch.float64)
    points = plateau_points(steps, loss, gn, 20, 0.01)
    assert [(p.kind, p.step, p.plateau, p.start, p.end) for p in points] == [
        ("plateau", 20, 1, 0, 40),
        ("end (still falling)", 70, None, None, None),
    ]
    assert points[0].record == 2 and points[1].record == 7
    # Ending inside a plateau: no separate end point.
    steps, loss = _curve([1.0, 0.5, 0.5, 0.5])
    gn = torch.tensor([1.0, 0.3, 0.2, 0.1], dtype=torch.float64)
    assert [(p.kind, p.step) for p in plateau_points(steps, loss, gn, 10, 0.01)] == [
        ("plateau", 30)
    ]
    # Diverged at the end: labelled, kept.
    steps, loss = _curve([1.0, 0.5, float("inf")])
    gn = torch.tensor([1.0, 0.3, float("inf")], dtype=torch.float64)
    assert [p.kind for p in plateau_points(steps, loss, gn, 10, 0.01)] == ["end (diverged)"]
    # A finite loss with an infinite gradient (blowing up) is no plateau either.
    steps, loss = _curve([1e300, 1e300, 1e300])
    gn = torch.tensor([float("inf")] * 3, dtype=torch.float64)
    assert [p.kind for p in plateau_points(steps, loss, gn, 10, 0.01)] == ["end (diverged)"]


def test_plateau_points_of_a_real_run_from_a_small_initialisation():
    """Training from near the origin stalls at its saddle first: the first point is a plateau."""
    model, _, _, loss_fn, _ = _problem(torch.device("cpu"), loss="mse")
    theta0 = torch.stack([0.01 * init_params(model, s) for s in range(2)])  # (2, P)
    result = train(loss_fn, theta0, TrainOptions("gd", 0.2, 400, record_every=10))
    for k in range(2):
        points = plateau_points(
            result.steps, result.loss[:, k], result.grad_norm_sq[:, k], 20, 0.01
        )
        assert points[0].kind == "plateau" and points[0].start == 0
        first = [i for i, s in enumerate(result.steps) if s <= points[0].end]
        assert result.grad_norm_sq[points[0].record, k] == result.grad_norm_sq[first, k].min()
