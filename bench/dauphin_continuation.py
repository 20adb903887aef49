"""Choose the Newton-MR continuation of section 4b (Dauphin) on held-out seeds, by certified share.

The continuation (ours: ``dauphin.newton.continue_iter`` and ``pinv_rtol``) is picked by how
many of their Newton method's ends it certifies (||g||^2 <= 1e-10), never by the rows' scored
quantity (the rank of error against index). Seeds 100 (starts and SGD networks) are held out:
the default run uses seed 0.

Run: ``.venv/bin/python bench/dauphin_continuation.py`` (about 10 minutes on one core).
"""

import time
from dataclasses import replace

import torch
import yaml

from landscape.base.options import Numerics
from landscape.engine.critical import FinderOptions, find_critical_points
from landscape.engine.curvature import DEFAULT_CURVATURE
from landscape.engine.data import make_dataset
from landscape.engine.models import make_loss
from landscape.experiments.dauphin.dauphin import (
    DauphinSetting,
    DauphinStartOptions,
    Procedure,
    SgdStartOptions,
    sfn_starts,
    sgd_starts,
)

HELD_OUT = 100
TRIALS = [(1e-4, 100), (1e-10, 100)]  # (pinv_rtol, iterations)


def their_ends(setting, cfg, numerics):
    """Their Newton method's ends from held-out starts (P,) each, and the problem."""
    problem = setting.problem(make_dataset(setting.dataset))
    hess = DEFAULT_CURVATURE.hessian(problem.model, problem.loss, problem.x, problem.y)
    loss_fn = make_loss(problem.model, problem.loss, problem.x, problem.y)
    finder = FinderOptions.from_numerics(numerics, max_iter=cfg["newton"]["max_iter"])
    if setting.procedure == Procedure.MNIST:
        opts = DauphinStartOptions.from_config(cfg["starts"], seed=HELD_OUT)
        starts, _ = sfn_starts(problem, opts, finder, hess)
    else:
        starts, _ = sgd_starts(problem, SgdStartOptions.from_config(cfg["sgd"], seed=HELD_OUT))
    res = find_critical_points(loss_fn, hess, starts, "newton_best_damping", finder)
    return res.params, loss_fn, hess, finder


def main() -> None:
    """Every trial on every setting of config.yaml, from held-out starts."""
    torch.set_num_threads(1)
    cfg = yaml.safe_load(open("config.yaml"))["dauphin"]
    numerics = Numerics.from_config({})
    for setting in DauphinSetting.all_from_config(cfg):
        ends, loss_fn, hess, finder = their_ends(setting, cfg, numerics)
        for rtol, iters in TRIALS:
            t = time.time()
            res = find_critical_points(
                loss_fn, hess, ends, "newton_mr", replace(finder, max_iter=iters, pinv_rtol=rtol)
            )
            certified = sum(s == "critical" for s in res.status)
            at = [int(i) for i in res.iterations]
            print(
                f"{setting.name}: pinv_rtol {rtol:g}, {iters} iterations: {certified}/{len(ends)} "
                f"certified, median ||g||^2 {float(res.grad_norm_sq.median()):.2g}, "
                f"median iterations {sorted(at)[len(at) // 2]}, {time.time() - t:.0f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
