r"""Loss functions and the output error \(\delta^{(D)}\) they induce.

Arrays are laid out with one row per sample: ``z``, ``a`` and ``y`` all have
shape ``(samples, n_out)``, the output units on the last axis. Each loss is
one `Loss` entry of a registry, the twin of its entry in ``spec.losses``
(which derives and proves its formulas); an entry gives

* ``terms(z, a, y, activation)``: the loss per sample and output, for arrays
  with any leading axes (the gradient checker adds a leading axis of
  perturbed copies). When the output activation is ``smooth``, the terms
  also accept complex ``z`` and ``a`` and are analytic near the real axis,
  as complex-step differentiation requires;
* ``d_da(a, y)``: \(\partial \ell / \partial a\), from which the generic
  \(\delta^{(D)} = J(z)^T\, \partial\ell/\partial a\) follows;
* ``fused``: per output activation, closed forms that are exact where the
  generic ones lose digits (sigmoid with BCE: the loss by softplus and
  \(\delta = a - y\); softmax with cross-entropy: log-sum-exp and
  \(\delta = a\sum y - y\));
* what it ``requires`` of the output activation's values, and its targets' range.

`Loss.value` and `Loss.delta_out` put these together. Adding a loss is one
entry here and one in ``spec.losses``; tests, docs, the command line and
the gradient checker loop over `names`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, NamedTuple

import numpy as np
from scipy.special import xlog1py, xlogy

from impl._registry import Registry, RegistryEntry
from impl.activations import Activation


class Fused(NamedTuple):
    r"""A loss's closed forms for one output activation, exact where the generic chain rule is not.

    Attributes:
        terms: ``(z, y) -> array``, the loss terms computed from ``z`` (e.g.
            softplus for sigmoid with BCE, log-sum-exp for softmax with CE), or
            ``None`` to use the loss's generic terms.
        delta: ``(z, a, y) -> array``, \(\delta^{(D)}\) with the activation's
            derivative cancelled (``a - y``), or ``None``.
    """

    terms: Callable[..., np.ndarray] | None
    delta: Callable[..., np.ndarray] | None


@dataclass(frozen=True, eq=False)
class Loss(RegistryEntry):
    r"""One loss function, per sample a sum over the output units.

    Attributes:
        name: Registry key, e.g. ``"mse"``; the same name as its entry in
            ``spec.losses``, which derives and proves its formulas.
        terms: ``(z, a, y, activation) -> array`` (generic: from ``a``),
            one term per sample and output; complex-safe for smooth activations.
        d_da: ``(a, y) -> array``, \(\partial \ell / \partial a\) per entry.
        requires: What the output activation's values must be: ``None`` (any
            real numbers), ``"unit_interval"`` (each in [0, 1], as BCE's logs
            need) or ``"simplex"`` (each row a probability vector, as
            cross-entropy needs).
        targets: Closed interval the targets must lie in, or ``None``.
        fused: Output activation name to its `Fused` closed forms.
        default_output: The output activation ``output_activation=None`` means.
    """

    name: str
    terms: Callable[..., np.ndarray]
    d_da: Callable[..., np.ndarray]
    requires: str | None = None
    targets: tuple[float, float] | None = None
    fused: Mapping[str, Fused] = field(default_factory=dict)
    default_output: str = "sigmoid"

    def loss_terms(self, z, a, y, activation) -> np.ndarray:
        """The loss per sample and output, through the fused form where there is one."""
        fused = self.fused.get(activation.name)
        if fused is not None and fused.terms is not None:
            return fused.terms(z, y)
        return self.terms(z, a, y, activation)

    def value(self, z, a, y, activation) -> float:
        """The loss summed over every sample and output (no reduction)."""
        return float(np.sum(self.loss_terms(z, a, y, activation)))

    def delta_out(self, z, a, y, activation) -> np.ndarray:
        r"""\(\delta^{(D)} = \partial L / \partial z^{(D)}\) per sample, shape ``(samples, n_out)``."""
        fused = self.fused.get(activation.name)
        if fused is not None and fused.delta is not None:
            return fused.delta(z, a, y)
        # delta = J(z)^T dL/da: (dL/da) * f'(z) for an elementwise activation
        return activation.vjp(z, a, self.d_da(a, y))


def _check(loss: Loss) -> None:
    """Refuse a loss whose ``requires`` is not one of `REQUIREMENTS`."""
    if loss.requires not in REQUIREMENTS:
        raise ValueError(f"loss: requires must be one of {REQUIREMENTS}, got {loss.requires!r}")


#: Every loss, by name (see `impl._registry.Registry`).
_REGISTRY: Registry[Loss] = Registry("loss", Loss, argument="loss", check=_check)


def register(loss: Loss, *, replace: bool = False) -> Loss:
    """Add a loss to the registry (see `impl.activations.register`)."""
    return _REGISTRY.register(loss, replace=replace)


def get(name: str) -> Loss:
    """Look a loss up by name.

    Raises:
        TypeError: ``name`` is not a string.
        ValueError: No loss has that name; the message lists the known ones.
    """
    return _REGISTRY.get(name)


Loss.lookup = staticmethod(get)


def names() -> tuple[str, ...]:
    """Names of all registered losses, in registration order."""
    return _REGISTRY.names()


#: What a loss may require of the output activation's values (`Loss.requires`).
REQUIREMENTS = (None, "unit_interval", "simplex")


def _meets(activation: Activation, requires: str | None) -> bool:
    """Whether the activation's declared values meet a loss's declared requirement."""
    if requires is None:
        return True
    if requires == "simplex":
        return activation.output_set == "simplex"
    # unit_interval: each unit its own probability, in [0, 1] (an elementwise activation
    # such as the sigmoid; softmax outputs are one distribution over the units, not that)
    return activation.output_set == "interval" and 0.0 <= activation.range[0] and activation.range[1] <= 1.0


_REQUIREMENT_TEXT = {
    "unit_interval": "values in [0, 1], each unit its own probability",
    "simplex": "outputs that are probability vectors (each row in [0, 1], summing to 1: softmax)",
}


def is_compatible(loss: Loss, activation: Activation) -> bool:
    """True if the output activation's declared values meet what ``loss`` declares it requires."""
    return _meets(activation, loss.requires)


def check_output_activation(loss: Loss, activation: Activation) -> None:
    """Raise unless ``activation`` may feed ``loss`` at the output layer.

    Raises:
        ValueError: e.g. ``bce`` after ``tanh``, whose values leave [0, 1],
            or ``ce`` after ``sigmoid``, whose outputs need not sum to 1.
    """
    if not is_compatible(loss, activation):
        kind = "probability vectors" if activation.output_set == "simplex" else (
            f"values in {activation.range_text()}"
        )
        raise ValueError(
            f"output_activation: loss {loss.name!r} needs an output activation with "
            f"{_REQUIREMENT_TEXT[loss.requires]}, got {activation.name!r} with {kind}"
        )


# --- mean squared error: L = 1/2 sum_outputs (a - y)^2 per sample -------------


def _mse_terms(z, a, y, activation):
    # L = 1/2 (a - y)^2 per output: a polynomial, so complex a needs nothing special
    d = a - y
    return 0.5 * (d * d)


def _mse_d_da(a, y):
    # dL/da = a - y
    return a - y


mse = register(Loss(name="mse", terms=_mse_terms, d_da=_mse_d_da))

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
    # L = -[y log a + (1 - y) log(1 - a)], with 0 log 0 taken as 0 (xlogy and
    # xlog1py also take complex a, analytic for 0 < Re a < 1)
    return -(xlogy(y, a) + xlog1py(1 - y, -a))


def _bce_d_da(a, y):
    # dL/da = -y/a + (1 - y)/(1 - a) = (a - y) / (a (1 - a))
    return (a - y) / (a * (1 - a))


def _bce_sigmoid_terms(z, y):
    # With a = sigma(z): log a = -softplus(-z) and log(1 - a) = -softplus(z),
    # so L = softplus(z) - y z, which never takes the log of a rounded 0
    if np.iscomplexobj(z):
        return _complex_softplus(z) - y * z
    return np.logaddexp(0, z) - y * z


def _bce_sigmoid_delta(z, a, y):
    # dL/da = (a - y) / (a (1 - a)) and sigma'(z) = a (1 - a) cancel: delta = a - y
    return a - y


bce = register(
    Loss(
        name="bce",
        terms=_bce_terms,
        d_da=_bce_d_da,
        requires="unit_interval",
        targets=(0.0, 1.0),
        fused={"sigmoid": Fused(_bce_sigmoid_terms, _bce_sigmoid_delta)},
    )
)

# --- cross-entropy: L = -sum_outputs y log a per sample, after a softmax -------


def _ce_terms(z, a, y, activation):
    # L = -y log a per output, with 0 log 0 taken as 0
    return -xlogy(y, a)


def _ce_d_da(a, y):
    # dL/da = -y / a
    return -y / a


def _log_softmax(z):
    """log softmax(z) along the last axis, by log-sum-exp, exact at saturation.

    With t the logit of one largest entry of the row (largest real part, for
    complex ``z``), log softmax(z)_i = (z_i - t) - log(1 + r), r the sum of
    e^{z_j - t} over every other entry (the largest one's term is e^0 = 1).
    ``log1p(r)`` keeps every digit of a tiny r, so a confident prediction's
    loss, -log(1 - p) with p near 0, keeps its relative accuracy, and a logit
    1e4 below the others gives -1e4, never log 0. Shifting by t itself, not
    only by its real part, keeps the identity analytic for complex ``z`` (the
    complex step): the left-out term is exactly 1 there too.
    """
    top = np.argmax(z.real if np.iscomplexobj(z) else z, axis=-1)[..., None]
    shifted = z - np.take_along_axis(z, top, axis=-1)
    e = np.exp(shifted)
    # r = sum of e^{z_j - t} without the largest entry's own term, e^0 = 1
    np.put_along_axis(e, top, 0, axis=-1)
    return shifted - np.log1p(np.sum(e, axis=-1, keepdims=True))


def _ce_softmax_terms(z, y):
    # L = -y log softmax(z), with log softmax by log-sum-exp; y = 0 gives 0
    return -y * _log_softmax(z)


def _ce_softmax_delta(z, a, y):
    # dL/dz_k = a_k sum_i y_i - y_k (spec.losses proves it), = a - y when the targets sum to 1
    return a * np.sum(y, axis=-1, keepdims=True) - y


ce = register(
    Loss(
        name="ce",
        terms=_ce_terms,
        d_da=_ce_d_da,
        requires="simplex",
        targets=(0.0, 1.0),
        fused={"softmax": Fused(_ce_softmax_terms, _ce_softmax_delta)},
        default_output="softmax",
    )
)
