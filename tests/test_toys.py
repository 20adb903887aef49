"""The toy gallery: known critical points classified from exact Hessians."""

import math

import pytest
import torch

from landscape.base.options import Numerics
from landscape.experiments.toys.toys import (
    GALLERY,
    DescentOptions,
    classify_gallery,
    newton_step,
    newton_vs_gd,
    run_descent,
)


def test_gallery_points_are_critical_and_classified_as_derived():
    table = classify_gallery(Numerics())
    assert len(table) == sum(len(t.points) for t in GALLERY) == 13
    assert table["critical"].all() and table["matches"].all()
    assert set(table["measured"]) == {
        "positive definite",
        "negative definite",
        "indefinite",
        "zero",
        "positive semidefinite",
    }
    origin = table[(table["function"] == "(1 - w1 w2)^2") & (table["x"] == 0)]
    assert origin[["eigenvalue_1", "eigenvalue_2"]].values.tolist() == [[-2.0, 2.0]]


def _toy(name):
    return next(t for t in GALLERY if t.name == name)


def test_newton_reaches_the_critical_point_of_any_quadratic_in_one_step():
    # f = 1/2 w^T A w + b^T w with A indefinite: the only critical point is -A^{-1} b, a saddle.
    a = torch.tensor([[1.0, 2.0], [2.0, -3.0]], dtype=torch.float64)
    b = torch.tensor([0.5, -1.0], dtype=torch.float64)

    def f(w):
        return 0.5 * w @ a @ w + b @ w

    w1 = newton_step(f, torch.tensor([3.0, -4.0], dtype=torch.float64), rtol=1e-10)
    torch.testing.assert_close(w1, -torch.linalg.solve(a, b), rtol=1e-14, atol=1e-14)


def test_newton_on_the_monkey_saddle_halves_the_distance_each_step():
    # f = x^3 - 3 x y^2 is homogeneous of degree 3: H(w) w = 2 g(w), so w - H^{-1} g = w / 2.
    w0 = torch.tensor([0.3, -0.1], dtype=torch.float64)
    opts = DescentOptions(newton_steps=10)
    path = run_descent(_toy("monkey saddle").f, w0, "newton", opts)
    expected = torch.stack([w0 / 2**k for k in range(len(path))])
    torch.testing.assert_close(path, expected, rtol=1e-12, atol=0.0)


def test_gradient_descent_path_equals_a_plain_loop():
    f = _toy("double well").f
    w0 = torch.tensor([0.05, 0.3], dtype=torch.float64)
    opts = DescentOptions(gd_steps=50, learning_rate=0.1)
    path = run_descent(f, w0, "gd", opts)
    w, expected = w0.clone().requires_grad_(True), [w0]
    for _ in range(50):
        (g,) = torch.autograd.grad(f(w), w)
        w = (w - 0.1 * g).detach().requires_grad_(True)
        expected.append(w.detach())
    torch.testing.assert_close(path, torch.stack(expected), rtol=1e-14, atol=1e-15)


def test_double_well_newton_stays_at_the_saddle_and_gd_rolls_off():
    f = _toy("double well").f
    w0 = torch.tensor([0.1, 0.1], dtype=torch.float64)
    opts = DescentOptions()
    newton = run_descent(f, w0, "newton", opts)[-1]
    gd = run_descent(f, w0, "gd", opts)[-1]
    torch.testing.assert_close(newton, torch.zeros(2, dtype=torch.float64), atol=1e-12, rtol=0)
    torch.testing.assert_close(gd, torch.tensor([1.0, 0.0], dtype=torch.float64), atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match="unknown method"):
        run_descent(f, w0, "adam", opts)


def test_newton_vs_gd_table_labels_every_run():
    opts = DescentOptions(starts=2, gd_steps=2000)
    runs, paths = newton_vs_gd(opts, Numerics())
    assert len(runs) == 2 * 2 * sum(len(t.points) for t in GALLERY)
    assert set(runs["status"]) <= {"critical", "not converged", "diverged"}
    minima = runs["near_kind"].isin(["positive definite", "positive semidefinite"])
    newton, gd = runs["method"] == "newton", runs["method"] == "gd"
    assert runs[newton]["returned"].all()  # Newton: back to the point, whatever its kind
    assert runs[gd & ~minima]["escaped"].all() and not runs[gd & ~minima]["returned"].any()
    assert runs[gd & minima]["returned"].all()  # descent keeps a minimum
    # The maximum is unbounded below: gradient descent leaves for infinity, labelled diverged.
    top = runs[(runs["function"] == "maximum") & gd]
    assert (top["status"] == "diverged").all() and top["end_kind"].str.startswith("not").all()
    # Every run's path starts at its start and ends at its end.
    for r in runs.itertuples():
        p = paths[
            (paths["function"] == r.function)
            & (paths["near_x"] == r.near_x)
            & (paths["near_y"] == r.near_y)
            & (paths["start"] == r.start)
            & (paths["method"] == r.method)
        ].sort_values("step")
        assert (p["x"].iloc[0], p["y"].iloc[0]) == (r.start_x, r.start_y)
        assert math.hypot(r.start_x - r.near_x, r.start_y - r.near_y) == pytest.approx(0.2)
