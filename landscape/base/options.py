"""The base of every options dataclass, and the ``numerics`` tolerances every section reads.

A script builds its options once, ``Options.from_config(snakemake.params.options)``, from the
validated config (:mod:`landscape.pipeline.config`), and passes the typed object on.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


class FromConfig:
    """Mixin: ``from_config`` builds a section's options dataclass from its validated config.

    Keys that are fields are taken (lists become tuples); keys that are not fields are ignored
    (they belong to the rule, e.g. a shard size); ``overrides`` replace or add fields.
    """

    @classmethod
    def from_config(cls, cfg: dict[str, Any], **overrides: Any):
        """The options from a validated config section."""
        names = {f.name for f in fields(cls)}
        kw = {k: tuple(v) if isinstance(v, list) else v for k, v in cfg.items() if k in names}
        return cls(**{**kw, **overrides})


@dataclass(frozen=True)
class Numerics:
    """The config's ``numerics`` section: the tolerances that decide signs and small norms."""

    grad_norm_sq_threshold: float = 1e-10  # ||g||^2 at most this: critical
    eigen_tolerance_factor: float = 10.0  # tol = factor * n * eps * max|lambda|
    gradient_flat_residual: float = 0.9  # Frye et al.'s r above this (and r_H below the next)
    gradient_flat_cokernel: float = 5e-4  # ... and their co-kernel residual r_H below this

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> Numerics:
        """From a validated ``numerics`` section (keys left out take the defaults)."""
        return cls(**{k: float(cfg[k]) for k in cls.__dataclass_fields__ if k in cfg})
