"""Networks as pure functions of one flat parameter vector.

A model is a small frozen dataclass that knows its parameter layout; ``forward(theta, x)`` is a pure
function, so ``torch.func`` transforms (``grad``, ``hessian``, ``vmap`` over a stack of networks)
apply directly. Parameters of layer l are laid out as ``W_l`` (row-major, shape (out, in))
followed by ``b_l`` (out,), layer after layer.
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
    """

    widths: tuple[int, ...]
    activation: str = "tanh"

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
    def n_params(self) -> int:
        """Total number of parameters P."""
        return sum(o * i + o for o, i in self.layer_shapes)

    def unflatten(self, theta: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Split a flat vector (P,) into [(W_l (out, in), b_l (out,)), ...]."""
        layers, start = [], 0
        for o, i in self.layer_shapes:
            w = theta[start : start + o * i].reshape(o, i)
            start += o * i
            b = theta[start : start + o]
            start += o
            layers.append((w, b))
        return layers

    def forward(self, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Outputs (n, d_out) of the network with parameters theta (P,) on inputs x (n, d_in)."""
        act = ACTIVATIONS[self.activation]
        layers = self.unflatten(theta)
        h = x
        for w, b in layers[:-1]:
            h = act(h @ w.T + b)  # (n, width)
        w, b = layers[-1]
        return h @ w.T + b  # (n, d_out)


def init_params(
    model: MLP, seed: int, dtype: torch.dtype = torch.float64, device: str | torch.device = "cpu"
) -> torch.Tensor:
    """LeCun-normal initialisation: W_l ~ N(0, 1/fan_in), b_l = 0.

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
    parts = []
    for o, i in model.layer_shapes:
        parts.append(torch.randn(o * i, generator=gen, dtype=torch.float64) / i**0.5)
        parts.append(torch.zeros(o, dtype=torch.float64))
    return torch.cat(parts).to(dtype=dtype, device=device)


def make_loss(
    model: MLP, loss: str, x: torch.Tensor, y: torch.Tensor
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
    classification = not torch.is_floating_point(y)
    if loss == "cross_entropy":
        if not classification:
            raise ValueError("cross_entropy needs integer class labels, got float targets")

        def loss_fn(theta: torch.Tensor) -> torch.Tensor:
            return F.cross_entropy(model.forward(theta, x), y)

        return loss_fn
    if loss == "mse":
        t = F.one_hot(y, model.widths[-1]).to(x.dtype) if classification else y  # (n, d_out)
        if t.shape[-1] != model.widths[-1]:
            raise ValueError(f"targets have {t.shape[-1]} outputs, model has {model.widths[-1]}")

        def loss_fn(theta: torch.Tensor) -> torch.Tensor:
            r = model.forward(theta, x) - t  # (n, d_out)
            return 0.5 * (r * r).sum(dim=1).mean()

        return loss_fn
    raise ValueError(f"unknown loss '{loss}' (use {', '.join(LOSSES)})")
