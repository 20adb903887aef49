"""Dauphin et al.'s starts (landscape.experiments.dauphin.starts)."""

import numpy as np
import pytest
import torch

from landscape.experiments.dauphin.starts import (
    START_COLUMNS,
    DauphinStartOptions,
    dauphin_starts,
)

OPTIONS = DauphinStartOptions(sfn_runs=3, max_epoch=4, perturbed=40, uniform=10, seed=5)


def _paths(epochs=5, runs=3, n_params=7):
    """Iterates whose entries name their epoch and run: 100 e + r."""
    e = torch.arange(epochs, dtype=torch.float64)[:, None, None]
    r = torch.arange(runs, dtype=torch.float64)[None, :, None]
    return (100 * e + r).expand(epochs, runs, n_params).clone()  # (E, R, P)


def test_starts_are_noisy_iterates_then_unit_cube_draws():
    starts, table = dauphin_starts(_paths(), OPTIONS)
    assert starts.shape == (50, 7) and list(table.columns) == START_COLUMNS
    assert table["start"].tolist() == list(range(50))
    near, cube = table.iloc[:40], table.iloc[40:]
    assert set(near["kind"]) == {"perturbed"} and set(cube["kind"]) == {"uniform"}
    # each perturbed start is its epoch's and run's iterate plus noise within its amplitude
    base = torch.tensor(100.0 * near["epoch"].to_numpy() + near["run"].to_numpy())
    gap = (starts[:40] - base[:, None]).abs().amax(-1)
    amp = torch.tensor(near["amplitude"].to_numpy(copy=True))
    assert (gap <= amp).all() and (gap > 0).all()
    assert set(near["amplitude"]) <= set(OPTIONS.amplitudes)
    assert near["epoch"].between(0, 4).all() and near["run"].between(0, 2).all()
    assert ((starts[40:] >= 0) & (starts[40:] <= 1)).all()


def test_starts_are_drawn_from_the_seed_alone():
    one, t1 = dauphin_starts(_paths(), OPTIONS)
    two, t2 = dauphin_starts(_paths(), OPTIONS)
    assert torch.equal(one, two) and t1.equals(t2)
    other, _ = dauphin_starts(_paths(), DauphinStartOptions(**{**OPTIONS.__dict__, "seed": 6}))
    assert not torch.equal(one, other)


def test_every_amplitude_and_epoch_is_drawn_at_their_counts():
    starts, table = dauphin_starts(_paths(epochs=21, runs=20), DauphinStartOptions())
    assert starts.shape == (200, 7)
    near = table[table["kind"] == "perturbed"]
    assert len(near) == 100 and set(near["amplitude"]) == {1e-1, 1e-2, 1e-3, 1e-4}
    assert near["epoch"].max() <= 20 and np.isnan(table["amplitude"].iloc[-1])


def test_too_short_paths_are_refused():
    with pytest.raises(ValueError, match="need 4 epochs of 3"):
        dauphin_starts(_paths(epochs=3), OPTIONS)


def test_training_error_counts_points_whose_largest_output_is_not_their_label():
    from landscape.engine.models import MLP
    from landscape.experiments.dauphin.starts import training_error
    from landscape.experiments.index_vs_loss.index_vs_loss import Problem

    x = torch.eye(3, dtype=torch.float64)  # three points, one-hot inputs
    model = MLP((3, 3, 3), "tanh")
    problem = Problem("digits", model, "mse", x, torch.tensor([0, 1, 2]))
    both = torch.zeros(2, model.n_params, dtype=torch.float64)
    for theta, sign in zip(both, (1.0, -1.0), strict=True):
        (w1, _), (w2, _) = model.unflatten(theta)  # views into theta
        w1.copy_(torch.eye(3))
        # symmetric, so either orientation: point 2 lands on class 1; negated, every point
        # lands elsewhere than its label
        w2.copy_(sign * torch.tensor([[1.0, 0, 0], [0, 1, 0.9], [0, 0.9, 0.5]]))
    assert training_error(problem, both).tolist() == pytest.approx([100 / 3, 100.0])


def test_minibatch_squared_loss_on_labels_can_be_vmapped():
    from landscape.engine.models import MLP, make_batch_loss, make_loss

    model = MLP((3, 4, 3), "tanh")
    x = torch.randn(6, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    thetas = torch.randn(2, model.n_params, dtype=torch.float64)
    idx = torch.tensor([[0, 1, 2], [3, 4, 5]])
    got = torch.vmap(make_batch_loss(model, "mse", x, y))(thetas, idx)  # (2,)
    want = [make_loss(model, "mse", x[i], y[i])(t) for t, i in zip(thetas, idx, strict=True)]
    assert torch.allclose(got, torch.stack(want), rtol=1e-14, atol=0)


# --- the experiment (landscape.experiments.dauphin.dauphin) --------------------------------------

TINY = {
    "starts": {"sfn_runs": 2, "max_epoch": 2, "perturbed": 4, "uniform": 2, "seed": 0},
    "sgd": {"networks": 4, "min_epoch": 1, "max_epoch": 4, "batch_size": 10, "seed": 0},
    "newton": {"max_iter": 4, "continue_iter": 20},
}


@pytest.mark.parametrize("procedure", ["mnist", "cifar"])
def test_a_tiny_case_keeps_every_end_of_both_stages(procedure):
    from landscape.base.options import Numerics
    from landscape.engine.data import make_dataset
    from landscape.experiments.dauphin.dauphin import (
        EIGEN_COLUMNS,
        END_COLUMNS,
        DauphinSetting,
        Procedure,
        dauphin_case,
    )

    setting = DauphinSetting("tiny", Procedure(procedure), "digits", 4, 30, (2,), "tanh", "mse", 0)
    ends, eigen = dauphin_case(setting, make_dataset("digits"), TINY, Numerics(), log=lambda m: 0)
    starts = 6 if procedure == "mnist" else 4
    assert list(ends.columns) == END_COLUMNS and len(ends) == 2 * starts
    assert ends["stage"].tolist() == ["newton"] * starts + ["newton_mr"] * starts
    assert ends["n_params"].eq(4 * 2 + 2 + 2 * 10 + 10).all()
    # the continuation starts at their end: a start certified by their Newton stays put
    theirs, ours = ends.iloc[:starts], ends.iloc[starts:]
    stayed = theirs["status"].eq("critical").to_numpy()
    assert (ours["distance"].to_numpy()[stayed] < 1e-6).all()
    assert ends["error"].between(0, 100).all()
    # the round-off index counts at least the derived one (a wider tolerance counts fewer)
    finite = ends[ends["status"] != "diverged"]
    assert (finite["n_negative_roundoff"] >= finite["n_negative_derived"]).all()
    assert list(eigen.columns) == EIGEN_COLUMNS and eigen["pick"].nunique() == 3
    assert eigen.groupby("pick").size().eq(40).all()  # P eigenvalues per pick


def test_sgd_starts_are_each_network_after_its_own_epoch():
    from landscape.engine.data import make_dataset
    from landscape.engine.models import init_params, make_batch_loss, make_loss
    from landscape.engine.train import TrainOptions, train
    from landscape.experiments.dauphin.dauphin import (
        DauphinSetting,
        Procedure,
        SgdStartOptions,
        sgd_starts,
    )

    setting = DauphinSetting("t", Procedure.CIFAR, "digits", 4, 30, (2,), "tanh", "mse", 0)
    problem = setting.problem(make_dataset("digits"))
    opts = SgdStartOptions(networks=3, min_epoch=1, max_epoch=5, batch_size=10, seed=7)
    starts, table = sgd_starts(problem, opts)
    assert table["epoch"].between(1, 5).all() and table["kind"].eq("sgd").all()
    for k, epoch in enumerate(table["epoch"]):
        # network k alone, trained for exactly its epochs (3 steps each), lands on its start
        alone = train(
            make_loss(problem.model, "mse", problem.x, problem.y),
            init_params(problem.model, 7 + k)[None],
            TrainOptions("sgd", opts.learning_rate, 3 * int(epoch), batch_size=10),
            seeds=[7 + k],
            batch_loss_fn=make_batch_loss(problem.model, "mse", problem.x, problem.y),
            n_samples=30,
        )
        assert torch.allclose(alone.params[0], starts[k], rtol=0, atol=1e-12)
