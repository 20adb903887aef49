"""Interval estimates of rates (the census and counting sections, and the verdicts, use them)."""

from __future__ import annotations


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a binomial rate (95% for z = 1.96).

    Args:
        successes: Number of successes k.
        trials: Number of trials n (> 0).
        z: Normal quantile.

    Returns:
        (low, high).
    """
    if trials <= 0:
        raise ValueError("a rate needs at least one trial")
    low, high = _wilson(successes, trials, z)
    # Exact ends: at 0 or all successes the formula's round-off leaves 3e-17 for some trials.
    return (0.0 if successes == 0 else low), (1.0 if successes == trials else high)


def _wilson(successes: int, trials: int, z: float) -> tuple[float, float]:
    rate = successes / trials
    denom = 1 + z * z / trials
    centre = (rate + z * z / (2 * trials)) / denom
    half = z * ((rate * (1 - rate) + z * z / (4 * trials)) / trials) ** 0.5 / denom
    return max(0.0, centre - half), min(1.0, centre + half)
