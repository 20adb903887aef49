"""Safran & Shamir 2018's per-case census rates, read from the authors' own result files.

The authors' repository ``ItaySafran/OneLayerGDconvergence`` (``Results/readme.txt``) holds one
MATLAB file ``Results/newExp-k-n.mat`` per case: they ran 1,000 gradient-descent runs of a
one-hidden-layer ReLU student with n units against the k orthonormal teacher units e_1..e_k,
grouped the runs' end points that are equal up to permuting neurons and data into families, and
verified each family with a Lipschitz bound. Per the readme, ``magnitude`` (1, count) is the
number of runs that ended in each family, ``WbadNew`` (k, n, count) the families'
representatives; ``r``, ``lambdaMin``, ``objVals``, ``deviations`` and ``maxFroDiff`` are MATLAB
symbolic (``sym``) objects, stored as serialised MuPAD expressions that scipy cannot decode.

The authors' reported rate (``Verify_minima_code/processResults.m``) is
sum(magnitude(r > 0)) / 1,000, the share of the runs that ended in a family their algorithm
verified to hold a local minimum (r > 0 needs a certified positive lower bound on the Hessian's
smallest eigenvalue, ``minimum.m``). ``r`` cannot be decoded here, so the rate is reconstructed
from what can be read: ``magnitude`` and ``WbadNew`` (plain numeric arrays,
``scipy.io.loadmat``). Each family's representative is checked with the pipeline's own closed form
(:mod:`landscape.experiments.relu_spurious.relu`): its loss F (> 0: spurious; 0 is the global
minimum), ||grad
F||^2 and the smallest eigenvalue of the exact Hessian. A family whose representative has a negative
eigenvalue is a saddle, so its r is negative (``isMatrixPD`` fails); it is left out. Every other
family is counted, which is an upper bound on the authors' rate: a family with a positive but tiny
smallest eigenvalue may still have failed their bound (r = -2). Two runs in all 26 files fall in a
saddle
family: one at (15, 16) and one at (17, 18). A developer runs this once; the pipeline reads the
rates from the config (``relu_spurious.published``), never these files.

Usage (after the search tool's ``fetch`` of github:ItaySafran/OneLayerGDconvergence)::

    python tools/safran_shamir_rates.py /work/.mirror/ItaySafran+OneLayerGDconvergence/repo \
        [--yaml]   # print the relu_spurious.published entries instead of the table
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import warnings
from pathlib import Path

import numpy as np
import scipy.io
import torch

from landscape.experiments.relu_spurious.relu import (
    _exact_hessian,
    population_value_and_grad,
    teacher,
)

RUNS = 1000  # Results/readme.txt: "We first ran 1000 gradient descent instantiations"
REPO = "ItaySafran/OneLayerGDconvergence"
NAME = re.compile(r"Results/newExp-(\d+)-(\d+)\.mat$")


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout


def cases(repo: Path) -> list[tuple[int, int, str]]:
    """(k, n, path) of every result file at the mirror's HEAD, sorted by (n - k, k)."""
    paths = _git(repo, "ls-tree", "-r", "--name-only", "HEAD", "Results").decode().split()
    found = [(int(m[1]), int(m[2]), p) for p in paths if (m := NAME.search(p))]
    return sorted(found, key=lambda c: (c[1] - c[0], c[0]))


def read_case(repo: Path, path: str) -> tuple[np.ndarray, np.ndarray]:
    """(magnitude (count,), representatives (count, n, d)) of one file; the sym objects skipped."""
    with warnings.catch_warnings():  # the sym objects share the placeholder name "None"
        warnings.simplefilter("ignore")
        mat = scipy.io.loadmat(io.BytesIO(_git(repo, "show", f"HEAD:{path}")))
    magnitude = mat["magnitude"].ravel().astype(int)  # (count,)
    w = mat["WbadNew"].reshape(*mat["WbadNew"].shape[:2], -1)  # (k, n, count): d = k rows
    return magnitude, np.transpose(w, (2, 1, 0))  # (count, n, d): our students' rows


def check_family(w: np.ndarray, k: int) -> tuple[float, float, float]:
    """(F, ||grad F||^2, lambda_min of the exact Hessian) at one representative w (n, d)."""
    wt = torch.as_tensor(w, dtype=torch.float64)
    loss, grad = population_value_and_grad(wt[None], teacher(k))
    lam = torch.linalg.eigvalsh(_exact_hessian(wt, teacher(k)))[0]
    return float(loss[0]), float((grad**2).sum()), float(lam)


def main() -> None:
    """Print every case's published rate (or the config entries) from the authors' files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path, help="git directory of the fetched mirror")
    parser.add_argument("--yaml", action="store_true", help="print relu_spurious.published")
    args = parser.parse_args()
    commit = _git(args.repo, "rev-parse", "HEAD").decode().strip()
    print(f"# {REPO} at {commit}")
    for k, n, path in cases(args.repo):
        magnitude, reps = read_case(args.repo, path)
        checks = np.array([check_family(w, k) for w in reps])  # (count, 3): F, |g|^2, lambda_min
        minima = magnitude[checks[:, 2] > 0].sum()  # runs in families that are not saddles
        if args.yaml:
            print(
                f"    - {{k: {k}, n: {n}, rate: {minima / RUNS:.3f}, runs: {RUNS}, "
                f'source: "{REPO}@{commit[:7]}:{path}"}}'
            )
            continue
        print(
            f"k={k:2d} n={n:2d} families={len(magnitude):2d} runs={magnitude.sum():4d} "
            f"at minima={minima:4d} rate={minima / RUNS:.3f} F in [{checks[:, 0].min():.4f}, "
            f"{checks[:, 0].max():.4f}] max |g|^2 {checks[:, 1].max():.1e} lambda_min in "
            f"[{checks[:, 2].min():.1e}, {checks[:, 2].max():.1e}]"
        )


if __name__ == "__main__":
    main()
