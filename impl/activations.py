r"""Activation functions: each entry keeps f, f' and the output form together.

Every activation is one :class:`Activation` row in a registry. A row holds

* ``f(z)``: the activation itself, applied elementwise;
* ``df(z)``: its derivative :math:`f'(z)`, written so that it keeps its
  relative accuracy in the tails (this is what backpropagation uses);
* ``df_from_output(a)``: the same derivative expressed through the output
  :math:`a = f(z)`, e.g. :math:`\sigma'(z) = a(1 - a)`, or ``None`` when
  :math:`f'` is not a function of :math:`f(z)` alone.

All functions accept float32 or float64 arrays, return the same dtype, and
stay finite and warning-free for any finite :math:`z` up to :math:`10^{300}`
in float64 and :math:`3 \cdot 10^{38}` in float32. Where ``f`` has a kink,
``df`` there is the value PyTorch's autograd gives (e.g. ``relu'(0) = 0``).
Activations marked ``smooth`` also evaluate ``f`` at complex ``z``, for
complex-step differentiation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import expit, ndtr

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


def _as_float(x):
    """``x`` as an array of a floating dtype: float32/float64 stay, integers become float64."""
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.inexact) else x.astype(np.float64)


def _step(x, cond, value_true, value_false):
    """A piecewise-constant function of ``x``.

    Args:
        x: Real input array.
        cond: Boolean array, same shape as ``x``.
        value_true: Value where ``cond`` holds.
        value_false: Value where it does not.

    Returns:
        An array of ``x``'s floating dtype holding ``value_true`` or
        ``value_false``, and NaN wherever ``x`` is NaN (a NaN input is not
        silently turned into a slope).
    """
    x = _as_float(x)
    cast = x.dtype.type
    out = np.where(cond, cast(value_true), cast(value_false))
    return np.where(np.isnan(x), x, out)


# --- sigmoid ---------------------------------------------------------------
# f(z) = 1 / (1 + e^{-z}), values in (0, 1).


def _sigmoid(z):
    """The logistic function; scipy's expit for real ``z``, a NumPy path for complex ``z``."""
    z = np.asarray(z)
    if not np.iscomplexobj(z):
        return expit(z)
    # sigma(z) = 1 / (1 + e^{-z}) = e^{z} / (1 + e^{z}): per element take the form
    # whose exponent has real part <= 0, so e^{...} never overflows
    right = z.real >= 0
    e = np.exp(np.where(right, -z, z))
    return np.where(right, 1, e) / (1 + e)


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
        f=_sigmoid,
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
    # (1 - tanh^2 z loses every digit in the tails; 1 / cosh^2 z overflows).
    # |z| is capped at 400 first, where e^{-2|z|} is already 0, so that 2|z|
    # cannot overflow near the float32 maximum
    t = np.exp(-2 * np.minimum(np.abs(z), 400))
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

# --- relu ------------------------------------------------------------------
# f(z) = max(0, z), values in [0, inf). Kink at 0, where f'(0) = 0.


def _relu(z):
    # f(z) = max(z, 0)
    return np.maximum(z, 0)


def _relu_df(z):
    # f'(z) = 1 if z > 0 else 0
    return _step(z, np.asarray(z) > 0, 1, 0)


def _relu_df_from_output(a):
    # f'(z) = 1 if a > 0 else 0, with a = max(z, 0)   (a = 0 exactly when z <= 0)
    return _step(a, np.asarray(a) > 0, 1, 0)


relu = register(
    Activation(
        name="relu",
        f=_relu,
        df=_relu_df,
        df_from_output=_relu_df_from_output,
        range=(0.0, np.inf),
        smooth=False,
    )
)

# --- leaky_relu ------------------------------------------------------------
# f(z) = z if z > 0 else 0.01 z, values in (-inf, inf). Kink at 0, where f'(0) = 0.01.

_LEAKY_SLOPE = 0.01


def _leaky_relu(z):
    # f(z) = z for z > 0, slope * z otherwise
    z = np.asarray(z)
    return np.where(z > 0, z, _LEAKY_SLOPE * z)


def _leaky_relu_df(z):
    # f'(z) = 1 if z > 0 else slope
    return _step(z, np.asarray(z) > 0, 1, _LEAKY_SLOPE)


def _leaky_relu_df_from_output(a):
    # f'(z) = 1 if a > 0 else slope   (a has the sign of z)
    return _step(a, np.asarray(a) > 0, 1, _LEAKY_SLOPE)


leaky_relu = register(
    Activation(
        name="leaky_relu",
        f=_leaky_relu,
        df=_leaky_relu_df,
        df_from_output=_leaky_relu_df_from_output,
        range=(-np.inf, np.inf),
        smooth=False,
    )
)

# --- elu -------------------------------------------------------------------
# f(z) = z if z > 0 else alpha (e^z - 1), alpha = 1, values in [-alpha, inf).
# Kink at 0 (f is C^1 there for alpha = 1, but not analytic); f'(0) = alpha.

_ELU_ALPHA = 1.0


def _elu(z):
    # f(z) = z for z > 0, alpha expm1(z) otherwise; expm1 keeps every digit
    # near 0, and min(z, 0) keeps the discarded branch from overflowing
    z = np.asarray(z)
    return np.where(z > 0, z, _ELU_ALPHA * np.expm1(np.minimum(z, 0)))


def _elu_df(z):
    # f'(z) = 1 for z > 0, alpha e^z otherwise (so f'(0) = alpha)
    z = _as_float(z)
    return np.where(z > 0, 1, _ELU_ALPHA * np.exp(np.minimum(z, 0)))


def _elu_df_from_output(a):
    # f'(z) = 1 if a > 0 else a + alpha, with a = alpha (e^z - 1) for z <= 0
    a = _as_float(a)
    return np.where(a > 0, 1, a + _ELU_ALPHA)


elu = register(
    Activation(
        name="elu",
        f=_elu,
        df=_elu_df,
        df_from_output=_elu_df_from_output,
        range=(-_ELU_ALPHA, np.inf),
        smooth=False,
    )
)

# --- selu ------------------------------------------------------------------
# f(z) = scale * (z if z > 0 else alpha (e^z - 1)), values in [-scale alpha, inf).
# Kink at 0, where f'(0) = scale alpha (the left-hand slope, as in PyTorch).

_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717
# one rounded constant, so that f'(0), the output form at a = 0 and the
# lower end of the range are all exactly the same number
_SELU_SCALE_ALPHA = _SELU_SCALE * _SELU_ALPHA


def _selu(z):
    # f(z) = scale z for z > 0, (scale alpha) expm1(z) otherwise
    z = np.asarray(z)
    return np.where(z > 0, _SELU_SCALE * z, _SELU_SCALE_ALPHA * np.expm1(np.minimum(z, 0)))


def _selu_df(z):
    # f'(z) = scale for z > 0, (scale alpha) e^z otherwise
    z = _as_float(z)
    return np.where(z > 0, _SELU_SCALE, _SELU_SCALE_ALPHA * np.exp(np.minimum(z, 0)))


def _selu_df_from_output(a):
    # f'(z) = scale if a > 0 else a + scale alpha, with a = scale alpha (e^z - 1) for z <= 0
    a = _as_float(a)
    return np.where(a > 0, _SELU_SCALE, a + _SELU_SCALE_ALPHA)


selu = register(
    Activation(
        name="selu",
        f=_selu,
        df=_selu_df,
        df_from_output=_selu_df_from_output,
        range=(-_SELU_SCALE_ALPHA, np.inf),
        smooth=False,
    )
)

# --- softplus --------------------------------------------------------------
# f(z) = log(1 + e^z), values in (0, inf). Computed exactly for every z (no
# switch to f(z) = z above a threshold, unlike PyTorch's default).


def _complex_log1p(w):
    """log(1 + w) for complex ``w``, accurate also for small ``w``.

    NumPy's complex ``log1p`` evaluates ``log(1 + w)`` as written, which loses
    the digits of a tiny ``w`` when ``1 + w`` is rounded.
    """
    # log1p(w) = log(u) * w / (u - 1) with u = fl(1 + w): u - 1 is exact, and
    # the ratio undoes the rounding of u (Kahan's trick); log1p(w) = w where u = 1
    u = 1 + w
    same = u == 1
    return np.where(same, w, np.log(u) * (w / np.where(same, 1, u - 1)))


def _softplus(z):
    """softplus for real or complex ``z``, without overflow."""
    z = np.asarray(z)
    if not np.iscomplexobj(z):
        # f(z) = max(z, 0) + log1p(e^{-|z|})   (what np.logaddexp(0, z) does, but
        # passing NaN through without an "invalid value" warning)
        return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    # the same, continued analytically per element: z + log1p(e^{-z}) where
    # Re z > 0, log1p(e^z) elsewhere
    right = z.real > 0
    return np.where(right, z, 0) + _complex_log1p(np.exp(np.where(right, -z, z)))


def _softplus_df_from_output(a):
    # f'(z) = sigma(z) = 1 - e^{-a}, with a = log(1 + e^z), i.e. e^a = 1 + e^z
    return -np.expm1(-np.asarray(a))


softplus = register(
    Activation(
        name="softplus",
        f=_softplus,
        # f'(z) = sigma(z)
        df=expit,
        df_from_output=_softplus_df_from_output,
        range=(0.0, np.inf),
        smooth=True,
    )
)

# --- silu ------------------------------------------------------------------
# f(z) = z sigma(z) (also called swish), values in [f(z*), inf), where z* ~ -1.2785
# solves f'(z) = 0 and f(z*) = z* + 1. Not one-to-one: no output form.

_SILU_MIN = -0.2784645427610738  # f(z*) rounded down


def _silu(z):
    # f(z) = z sigma(z)
    return z * _sigmoid(z)


def _silu_df(z):
    # f'(z) = sigma(z) + z sigma(z) sigma(-z) = sigma(z) (1 + z sigma(-z));
    # sigma(-z) is used instead of 1 - sigma(z), which rounds to 0 for large z
    return expit(z) * (1 + z * expit(-z))


silu = register(
    Activation(
        name="silu",
        f=_silu,
        df=_silu_df,
        df_from_output=None,
        range=(_SILU_MIN, np.inf),
        smooth=True,
    )
)

# --- gelu ------------------------------------------------------------------
# f(z) = z Phi(z), Phi the standard normal CDF (the exact, erf-based GELU),
# values in [f(z*), inf) with z* ~ -0.7518 solving f'(z) = 0. Not one-to-one:
# no output form.

_GELU_MIN = -0.16997120747990369  # f(z*) rounded down
_INV_SQRT_2PI = 0.3989422804014327  # 1 / sqrt(2 pi)
# e^{-z^2/2} underflows to 0 (float64 and float32) well before |z| = 40
_GELU_PDF_CUTOFF = 40.0


def _gelu(z):
    # f(z) = z Phi(z); ndtr keeps relative accuracy in the left tail, where
    # 0.5 (1 + erf(z / sqrt 2)) cancels to 0, and also accepts complex z
    return z * ndtr(z)


def _gelu_df(z):
    # f'(z) = Phi(z) + z phi(z), phi(z) = e^{-z^2/2} / sqrt(2 pi);
    # |z| is capped before squaring, so z^2 cannot overflow (phi is 0 there anyway)
    t = np.minimum(np.abs(z), _GELU_PDF_CUTOFF)
    return ndtr(z) + z * (np.exp(-0.5 * t * t) * _INV_SQRT_2PI)


gelu = register(
    Activation(
        name="gelu",
        f=_gelu,
        df=_gelu_df,
        df_from_output=None,
        range=(_GELU_MIN, np.inf),
        smooth=True,
    )
)

# --- softsign --------------------------------------------------------------
# f(z) = z / (1 + |z|), values in (-1, 1). C^1 but not analytic at 0 (|z|);
# f'(0) = 1.


def _softsign(z):
    # f(z) = z / (1 + |z|)
    return z / (1 + np.abs(z))


def _softsign_df(z):
    # f'(z) = 1 / (1 + |z|)^2, squared after dividing so (1 + |z|)^2 never overflows
    r = 1 / (1 + np.abs(z))
    return r * r


def _softsign_df_from_output(a):
    # f'(z) = (1 - |a|)^2, since 1 - |a| = 1 / (1 + |z|)
    d = 1 - np.abs(a)
    return d * d


softsign = register(
    Activation(
        name="softsign",
        f=_softsign,
        df=_softsign_df,
        df_from_output=_softsign_df_from_output,
        range=(-1.0, 1.0),
        smooth=False,
    )
)

# --- hard_tanh -------------------------------------------------------------
# f(z) = clip(z, -1, 1), values in [-1, 1]. Kinks at +-1, where f'(+-1) = 0.


def _hard_tanh(z):
    # f(z) = min(max(z, -1), 1)
    return np.clip(z, -1, 1)


def _hard_tanh_df(z):
    # f'(z) = 1 if -1 < z < 1 else 0
    z = np.asarray(z)
    return _step(z, (z > -1) & (z < 1), 1, 0)


def _hard_tanh_df_from_output(a):
    # f'(z) = 1 if |a| < 1 else 0   (|a| = 1 exactly when |z| >= 1)
    return _step(a, np.abs(a) < 1, 1, 0)


hard_tanh = register(
    Activation(
        name="hard_tanh",
        f=_hard_tanh,
        df=_hard_tanh_df,
        df_from_output=_hard_tanh_df_from_output,
        range=(-1.0, 1.0),
        smooth=False,
    )
)
