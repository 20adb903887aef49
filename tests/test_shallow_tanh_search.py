"""Pennington & Bahri's two-phase search on tiny problems: convergence, cutoff, flags, seeds."""

import dataclasses

import torch
from conftest import teacher_runs

from landscape.engine import shallow_tanh as st
from landscape.engine.shallow_tanh_search import (
    GradNormDescentOptions,
    descend_loss,
    draw_runs,
    grad_norm_descent,
)


def test_every_run_reaches_the_cutoff_near_a_nondegenerate_minimum():
    runs = teacher_runs(4)
    options = GradNormDescentOptions(loss_step=0.1, loss_budget=500, gnm_step=1.0, gnm_budget=3000)
    out = grad_norm_descent(runs, options)
    assert out.reached_level.all() and out.reached_cutoff.all() and not out.diverged.any()
    assert (out.loss <= out.level).all()  # GD on J_g went on downhill in L here
    assert (out.grad_norm_sq <= options.cutoff).all()
    assert (out.gnm_steps > 0).all() and (out.gnm_steps < options.gnm_budget).all()
    again = st.grad_norm_sq(out.theta, runs.x, runs.y)
    assert torch.equal(again.value, out.grad_norm_sq) and torch.equal(again.loss, out.loss)


def test_random_runs_respect_the_cutoff_and_their_budgets():
    options = GradNormDescentOptions(
        loss_step=0.1, loss_budget=300, gnm_step=0.5, gnm_budget=600, seed=3
    )
    runs = draw_runs(width=1, samples=4, ids=range(12), seed=options.seed)
    out = grad_norm_descent(runs, options)
    assert 0 < int(out.reached_cutoff.sum()) < 12  # some, not all: the cutoff decides
    j = out.grad_norm_sq
    assert torch.equal(out.reached_cutoff, ~out.diverged & (j <= options.cutoff))
    stopped_early = (out.gnm_steps < options.gnm_budget) & ~out.diverged
    assert (j[stopped_early] <= options.stop_at).all()
    assert (out.loss_steps <= options.loss_budget).all()
    assert torch.equal(out.initial_loss, st.loss(runs.theta, runs.x, runs.y))
    assert torch.equal(out.level, runs.u * out.initial_loss)


def test_stop_at_zero_runs_every_run_to_the_budget():
    options = GradNormDescentOptions(loss_budget=50, gnm_step=0.2, gnm_budget=40, stop_at=0.0)
    out = grad_norm_descent(draw_runs(2, 4, range(5), seed=1), options)
    assert (out.gnm_steps[~out.diverged] == options.gnm_budget).all()


def test_phase_one_stops_each_run_at_its_level():
    runs = draw_runs(2, 6, range(8), seed=2)
    level = runs.u * st.loss(runs.theta, runs.x, runs.y)
    theta, steps, reached, diverged = descend_loss(runs, runs.theta, level, 0.1, 2000)
    end = st.loss(theta, runs.x, runs.y)
    assert reached.any() and not diverged.any()
    assert (end[reached] <= level[reached]).all() and (end[~reached] > level[~reached]).all()
    assert (steps[~reached] == 2000).all() and (steps[reached] < 2000).all()


def test_draws_are_fixed_by_seed_and_run_number():
    a = draw_runs(3, 5, range(6), seed=7)
    b = draw_runs(3, 5, [4], seed=7)
    c = draw_runs(3, 5, range(6), seed=8)
    for name in ("x", "y", "theta", "u"):
        assert torch.equal(getattr(a, name)[4], getattr(b, name)[0])
        assert not torch.equal(getattr(a, name), getattr(c, name))
    assert a.x.shape == (6, 5, 3) and a.theta.shape == (6, 18) and a.x.dtype == torch.float64
    assert ((a.u > 0) & (a.u < 1)).all()


def test_search_is_deterministic():
    options = GradNormDescentOptions(loss_budget=100, gnm_step=0.2, gnm_budget=100)
    runs = draw_runs(2, 4, range(4), seed=0)
    one, two = grad_norm_descent(runs, options), grad_norm_descent(runs, options)
    for field in dataclasses.fields(one):
        assert torch.equal(getattr(one, field.name), getattr(two, field.name))


def test_options_from_config_keep_the_paper_cutoff():
    options = GradNormDescentOptions.from_config({"gnm_step": 0.5, "shard": 3})
    assert options.gnm_step == 0.5 and options.cutoff == 1e-6 and options.stop_at == 1e-6
