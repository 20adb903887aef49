"""Section 4a: the counting argument for why minima are rare among critical points.

If each of the N Hessian eigenvalues at a critical point were positive with probability 1/2,
independently, the point would be a minimum with probability 2^-N (Dauphin et al. 2014, Sec. 2).
For a random symmetric matrix the signs are not independent: the eigenvalues of the Gaussian
orthogonal ensemble (GOE, H = (A + A^T) / 2 with A_ij ~ N(0, 1)) repel, and P(all positive)
decays like exp(-c N^2) (Dean & Majumdar 2006), faster than 2^-N. The Monte Carlo estimate
below checks that ordering for small N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import torch

from landscape.base.options import FromConfig
from landscape.engine.stats import wilson_interval


def log10_all_positive(n: int) -> float:
    """log10 of 2^-n, the probability that n independent fair signs are all positive."""
    return -n * math.log10(2.0)


def goe_positive_definite(n: int, samples: int, seed: int) -> int:
    """How many of ``samples`` seeded GOE matrices of size n are positive definite.

    Args:
        n: Matrix size.
        samples: Number of matrices, drawn in batches.
        seed: Seed of the draws.

    Returns:
        The count of matrices whose smallest eigenvalue is positive.
    """
    gen = torch.Generator().manual_seed(int(seed))
    count, batch = 0, 50_000
    for start in range(0, samples, batch):
        k = min(batch, samples - start)
        a = torch.randn(k, n, n, generator=gen, dtype=torch.float64)
        h = (a + a.mT) / 2  # (k, n, n)
        count += int((torch.linalg.eigvalsh(h)[:, 0] > 0).sum())
    return count


@dataclass(frozen=True)
class CountingOptions(FromConfig):
    """The GOE Monte Carlo (config section ``counting``)."""

    goe_max_n: int = 5  # largest matrix size
    samples: int = 200000  # matrices per size
    seed: int = 0  # size n uses seed + n


def counting_table(
    networks: dict[str, int], goe_max_n: int, samples: int, seed: int
) -> pd.DataFrame:
    """2^-N for the pipeline's networks, and GOE Monte Carlo rates for N = 1 ... goe_max_n.

    Args:
        networks: Network name -> number of parameters N.
        goe_max_n: Largest matrix size of the Monte Carlo.
        samples: GOE matrices per size.
        seed: Seed of the Monte Carlo (size n uses seed + n).

    Returns:
        Rows of ``kind`` ``network`` (name, n_params, log10_p_independent) and ``goe`` (n_params,
        log10_p_independent, positive_definite, samples, goe_rate and its 95% Wilson interval).
    """
    rows = [
        {
            "kind": "network",
            "name": name,
            "n_params": n,
            "log10_p_independent": log10_all_positive(n),
        }
        for name, n in sorted(networks.items(), key=lambda item: item[1])
    ]
    for n in range(1, goe_max_n + 1):
        k = goe_positive_definite(n, samples, seed + n)
        low, high = wilson_interval(k, samples)
        rows.append(
            {
                "kind": "goe",
                "name": f"GOE {n}x{n}",
                "n_params": n,
                "log10_p_independent": log10_all_positive(n),
                "positive_definite": k,
                "samples": samples,
                "goe_rate": k / samples,
                "goe_low": low,
                "goe_high": high,
            }
        )
    return pd.DataFrame(rows)
