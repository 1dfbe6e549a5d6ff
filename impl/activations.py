r"""Activation functions: each entry keeps f, f' and the output form together.

Every activation is one :class:`Activation` row in a registry. A row holds

* ``f(z)``: the activation itself, applied elementwise;
* ``df(z)``: its derivative :math:`f'(z)`, written so that it keeps its
  relative accuracy in the tails (this is what backpropagation uses);
* ``df_from_output(a)``: the same derivative expressed through the output
  :math:`a = f(z)`, e.g. :math:`\sigma'(z) = a(1 - a)`, or ``None`` when
  :math:`f'` is not a function of :math:`f(z)` alone.

All functions accept float32 or float64 arrays, return the same dtype, and
stay finite and warning-free for :math:`|z|` up to :math:`10^4`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import expit

ArrayFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Activation:
    r"""One activation function and its derivatives.

    Attributes:
        name: Registry key, e.g. ``"sigmoid"``.
        f: :math:`z \mapsto f(z)`, elementwise.
        df: :math:`z \mapsto f'(z)`, elementwise and numerically stable.
        df_from_output: :math:`a \mapsto f'(f^{-1}(a))`, or ``None`` if the
            derivative cannot be written through the output alone.
        range: Closed bounds ``(low, high)`` of the values of ``f`` over the
            real line, e.g. ``(0.0, 1.0)`` for the sigmoid.
        smooth: True when ``f`` is analytic on the whole real line, so that
            complex-step differentiation through it is valid.
    """

    name: str
    f: ArrayFn
    df: ArrayFn
    df_from_output: ArrayFn | None
    range: tuple[float, float]
    smooth: bool


_REGISTRY: dict[str, Activation] = {}


def register(act: Activation, *, replace: bool = False) -> Activation:
    """Add an activation to the registry.

    Args:
        act: The activation to add, under ``act.name``.
        replace: Allow overwriting an existing entry of the same name.

    Returns:
        ``act``, so the call can be used as an expression.

    Raises:
        TypeError: ``act`` is not an :class:`Activation`.
        ValueError: The name is taken and ``replace`` is false.
    """
    if not isinstance(act, Activation):
        raise TypeError(f"act: expected an Activation, got {type(act).__name__}")
    if act.name in _REGISTRY and not replace:
        raise ValueError(f"act: an activation named {act.name!r} is already registered")
    _REGISTRY[act.name] = act
    return act


def get(name: str) -> Activation:
    """Look an activation up by name.

    Raises:
        TypeError: ``name`` is not a string.
        ValueError: No activation has that name; the message lists the known ones.
    """
    if not isinstance(name, str):
        raise TypeError(f"activation: expected a name (str), got {type(name).__name__}")
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"activation: unknown name {name!r}; known: {', '.join(names())}"
        ) from None


def names() -> tuple[str, ...]:
    """Names of all registered activations, in registration order."""
    return tuple(_REGISTRY)


# --- sigmoid ---------------------------------------------------------------
# f(z) = 1 / (1 + e^{-z}), values in (0, 1).


def _sigmoid_df(z):
    # sigma'(z) = sigma(z) sigma(-z): both factors are accurate to the last
    # digit even where sigma(z) rounds to 1, unlike sigma(z) (1 - sigma(z)).
    return expit(z) * expit(-z)


def _sigmoid_df_from_output(a):
    # sigma'(z) = a (1 - a) with a = sigma(z)   (the tutorial's "x * (1 - x)")
    return a * (1 - a)


sigmoid = register(
    Activation(
        name="sigmoid",
        f=expit,
        df=_sigmoid_df,
        df_from_output=_sigmoid_df_from_output,
        range=(0.0, 1.0),
        smooth=True,
    )
)

# --- tanh ------------------------------------------------------------------
# f(z) = tanh z, values in (-1, 1).


def _tanh_df(z):
    # tanh'(z) = sech^2 z = 4 e^{-2|z|} / (1 + e^{-2|z|})^2
    # (1 - tanh^2 z loses every digit in the tails; 1 / cosh^2 z overflows)
    t = np.exp(-2 * np.abs(z))
    return 4 * t / (1 + t) ** 2


def _tanh_df_from_output(a):
    # tanh'(z) = 1 - a^2 with a = tanh z
    return 1 - a * a


tanh = register(
    Activation(
        name="tanh",
        f=np.tanh,
        df=_tanh_df,
        df_from_output=_tanh_df_from_output,
        range=(-1.0, 1.0),
        smooth=True,
    )
)

# --- identity ----------------------------------------------------------------
# f(z) = z, values in (-inf, inf).


def _identity(z):
    # f(z) = z   (no copy: the caller never writes into the result)
    return np.asarray(z)


def _ones_like(x):
    # f'(z) = 1, whether written in z or in a = z
    return np.ones_like(x)


identity = register(
    Activation(
        name="identity",
        f=_identity,
        df=_ones_like,
        df_from_output=_ones_like,
        range=(-np.inf, np.inf),
        smooth=True,
    )
)
