r"""Loss functions and the output error \(\delta^{(D)}\) they induce.

Arrays are laid out with one row per sample: ``z``, ``a`` and ``y`` all have
shape ``(samples, n_out)``. Each loss provides

* ``value(z, a, y, activation)``: the loss summed over every sample and every
  output (no reduction; the network divides by the sample count for "mean");
* ``terms(z, a, y, activation)``: the same loss before that sum, one term per
  sample and output, for arrays with any leading axes (the gradient checker
  adds a leading axis of perturbed copies). When the output activation is
  ``smooth``, the terms also accept complex ``z`` and ``a`` and are analytic
  near the real axis, as complex-step differentiation requires;
* ``delta_out(z, a, y, activation)``: \(\delta^{(D)} = \partial L /
  \partial z^{(D)}\) for each sample, shape ``(samples, n_out)``.

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
class Loss(_activations.RegistryEntry):
    """One loss function.

    Attributes:
        name: Registry key, e.g. ``"mse"``.
        value: ``(z, a, y, activation) -> float``, summed over samples and outputs.
        delta_out: ``(z, a, y, activation) -> array``, the output error per sample.
        terms: ``(z, a, y, activation) -> array``, the loss per sample and
            output (broadcast shape of ``a`` and ``y``); ``value`` is their sum.
        output_range: Closed interval the output activation's values must lie
            in for the loss to be defined (``None`` when any range will do).
            Targets must lie in it too.
    """

    name: str
    value: Callable[..., float]
    delta_out: Callable[..., np.ndarray]
    output_range: tuple[float, float] | None = None
    terms: Callable[..., np.ndarray] | None = None


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


Loss.lookup = staticmethod(get)


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


def _mse_terms(z, a, y, activation):
    # L = 1/2 (a - y)^2 per output: a polynomial, so complex a needs nothing special
    d = a - y
    return 0.5 * (d * d)


def _mse_value(z, a, y, activation):
    # L = sum over samples and outputs of 1/2 (a - y)^2
    return float(np.sum(_mse_terms(z, a, y, activation)))


def _mse_delta(z, a, y, activation):
    # delta[L] = dL/da * da/dz = (a - y) f'(z)
    return (a - y) * activation.df(z)


mse = register(Loss(name="mse", value=_mse_value, delta_out=_mse_delta, terms=_mse_terms))

# --- binary cross-entropy: L = -sum_outputs [y log a + (1-y) log(1-a)] -------


def _complex_softplus(z):
    """softplus(z) = log(1 + e^z) for complex ``z`` near the real axis (complex step).

    log(1 + e^z) is analytic wherever 1 + e^z avoids the negative reals, in
    particular in the strip |Im z| < pi around the real axis, which is all
    the complex step needs. Per element the exponent is taken with real part
    <= 0, so e^{...} cannot overflow:
    softplus(z) = z + log(1 + e^{-z}) where Re z > 0. The real part of
    log(1 + w) loses digits when |w| is tiny, but only the imaginary part,
    arg(1 + w), carries the derivative, and it keeps full relative accuracy.
    """
    right = z.real > 0
    # softplus(z) = max(z, 0) + log(1 + e^{-|z|}), continued to complex z
    return np.where(right, z, 0) + np.log(1 + np.exp(np.where(right, -z, z)))


def _bce_terms(z, a, y, activation):
    if activation is _activations.sigmoid:
        # With a = sigma(z): log a = -softplus(-z) and log(1 - a) = -softplus(z),
        # so L = softplus(z) - y z, which never takes the log of a rounded 0.
        if np.iscomplexobj(z):
            return _complex_softplus(z) - y * z
        return np.logaddexp(0, z) - y * z
    # L = -[y log a + (1 - y) log(1 - a)], with 0 log 0 taken as 0 (xlogy and
    # xlog1py also take complex a, analytic for 0 < Re a < 1)
    return -(xlogy(y, a) + xlog1py(1 - y, -a))


def _bce_value(z, a, y, activation):
    # L = sum over samples and outputs of the terms above
    return float(np.sum(_bce_terms(z, a, y, activation)))


def _bce_delta(z, a, y, activation):
    if activation is _activations.sigmoid:
        # dL/da = (a - y) / (a (1 - a)) and sigma'(z) = a (1 - a) cancel:
        # delta[L] = a - y
        return a - y
    # delta[L] = dL/da * f'(z) = (a - y) / (a (1 - a)) * f'(z)
    return (a - y) / (a * (1 - a)) * activation.df(z)


bce = register(
    Loss(
        name="bce",
        value=_bce_value,
        delta_out=_bce_delta,
        output_range=(0.0, 1.0),
        terms=_bce_terms,
    )
)
