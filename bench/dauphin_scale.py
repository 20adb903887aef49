"""Certified critical points per CPU-minute of section 4b's Dauphin procedure, by network size.

Issue 33 asks for 30 certified critical points at >= 1,000 parameters in the default run. This
prints, for the digits (MNIST) procedure at hidden widths 5 (385 parameters, the default run's)
and 15 (1,135), the time of their Newton method and of the Newton-MR continuation from a few
starts, the ends certified, and so the certified points per minute and the minutes 30 would take
on this machine, one thread. The starts, budgets and seeds are config.yaml's, with the starts
cut to ``--starts`` perturbed + as many unit-cube ones.

Run: ``.venv/bin/python bench/dauphin_scale.py [--starts 5]``.
"""

import argparse
import time
from dataclasses import replace

import torch
import yaml

from landscape.base.options import Numerics
from landscape.engine.data import make_dataset
from landscape.experiments.dauphin.dauphin import DauphinSetting, dauphin_case


def main() -> None:
    """Each width's certified points per minute."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=5, help="perturbed (and uniform) starts")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cfg = yaml.safe_load(open("config.yaml"))["dauphin"]
    cfg["starts"] |= {"perturbed": args.starts, "uniform": args.starts}
    base = DauphinSetting.all_from_config(cfg)[0]
    ds = make_dataset(base.dataset)
    for width in (5, 15):
        setting = replace(base, hidden=(width,))
        t = time.time()
        ends, _ = dauphin_case(setting, ds, cfg, Numerics(), log=lambda m: None)
        minutes = (time.time() - t) / 60
        certified = int((ends["status"] == "critical").sum())
        rate = certified / minutes
        need = 30 / rate if rate else float("inf")
        print(
            f"width {width}: P = {int(ends['n_params'].iloc[0])}, {2 * args.starts} starts, "
            f"{minutes:.1f} min, {certified} certified: {rate:.2f} per minute, 30 in "
            f"{need:.0f} min",
            flush=True,
        )


if __name__ == "__main__":
    main()
