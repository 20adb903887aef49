"""Gradients, Hessian-vector products and exact Hessians of many networks at once.

Everything here is a pure function of a flat parameter vector theta (P,), built by ``make_*``
factories, so that ``torch.func.vmap`` batches it over a stack of networks (K, P).

Two exact Hessian paths:

* :func:`make_hessian_hvp`, generic: H e_j for every basis vector e_j by forward-over-reverse
  Hessian-vector products, vectorised over the basis in chunks. Works for any pure loss.
* :func:`make_hessian_mlp`, structured, for :class:`~landscape.engine.models.MLP` losses. With
  z_l = W_l h^_{l-1} the pre-activations (h^ = [h, 1] with biases), delta_l = dL/dz_l and
  Hz_l = d^2 L/dz_l^2 (back-propagated: Hz_L is the loss Hessian in the outputs and
  Hz_l = D_l W_{l+1}^T Hz_{l+1} W_{l+1} D_l + diag(g_l * s''(z_l)) with D_l = diag(s'(z_l)),
  g_l = dL/dh_l), the block of H for layers m <= l is

      d^2 L / dW_l[a,b] dW_m[c,d] = sum_i (Hz_l Q_lm)_i[a,c] h^_{l-1,i}[b] h^_{m-1,i}[d]
                                  + [m < l] sum_i delta_l,i[a] (dh^_{l-1}/dz_m)_i[b,c] h^_{m-1,i}[d]

  with Q_lm = dz_l/dz_m. The first sum is the Gauss-Newton part plus the curvature of the
  activations, the second the bilinear coupling of consecutive layers. Each sum over samples is
  one dense matrix product of per-sample outer products, so the whole Hessian costs about
  n P^2 multiply-adds in a few large GEMMs instead of P backward passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import torch
from torch.func import grad, jvp, vmap

from landscape.engine.models import ACTIVATIONS, MLP, dense_targets

Loss = Callable[[torch.Tensor], torch.Tensor]
HessianFn = Callable[[torch.Tensor], torch.Tensor]

DEFAULT_VECTOR_CHUNK = 256  # basis vectors per vectorised call of the HVP path, budget allowing
MIN_VECTOR_CHUNK = 16  # the fewest the budget may leave (per-call overhead dominates below)


def make_hvp(loss_fn: Loss) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """Hessian-vector product (theta (P,), v (P,)) -> H(theta) v, by forward-over-reverse."""

    def hvp(theta: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        return jvp(grad(loss_fn), (theta,), (v,))[1]

    return hvp


def grad_norm_sq(loss_fn: Loss, params: torch.Tensor) -> torch.Tensor:
    """Squared gradient norms ||grad L(theta_k)||^2 of a stack of networks (K, P) -> (K,)."""
    g = vmap(grad(loss_fn))(params)  # (K, P)
    return (g * g).sum(dim=1)


def make_hessian_hvp(loss_fn: Loss, vector_chunk: int | None = DEFAULT_VECTOR_CHUNK) -> HessianFn:
    """Generic exact Hessian: vmap of Hessian-vector products over the basis vectors.

    Args:
        loss_fn: theta (P,) -> scalar loss, a pure function.
        vector_chunk: Basis vectors per vectorised call (bounds memory); None: all at once.

    Returns:
        theta (P,) -> H (P, P).
    """
    hvp = make_hvp(loss_fn)

    def hessian(theta: torch.Tensor) -> torch.Tensor:
        eye = torch.eye(theta.shape[-1], dtype=theta.dtype, device=theta.device)
        return vmap(hvp, in_dims=(None, 0), chunk_size=vector_chunk)(theta, eye)  # (P, P)

    return hessian


def _activation_derivatives(name: str, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """s'(z) and s''(z) for the hidden activation (ReLU: 1[z > 0] and 0)."""
    if name == "tanh":
        t = torch.tanh(z)
        d1 = 1.0 - t * t
        return d1, -2.0 * t * d1
    if name == "relu":
        return (z > 0).to(z.dtype), torch.zeros_like(z)
    if name == "linear":
        return torch.ones_like(z), torch.zeros_like(z)
    raise ValueError(f"unknown activation '{name}'")


def _outer_sum(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """sum_i u_i v_i^T for u (..., n, p), v (..., n, q): one (batched) GEMM, (..., p, q)."""
    return u.mT @ v


# Over 60 lines: one formula (the module docstring) over per-layer lists that its pieces share.
def make_hessian_mlp(
    model: MLP, loss: str, x: torch.Tensor, y: torch.Tensor, sample_chunk: int | None = None
) -> HessianFn:
    """Structured exact Hessian of an MLP's full-batch loss (see the module docstring).

    The loss is the one of :func:`landscape.engine.models.make_loss` (mean over samples).

    Args:
        model: The MLP.
        loss: ``mse`` or ``cross_entropy``.
        x: Inputs (n, d_in).
        y: Integer labels (n,) or float targets (n, d_out).
        sample_chunk: Samples per pass (bounds the per-sample intermediates); None: all at once.

    Returns:
        theta (P,) -> H (P, P), or a stack (B, P) -> (B, P, P), in the model's parameter order.
        The stack is batched natively (batched matrix products written straight into the
        preallocated result), not by vmap.
    """
    n = x.shape[0]
    t = dense_targets(model, loss, y, x.dtype)  # (n, d_out)
    chunk = n if sample_chunk is None else max(1, int(sample_chunk))
    n_layers = len(model.layer_shapes)
    sizes = [o * i for o, i in model.block_shapes]
    offsets = [sum(sizes[:k]) for k in range(n_layers)]

    def split(theta: torch.Tensor) -> list[torch.Tensor]:
        """Augmented blocks [W_l | b_l] of a stack of networks: (B, out, in [+1]) each."""
        return [
            theta[:, off : off + size].reshape(-1, *shape)
            for off, size, shape in zip(offsets, sizes, model.block_shapes, strict=True)
        ]

    def augment(h: torch.Tensor) -> torch.Tensor:
        return torch.cat([h, torch.ones_like(h[..., :1])], dim=-1) if model.bias else h

    def accumulate(out: torch.Tensor, theta: torch.Tensor, xc, tc, first: bool) -> None:
        """Add one chunk of samples' contribution to the lower blocks (m <= l) of ``out``."""
        nets = theta.shape[0]
        blocks = split(theta)
        ws = [blk[..., :i] for blk, (_, i) in zip(blocks, model.layer_shapes, strict=True)]
        # Forward: the inputs h^ of each layer, and s', s'' of the hidden layers.
        hats, d1s, d2s = [], [], []
        h = xc.expand(nets, -1, -1)  # (B, c, d_in)
        for li, blk in enumerate(blocks):
            hats.append(augment(h))  # (B, c, in_l [+1])
            z = hats[-1] @ blk.mT  # (B, c, n_l)
            if li < n_layers - 1:
                d1, d2 = _activation_derivatives(model.activation, z)
                d1s.append(d1)
                d2s.append(d2)
                h = ACTIVATIONS[model.activation](z)
        # Output layer: delta_L and Hz_L, including the 1/n of the mean.
        if loss == "mse":
            deltas_out = (z - tc) / n  # (B, c, d_out)
            eye = torch.eye(z.shape[-1], dtype=z.dtype, device=z.device)
            hz_out = (eye / n).expand(*z.shape, z.shape[-1])  # (B, c, d_out, d_out)
        else:
            p = torch.softmax(z, dim=-1)
            deltas_out = (p - tc) / n
            hz_out = (torch.diag_embed(p) - p[..., :, None] * p[..., None, :]) / n
        deltas, hzs = [None] * n_layers, [None] * n_layers
        deltas[-1], hzs[-1] = deltas_out, hz_out
        for li in range(n_layers - 2, -1, -1):
            w_next = ws[li + 1][:, None]  # (B, 1, n_{l+1}, n_l)
            g = deltas[li + 1] @ ws[li + 1]  # (B, c, n_l): dL/dh_l
            deltas[li] = g * d1s[li]
            back = w_next.mT @ hzs[li + 1] @ w_next  # (B, c, n_l, n_l)
            d1 = d1s[li]
            hzs[li] = d1[..., :, None] * back * d1[..., None, :] + torch.diag_embed(g * d2s[li])
        c_ = xc.shape[0]
        for k in range(n_layers):
            nl, il = hzs[k].shape[-1], hats[k].shape[-1]
            r = None  # dz_{l-1}/dz_m, walking m down from l - 1
            for m in range(k, -1, -1):
                nm, im = (hzs[m].shape[-1], hats[m].shape[-1])
                target = out[
                    :, offsets[k] : offsets[k] + nl * il, offsets[m] : offsets[m] + nm * im
                ]
                target = target.view(nets, nl, il, nm, im)  # [a, b, c, d]
                if m == k:
                    mz = hzs[k]  # (B, c, n_l, n_l)
                else:
                    if m == k - 1:
                        e = torch.diag_embed(d1s[m])  # dh_{l-1}/dz_{l-1}: (B, c, n_m, n_m)
                    else:
                        step = ws[m + 1][:, None] * d1s[m][..., None, :]  # W_{m+1} D_m
                        r = step if r is None else r @ step  # (B, c, n_{l-1}, n_m)
                        e = d1s[k - 1][..., :, None] * r  # dh_{l-1}/dz_m
                    mz = hzs[k] @ (ws[k][:, None] @ e)  # Hz_l Q_lm: (B, c, n_l, n_m)
                gn = _outer_sum(
                    mz.reshape(nets, c_, nl * nm),
                    (hats[k][..., :, None] * hats[m][..., None, :]).reshape(nets, c_, il * im),
                )  # (B, n_l n_m, in_l in_m), indexed [(a, c), (b, d)]
                src = gn.view(nets, nl, nm, il, im).permute(0, 1, 3, 2, 4)
                target.copy_(src) if first else target.add_(src)
                if m < k:
                    # The bias input h^ = 1 does not move: only the first n_{l-1} rows of b.
                    nb = e.shape[-2]
                    cross = _outer_sum(
                        (deltas[k][..., :, None] * hats[m][..., None, :]).reshape(nets, c_, -1),
                        e.reshape(nets, c_, nb * nm),
                    )  # (B, n_l in_m, n_{l-1} n_m), indexed [(a, d), (b, c)]
                    target[:, :, :nb].add_(cross.view(nets, nl, im, nb, nm).permute(0, 1, 3, 4, 2))

    def hessian(theta: torch.Tensor) -> torch.Tensor:
        single = theta.dim() == 1
        theta = theta[None] if single else theta  # (B, P)
        p_total = theta.shape[-1]
        out = theta.new_empty(theta.shape[0], p_total, p_total)  # (B, P, P)
        for start in range(0, n, chunk):
            xc, tc = x[start : start + chunk], t[start : start + chunk]
            accumulate(out, theta, xc, tc, first=start == 0)
        for k in range(n_layers):
            rk = slice(offsets[k], offsets[k] + sizes[k])
            diag = out[:, rk, rk]
            diag.copy_(0.5 * (diag + diag.mT))  # exact symmetry despite GEMM round-off
            for m in range(k):
                rm = slice(offsets[m], offsets[m] + sizes[m])
                out[:, rm, rk] = out[:, rk, rm].mT
        return out[0] if single else out

    hessian.batched = True  # takes a stack (B, P) natively: batched_hessians skips vmap
    return hessian


class HessianMethod(StrEnum):
    """How an exact Hessian is assembled (config ``curvature.hessian_method``)."""

    AUTO = "auto"  # structured for MLPs, HVPs otherwise
    STRUCTURED = "structured"  # :func:`make_hessian_mlp`
    HVP = "hvp"  # :func:`make_hessian_hvp`


class SpectrumMethod(StrEnum):
    """How a Hessian's spectrum is read (config ``curvature.spectrum``)."""

    FULL = "full"  # every eigenvalue (eigvalsh)
    INERTIA = "inertia"  # counts only, from two LDL^T factorisations (Sylvester's law)


HESSIAN_METHODS = tuple(HessianMethod)


@dataclass(frozen=True)
class CurvatureOptions:
    """How exact Hessians and their spectra are computed: the config's ``curvature`` section.

    Applies to every rule that takes Hessians of a network's loss on data (sections 1c, 2b, 2c,
    4b, 4c and the linear autoencoder), in the critical-point searches and in the spectra.
    """

    hessian_method: HessianMethod = HessianMethod.AUTO
    memory_budget_mb: float = 4096  # Hessians assembled at once fit in this many MiB
    sample_chunk: int | None = None  # samples per pass of the structured path (None: all)
    spectrum: SpectrumMethod = SpectrumMethod.FULL

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> CurvatureOptions:
        """The options from a validated ``curvature`` config section (missing keys: defaults)."""
        known = {k: cfg[k] for k in cls.__dataclass_fields__ if k in cfg}
        if "hessian_method" in known:
            known["hessian_method"] = HessianMethod(known["hessian_method"])
        if "spectrum" in known:
            known["spectrum"] = SpectrumMethod(known["spectrum"])
        return cls(**known)

    def hessian(self, model, loss: str, x: torch.Tensor, y: torch.Tensor) -> HessianFn:
        """The exact Hessian theta (P,) -> H (P, P) of the loss, by :func:`make_hessian`.

        The HVP path takes :meth:`vector_chunk` basis vectors per vectorised call.
        """
        return make_hessian(
            model,
            loss,
            x,
            y,
            self.hessian_method,
            self.sample_chunk,
            self.vector_chunk(model, len(x)),
        )

    def vector_chunk(self, model, n_samples: int) -> int:
        """Basis vectors per call of the HVP path within the budget (:func:`vectors_per_chunk`)."""
        return vectors_per_chunk(model, n_samples, self.memory_budget_mb)

    def networks_per_chunk(self, model, n_samples: int) -> int:
        """Networks whose Hessians fit in the memory budget at once (at least one).

        Counts the temporaries of the path :attr:`hessian_method` takes (:func:`hessian_bytes`).
        """
        per_network = hessian_bytes(
            model,
            n_samples,
            self.sample_chunk,
            self.hessian_method,
            self.vector_chunk(model, n_samples),
        )
        return networks_per_chunk(per_network, self.memory_budget_mb)


DEFAULT_CURVATURE = CurvatureOptions()  # the schema's defaults (tests/test_config.py checks)


def make_hessian(
    model,
    loss: str,
    x: torch.Tensor,
    y: torch.Tensor,
    method: str = HessianMethod.AUTO,
    sample_chunk: int | None = None,
    vector_chunk: int | None = DEFAULT_VECTOR_CHUNK,
) -> HessianFn:
    """The exact Hessian of a model's full-batch loss, by the fastest path that applies.

    Args:
        model: An :class:`~landscape.engine.models.MLP` (structured path available) or any
            model with ``forward(theta, x)`` (generic path).
        loss: ``mse`` or ``cross_entropy``.
        x: Inputs (n, d_in).
        y: Labels (n,) or targets (n, d_out).
        method: ``structured`` (MLPs only), ``hvp`` (any model), or ``auto`` (structured for MLPs).
        sample_chunk: Samples per pass of the structured path.
        vector_chunk: Basis vectors per vectorised call of the generic path.

    Returns:
        theta (P,) -> H (P, P).
    """
    from landscape.engine.models import make_loss

    if method not in HESSIAN_METHODS:
        raise ValueError(f"unknown Hessian method '{method}' (use {', '.join(HESSIAN_METHODS)})")
    if method == "structured" and not isinstance(model, MLP):
        raise ValueError(f"the structured Hessian needs an MLP, got {type(model).__name__}")
    if is_structured(model, method):
        return make_hessian_mlp(model, loss, x, y, sample_chunk)
    return make_hessian_hvp(make_loss(model, loss, x, y), vector_chunk)


def is_structured(model, method: str) -> bool:
    """Whether :func:`make_hessian` takes the structured path (an MLP, method not ``hvp``)."""
    return method != HessianMethod.HVP and isinstance(model, MLP)


# P x P float64 matrices per network at the peak, by path: the Hessian, a copy (the structured
# path's block transposes, the HVP path's concatenated vmap chunks and symmetrisation), the
# eigensolver's or LDL^T's workspace; the HVP path adds the identity basis.
STRUCTURED_MATRICES = 4
HVP_MATRICES = 5
# make_hessian_hvp's temporaries per basis vector: (n, width) tensors per layer (duals of the
# forward and backward passes) and (P,) tensors (the gradient's tangent and its blocks). Measured
# by the resident-set peak on a CPU (torch 2.13; tanh, ReLU and linear MLPs, 1-4 hidden layers,
# squared loss and cross-entropy, 60-1000 samples): 2.3-8.4 and about 4; rounded up.
HVP_SAMPLE_TEMPORARIES = 10
HVP_PARAMETER_TEMPORARIES = 6


def hessian_bytes(
    model,
    n_samples: int,
    sample_chunk: int | None = None,
    method: str = HessianMethod.AUTO,
    vector_chunk: int | None = DEFAULT_VECTOR_CHUNK,
) -> int:
    """Bytes one network's exact Hessian needs: the result and its path's temporaries.

    * Structured path (:func:`make_hessian_mlp`): :data:`STRUCTURED_MATRICES` P x P float64
      matrices plus three per-sample tensors of the largest block, c * max(in_l in_m + n_l n_m)
      with c samples per pass.
    * HVP path (:func:`make_hessian_hvp`): :data:`HVP_MATRICES` P x P matrices plus, for each of
      the ``vector_chunk`` basis vectors of one vectorised call, :func:`hvp_vector_bytes`.

    Args:
        model: An MLP or any model with ``n_params`` and ``widths``.
        n_samples: n, the samples of the loss.
        sample_chunk: Samples per pass of the structured path (None: all).
        method: The config's ``curvature.hessian_method`` (see :func:`is_structured`).
        vector_chunk: Basis vectors per call of the HVP path (None: all P).

    Returns:
        Bytes.
    """
    p = model.n_params
    if not is_structured(model, method):
        vectors = p if vector_chunk is None else min(p, vector_chunk)
        return HVP_MATRICES * p * p * 8 + vectors * hvp_vector_bytes(model, n_samples)
    c = n_samples if sample_chunk is None else min(n_samples, sample_chunk)
    ins = [i for _, i in model.block_shapes]
    outs = [o for o, _ in model.block_shapes]
    widest = max(ins[a] * ins[b] + outs[a] * outs[b] for a in range(len(ins)) for b in range(a + 1))
    return STRUCTURED_MATRICES * p * p * 8 + 3 * c * widest * 8


def hvp_vector_bytes(model, n_samples: int) -> int:
    """Bytes of one basis vector's Hessian-vector product in :func:`make_hessian_hvp`.

    8 (HVP_SAMPLE_TEMPORARIES n sum_l n_l + HVP_PARAMETER_TEMPORARIES P), n_l the widths of the
    layers after the input (the input itself is shared by every vector).
    """
    per_sample = HVP_SAMPLE_TEMPORARIES * n_samples * sum(model.widths[1:])
    return 8 * (per_sample + HVP_PARAMETER_TEMPORARIES * model.n_params)


def vectors_per_chunk(model, n_samples: int, memory_mb: float) -> int:
    """Basis vectors per vectorised call of the HVP path so that one network fits ``memory_mb``.

    The budget left after one network's :data:`HVP_MATRICES` matrices, in units of
    :func:`hvp_vector_bytes`, between :data:`MIN_VECTOR_CHUNK` and :data:`DEFAULT_VECTOR_CHUNK`.
    """
    spare = memory_mb * 2**20 - HVP_MATRICES * model.n_params**2 * 8
    fits = int(spare // hvp_vector_bytes(model, n_samples))
    return max(MIN_VECTOR_CHUNK, min(DEFAULT_VECTOR_CHUNK, fits))


def networks_per_chunk(bytes_per_network: int, memory_mb: float) -> int:
    """How many networks' Hessians to assemble at once within ``memory_mb`` (at least one)."""
    return max(1, int(memory_mb * 2**20 // bytes_per_network))


def batched_hessians(
    hessian_fn: HessianFn, params: torch.Tensor, chunk_size: int | None = 1
) -> torch.Tensor:
    """Exact Hessians of a stack of networks, vectorised over networks in chunks.

    Args:
        hessian_fn: theta (P,) -> H (P, P), e.g. from :func:`make_hessian`.
        params: Parameters (K, P).
        chunk_size: Networks per vectorised chunk (see :func:`networks_per_chunk`); None: all.

    Returns:
        Hessians (K, P, P), symmetrised as (H + H^T) / 2 to remove round-off asymmetry.
    """
    if getattr(hessian_fn, "batched", False):
        step = params.shape[0] if chunk_size is None else chunk_size
        if step >= params.shape[0]:
            return hessian_fn(params)  # (K, P, P), already exactly symmetric
        p = params.shape[-1]
        out = params.new_empty(params.shape[0], p, p)
        for start in range(0, params.shape[0], step):
            out[start : start + step] = hessian_fn(params[start : start + step])
        return out
    h = vmap(hessian_fn, chunk_size=chunk_size)(params)  # (K, P, P)
    return 0.5 * (h + h.transpose(-1, -2))


def _at(values: torch.Tensor | None, k: int) -> float:
    return 0.0 if values is None else float(values[k])


def point_spectra(
    hessian_fn: HessianFn,
    params: torch.Tensor,
    factor: float,
    options: CurvatureOptions,
    chunk: int | None = None,
    norm: float | None = None,
    finite: torch.Tensor | None = None,
    distance: torch.Tensor | None = None,
) -> tuple[list, list]:
    """Spectrum summaries of the exact Hessians at a stack of points, chunked to a memory budget.

    Args:
        hessian_fn: theta (P,) -> H (P, P), e.g. from :meth:`CurvatureOptions.hessian`.
        params: Points (K, P), float64.
        factor: Eigenvalue tolerance factor (config ``numerics.eigen_tolerance_factor``).
        options: ``spectrum`` picks eigvalsh or inertia (Sylvester's law, see
            :func:`landscape.engine.spectrum.inertia`).
        chunk: Hessians assembled at once (:meth:`CurvatureOptions.networks_per_chunk`); None:
            all of them.
        norm: Curvature scale of the tolerance (see
            :func:`landscape.engine.spectrum.summarize_spectrum`).
        finite: (K,) bool, the points whose spectrum is read; the others (diverged: a non-finite
            loss, gradient or parameter) get ``None``.
        distance: (K,) tolerance for the distance to the critical point, added to the
            round-off one (:attr:`landscape.engine.critical.FinderResult.eig_tol_distance`);
            None: 0.

    Returns:
        (K summaries, :class:`~landscape.engine.spectrum.SpectrumSummary` or None; K eigenvalue
        tensors (P,) ascending, None where the spectrum was not computed: inertia, or not
        ``finite``). A point whose Hessian holds NaN or inf (its second derivatives overflow at a
        finite point) is never classified: its summary is ``not_computed(P, NON_FINITE_HESSIAN)``,
        every count NaN and definiteness ``not computed (non-finite Hessian)``.
    """
    k_points = params.shape[0]
    usable = [k for k in range(k_points) if finite is None or bool(finite[k])]
    step = max(1, len(usable) if chunk is None else chunk)
    summaries, spectra = [None] * k_points, [None] * k_points
    for start in range(0, len(usable), step):
        ids = usable[start : start + step]
        hs = batched_hessians(hessian_fn, params[ids], chunk_size=step)  # (k, P, P)
        read = _read_spectra(hs, factor, options.spectrum, norm, [_at(distance, k) for k in ids])
        for j, k in enumerate(ids):
            summaries[k], spectra[k] = read[j]
    return summaries, spectra


def end_spectra(
    hessian_fn: HessianFn, result, factor: float, options: CurvatureOptions, chunk: int | None
) -> tuple[list, list]:
    """:func:`point_spectra` at a search's finite end points, each with its distance tolerance.

    Args:
        hessian_fn: theta (P,) -> H (P, P).
        result: A :class:`landscape.engine.critical.FinderResult` (its ``params``, ``status``
            and ``eig_tol_distance``).
        factor: Eigenvalue tolerance factor.
        options: Spectrum method.
        chunk: Hessians assembled at once.

    Returns:
        As :func:`point_spectra`.
    """
    from landscape.base.vocabulary import Status

    finite = torch.tensor([st != Status.DIVERGED for st in result.status])  # (S,)
    return point_spectra(
        hessian_fn,
        result.params,
        factor,
        options,
        chunk,
        finite=finite,
        distance=result.eig_tol_distance,
    )


def _read_spectra(hs: torch.Tensor, factor: float, spectrum: SpectrumMethod, norm, distances):
    """(summary, eigenvalues or None) of each Hessian of a chunk (k, P, P); ``hs`` is consumed.

    The non-finite ones are zeroed in place (so that one batched eigvalsh serves the rest) and
    labelled ``not computed (non-finite Hessian)``.
    """
    from landscape.engine.spectrum import NotComputed, inertia, not_computed, summarize_spectrum

    n = hs.shape[-1]
    ok = torch.isfinite(hs).flatten(1).all(1).tolist()  # (k,) Python bools
    hs[[j for j, good in enumerate(ok) if not good]] = 0.0
    bad = (not_computed(n, NotComputed.NON_FINITE_HESSIAN), None)
    if spectrum == SpectrumMethod.FULL:
        eigs = torch.linalg.eigvalsh(hs)  # (k, P) ascending
        return [
            (summarize_spectrum(eigs[j], factor, norm, distances[j]), eigs[j]) if good else bad
            for j, good in enumerate(ok)
        ]
    return [
        (inertia(hs[j], factor, norm, distance=distances[j]), None) if good else bad
        for j, good in enumerate(ok)
    ]


__all__ = [
    "HESSIAN_METHODS",
    "DEFAULT_CURVATURE",
    "CurvatureOptions",
    "HessianMethod",
    "SpectrumMethod",
    "end_spectra",
    "point_spectra",
    "batched_hessians",
    "grad_norm_sq",
    "make_hessian",
    "make_hessian_hvp",
    "make_hessian_mlp",
    "make_hvp",
    "networks_per_chunk",
    "hessian_bytes",
    "hvp_vector_bytes",
    "is_structured",
    "vectors_per_chunk",
]
