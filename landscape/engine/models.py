"""Networks as pure functions of one flat parameter vector.

A model is a small frozen dataclass that knows its parameter layout; ``forward(theta, x)`` is a pure
function, so ``torch.func`` transforms (``grad``, ``hessian``, ``vmap`` over a stack of networks)
apply directly. Layer l of an :class:`MLP` is stored as the row-major augmented matrix
``[W_l | b_l]`` of shape (out, in + 1) (shape (out, in) without biases), layer after layer; this is
the order in which :mod:`landscape.engine.curvature` assembles Hessian blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "tanh": torch.tanh,
    "relu": torch.relu,
    "linear": lambda z: z,
}
LOSSES = ("cross_entropy", "mse")


@dataclass(frozen=True)
class MLP:
    """A fully connected network x -> W_L s(... s(W_1 x + b_1) ...) + b_L.

    Attributes:
        widths: Layer widths from input to output, e.g. (64, 8, 10).
        activation: Hidden activation s: ``tanh``, ``relu`` or ``linear``.
        bias: Whether layers have biases (deep linear networks usually have none).
    """

    widths: tuple[int, ...]
    activation: str = "tanh"
    bias: bool = True

    def __post_init__(self) -> None:
        """Check the architecture."""
        if len(self.widths) < 2 or any(int(w) < 1 for w in self.widths):
            raise ValueError(f"MLP widths must be >= 2 positive integers, got {self.widths}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation '{self.activation}' (use {', '.join(ACTIVATIONS)})"
            )
        object.__setattr__(self, "widths", tuple(int(w) for w in self.widths))

    @property
    def layer_shapes(self) -> list[tuple[int, int]]:
        """(out, in) of each weight matrix."""
        return list(zip(self.widths[1:], self.widths[:-1], strict=True))

    @property
    def block_shapes(self) -> list[tuple[int, int]]:
        """(out, in + 1) of each stored block [W_l | b_l]; (out, in) without biases."""
        return [(o, i + int(self.bias)) for o, i in self.layer_shapes]

    @property
    def n_params(self) -> int:
        """Total number of parameters P."""
        return sum(o * i for o, i in self.block_shapes)

    def blocks(self, theta: torch.Tensor) -> list[torch.Tensor]:
        """Split a flat vector (P,) into the augmented blocks [W_l | b_l] (out, in + 1)."""
        out, start = [], 0
        for o, i in self.block_shapes:
            out.append(theta[start : start + o * i].reshape(o, i))
            start += o * i
        return out

    def unflatten(self, theta: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor | None]]:
        """Split a flat vector (P,) into [(W_l (out, in), b_l (out,) or None), ...]."""
        return [
            (blk[:, :i], blk[:, i] if self.bias else None)
            for blk, (_, i) in zip(self.blocks(theta), self.layer_shapes, strict=True)
        ]

    def forward(self, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Outputs (n, d_out) of the network with parameters theta (P,) on inputs x (n, d_in)."""
        act = ACTIVATIONS[self.activation]
        layers = self.unflatten(theta)
        h = x
        for li, (w, b) in enumerate(layers):
            h = h @ w.T  # (n, width)
            if b is not None:
                h = h + b
            if li < len(layers) - 1:
                h = act(h)
        return h  # (n, d_out)


def deep_linear(widths: tuple[int, ...]) -> MLP:
    """A deep linear network x -> W_L ... W_1 x: linear activations and no biases."""
    return MLP(tuple(widths), activation="linear", bias=False)


@dataclass(frozen=True)
class TwoLayerReLU:
    """The teacher-student student f(x) = sum_j [w_j . x]_+ (Safran & Shamir 2018).

    Only the first layer W (n_hidden, d) is trained; the output weights are fixed to one.

    Attributes:
        input_dim: d.
        n_hidden: Number of ReLU units n.
    """

    input_dim: int
    n_hidden: int

    @property
    def n_params(self) -> int:
        """P = n_hidden * input_dim."""
        return self.n_hidden * self.input_dim

    @property
    def widths(self) -> tuple[int, ...]:
        """(d, n, 1), for code that reads an output dimension."""
        return (self.input_dim, self.n_hidden, 1)

    def forward(self, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Outputs (n_samples, 1) for weights theta (P,) on inputs x (n_samples, d)."""
        w = theta.reshape(self.n_hidden, self.input_dim)
        return torch.relu(x @ w.T).sum(dim=1, keepdim=True)  # (n_samples, 1)


def init_params(
    model: MLP | TwoLayerReLU,
    seed: int,
    dtype: torch.dtype = torch.float64,
    device: str | torch.device = "cpu",
) -> torch.Tensor:
    """LeCun-normal initialisation: W_l ~ N(0, 1/fan_in), b_l = 0.

    For :class:`TwoLayerReLU` this is W ~ N(0, 1/d), the initialisation of Safran & Shamir 2018.

    Args:
        model: The architecture.
        seed: Seed of this network's own generator (draws are made on the CPU, then moved, so the
            same seed gives the same network on every device).
        dtype: Parameter dtype.
        device: Where the parameters live.

    Returns:
        A flat parameter vector (P,).
    """
    gen = torch.Generator().manual_seed(int(seed))
    if isinstance(model, TwoLayerReLU):
        w = torch.randn(model.n_params, generator=gen, dtype=torch.float64) / model.input_dim**0.5
        return w.to(dtype=dtype, device=device)
    parts = []
    for o, i in model.layer_shapes:
        w = torch.randn(o, i, generator=gen, dtype=torch.float64) / i**0.5
        parts.append(torch.cat([w, torch.zeros(o, 1, dtype=torch.float64)], 1) if model.bias else w)
    return torch.cat([p.flatten() for p in parts]).to(dtype=dtype, device=device)


def check_loss(loss: str, y: torch.Tensor) -> None:
    """Raise ValueError for an unknown loss, or cross-entropy on float targets."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss '{loss}' (use {', '.join(LOSSES)})")
    if loss == "cross_entropy" and torch.is_floating_point(y):
        raise ValueError("cross_entropy needs integer class labels, got float targets")


def dense_targets(
    model: MLP | TwoLayerReLU, loss: str, y: torch.Tensor, dtype: torch.dtype
) -> torch.Tensor:
    """Targets t (n, d_out): one_hot(y) for integer labels, y itself for float targets.

    Raises:
        ValueError: As :func:`check_loss`, or when t and the model disagree on d_out.
    """
    check_loss(loss, y)
    t = y if torch.is_floating_point(y) else F.one_hot(y, model.widths[-1]).to(dtype)
    if t.shape[-1] != model.widths[-1]:
        raise ValueError(f"targets have {t.shape[-1]} outputs, model has {model.widths[-1]}")
    return t


def make_batch_loss(
    model: MLP | TwoLayerReLU, loss: str, x: torch.Tensor, y: torch.Tensor
) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """Minibatch loss (theta (P,), indices (b,)) -> the loss of :func:`make_loss` on x[indices].

    Squared loss's one-hot targets are made once, outside the function, so that it can be
    vmapped over batched indices (one_hot cannot be).
    """
    if loss == "mse":
        y = dense_targets(model, loss, y, x.dtype)  # (n, d_out)

    def batch_loss(theta: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        return make_loss(model, loss, x[idx], y[idx])(theta)

    return batch_loss


def make_loss(
    model: MLP | TwoLayerReLU, loss: str, x: torch.Tensor, y: torch.Tensor
) -> Callable[[torch.Tensor], torch.Tensor]:
    """Full-batch training loss as a pure function of the flat parameters.

    * ``cross_entropy``: L = -(1/n) sum_i log softmax(f(x_i))_{y_i}; y holds integer labels.
    * ``mse``: L = (1/n) sum_i 1/2 ||f(x_i) - t_i||^2, with t_i = one_hot(y_i) when y holds
      integer labels and t_i = y_i otherwise.

    Args:
        model: The architecture.
        loss: ``cross_entropy`` or ``mse``.
        x: Inputs (n, d_in).
        y: Integer labels (n,) or float targets (n, d_out).

    Returns:
        theta (P,) -> scalar loss.
    """
    check_loss(loss, y)
    if loss == "cross_entropy":

        def loss_fn(theta: torch.Tensor) -> torch.Tensor:
            return F.cross_entropy(model.forward(theta, x), y)

        return loss_fn
    t = dense_targets(model, loss, y, x.dtype)  # (n, d_out)

    def loss_fn(theta: torch.Tensor) -> torch.Tensor:
        r = model.forward(theta, x) - t  # (n, d_out)
        return 0.5 * (r * r).sum(dim=1).mean()

    return loss_fn


def permute_hidden(model: MLP, theta: torch.Tensor, layer: int, perm: torch.Tensor) -> torch.Tensor:
    """Permute the units of hidden layer ``layer`` (0-based), leaving the function unchanged.

    Unit j of the new network is unit perm[j] of the old: the rows of [W_l | b_l] are permuted and
    the matching input columns of W_{l+1}. f(x; theta) = f(x; permute_hidden(theta)) for every x.

    Args:
        model: The MLP.
        theta: Parameters (P,).
        layer: Hidden layer, 0 <= layer < number of hidden layers.
        perm: A permutation of range(width of that layer).

    Returns:
        The permuted parameters (P,).
    """
    if not 0 <= layer < len(model.widths) - 2:
        raise ValueError(f"layer {layer} is not a hidden layer of {model.widths}")
    blocks = [b.clone() for b in model.blocks(theta)]
    blocks[layer] = blocks[layer][perm]
    width = model.widths[layer + 1]
    blocks[layer + 1][:, :width] = blocks[layer + 1][:, :width][:, perm]
    return torch.cat([b.flatten() for b in blocks])
