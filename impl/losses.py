r"""Loss functions and the output error \(\delta^{[L]}\) they induce.

Arrays are laid out with one row per sample: ``z``, ``a`` and ``y`` all have
shape ``(samples, n_out)``. Each loss provides

* ``value(z, a, y, activation)``: the loss summed over every sample and every
  output (no reduction; the network divides by the sample count for "mean");
* ``delta_out(z, a, y, activation)``: \(\delta^{[L]} = \partial L /
  \partial z^{[L]}\) for each sample, shape ``(samples, n_out)``.

Both receive ``z`` as well as ``a = f(z)`` so that they can choose the
numerically stable form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import xlog1py, xlogy

from impl import activations as _activations
from impl.activations import Activation


@dataclass(frozen=True)
class Loss:
    """One loss function.

    Attributes:
        name: Registry key, e.g. ``"mse"``.
        value: ``(z, a, y, activation) -> float``, summed over samples and outputs.
        delta_out: ``(z, a, y, activation) -> array``, the output error per sample.
        output_range: Closed interval the output activation's values must lie
            in for the loss to be defined (``None`` when any range will do).
            Targets must lie in it too.
    """

    name: str
    value: Callable[..., float]
    delta_out: Callable[..., np.ndarray]
    output_range: tuple[float, float] | None = None


_REGISTRY: dict[str, Loss] = {}


def register(loss: Loss, *, replace: bool = False) -> Loss:
    """Add a loss to the registry (see `impl.activations.register`)."""
    if not isinstance(loss, Loss):
        raise TypeError(f"loss: expected a Loss, got {type(loss).__name__}")
    if loss.name in _REGISTRY and not replace:
        raise ValueError(f"loss: a loss named {loss.name!r} is already registered")
    _REGISTRY[loss.name] = loss
    return loss


def get(name: str) -> Loss:
    """Look a loss up by name.

    Raises:
        TypeError: ``name`` is not a string.
        ValueError: No loss has that name; the message lists the known ones.
    """
    if not isinstance(name, str):
        raise TypeError(f"loss: expected a name (str), got {type(name).__name__}")
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"loss: unknown name {name!r}; known: {', '.join(names())}") from None


def names() -> tuple[str, ...]:
    """Names of all registered losses, in registration order."""
    return tuple(_REGISTRY)


def is_compatible(loss: Loss, activation: Activation) -> bool:
    """True if every value of ``activation`` lies in the range ``loss`` needs."""
    if loss.output_range is None:
        return True
    low, high = loss.output_range
    return low <= activation.range[0] and activation.range[1] <= high


def check_output_activation(loss: Loss, activation: Activation) -> None:
    """Raise unless ``activation`` may feed ``loss`` at the output layer.

    Raises:
        ValueError: e.g. ``bce`` after ``tanh``, whose values leave [0, 1].
    """
    if not is_compatible(loss, activation):
        low, high = loss.output_range
        raise ValueError(
            f"output_activation: loss {loss.name!r} needs an output activation with "
            f"values in [{low:g}, {high:g}], got {activation.name!r} with values in "
            f"[{activation.range[0]:g}, {activation.range[1]:g}]"
        )


# --- mean squared error: L = 1/2 sum_outputs (a - y)^2 per sample -------------


def _mse_value(z, a, y, activation):
    # L = 1/2 sum (a - y)^2
    return 0.5 * float(np.sum((a - y) ** 2))


def _mse_delta(z, a, y, activation):
    # delta[L] = dL/da * da/dz = (a - y) f'(z)
    return (a - y) * activation.df(z)


mse = register(Loss(name="mse", value=_mse_value, delta_out=_mse_delta))

# --- binary cross-entropy: L = -sum_outputs [y log a + (1-y) log(1-a)] -------


def _bce_value(z, a, y, activation):
    if activation is _activations.sigmoid:
        # With a = sigma(z): log a = -softplus(-z) and log(1 - a) = -softplus(z),
        # so L = softplus(z) - y z, which never takes the log of a rounded 0.
        return float(np.sum(np.logaddexp(0, z) - y * z))
    # L = -[y log a + (1 - y) log(1 - a)], with 0 log 0 taken as 0
    return -float(np.sum(xlogy(y, a) + xlog1py(1 - y, -a)))


def _bce_delta(z, a, y, activation):
    if activation is _activations.sigmoid:
        # dL/da = (a - y) / (a (1 - a)) and sigma'(z) = a (1 - a) cancel:
        # delta[L] = a - y
        return a - y
    # delta[L] = dL/da * f'(z) = (a - y) / (a (1 - a)) * f'(z)
    return (a - y) / (a * (1 - a)) * activation.df(z)


bce = register(
    Loss(name="bce", value=_bce_value, delta_out=_bce_delta, output_range=(0.0, 1.0))
)
