r"""The updates `verify` expects: the spec's recurrence, its conventions, and its known mistakes.

Everything here is in the column layout of the math, whatever the user's code
uses: ``W[l]`` has shape \((n_l, n_{l-1})\), ``b[l]`` shape \((n_l,)\) (or
``None`` for code without biases), ``X`` shape (features, samples). Layers
count from 1 to \(D\); index 0 of every list is unused.

A *variant* is one way of computing the gradient: the spec's

$$
\delta^{(D)} = \frac{\partial \ell}{\partial a^{(D)}} \odot f_D'(z^{(D)}), \qquad
\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot f_l'(z^{(l)}), \qquad
\frac{\partial L}{\partial W^{(l)}} = \delta^{(l)} (a^{(l-1)})^T, \qquad
\frac{\partial L}{\partial b^{(l)}} = \delta^{(l)} \mathbf 1,
$$

or the same with one known mistake in one place: the slope \(f'\) taken at
the wrong argument or left out in one layer, the biases' gradient not summed
over the samples, the hidden error computed from already-updated weights.
The loss *convention* (half or whole sum of squares, mean over samples or
over every entry, cross-entropy) is a positive factor on the output error,
and how the samples are used is a *mode*: one step on the whole batch, or
one step per sample in turn.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

#: How a layer's slope is computed: the spec's f'(z), or a known mistake.
SLOPES = ("f'(z)", "g(z)", "f'(a)", "1")
#: How a layer's bias gradient reduces delta over the samples: the spec's sum, or a mistake.
BIAS_REDUCTIONS = ("sum", "mean", "first", "all")


@dataclass(frozen=True)
class Variant:
    """The spec's recurrence (all defaults) or one known mistake in it.

    Attributes:
        key: A short identifier, e.g. ``"slope g(z) layer 2"``.
        slope: Per layer, how f' is computed (`SLOPES`); layers not named use f'(z).
        bias: Per layer, how db sums delta over samples (`BIAS_REDUCTIONS`).
        stale: delta of layer l is computed with W of layer l+1 after its update.
        stale_activations: (per-sample updates only) every sample's gradient uses the
            activations of one forward pass made before the loop.
        raw_error: the output layer's error is passed back to the layer below before
            its slope is applied (the hidden error from a - y instead of from delta).
    """

    key: str = "spec"
    slope: tuple = ()
    bias: tuple = ()
    stale: bool = False
    stale_activations: bool = False
    raw_error: bool = False
    input_z: tuple = ()  # layers whose weight gradient takes z of the layer below instead of its output a

    # Layers are named by their number for hidden layers and "out" for the output layer,
    # so that one variant means the same place in networks of different depths.

    def slope_at(self, l: int, D: int) -> str:
        return dict(self.slope).get("out" if l == D else l, "f'(z)")

    def bias_at(self, l: int, D: int) -> str:
        return dict(self.bias).get("out" if l == D else l, "sum")


SPEC = Variant()


@dataclass(frozen=True)
class Family:
    """The loss's form per output entry: squared error (a - y)^2 / 2, or binary cross-entropy."""

    name: str  # "squared" or "bce"

    def dl_da(self, a, y):
        if self.name == "squared":
            # d/da (a - y)^2 / 2 = a - y
            return a - y
        # d/da -(y log a + (1 - y) log(1 - a)) = (a - y) / (a (1 - a))
        return (a - y) / (a * (1 - a))


SQUARED, BCE = Family("squared"), Family("bce")


@dataclass
class Net:
    """A network in the math's layout: activations per layer (spec objects), W[l], b[l]."""

    acts: list  # acts[l] for l = 1..D (index 0 unused)
    W: list
    b: list  # b[l] is None for code without biases

    @property
    def D(self) -> int:
        return len(self.W) - 1

    def copy(self) -> "Net":
        return Net(self.acts, [None if w is None else w.copy() for w in self.W],
                   [None if v is None else v.copy() for v in self.b])

    def forward(self, X, skip_biases=()):
        """``(z, a)`` lists: ``a[0] = X`` (features, samples), ``z[l]``, ``a[l]`` of shape (n_l, samples).

        ``skip_biases``: layers whose bias is left out (to recognise code that forgets it).
        """
        z, a = [None] * (self.D + 1), [X] + [None] * self.D
        for l in range(1, self.D + 1):
            # z(l) = W(l) a(l-1) + b(l)
            z[l] = self.W[l] @ a[l - 1]
            if l not in skip_biases and self.b[l] is not None:
                z[l] = z[l] + self.b[l][:, None]
            # a(l) = f(z(l))
            a[l] = self.acts[l].numpy_f(z[l])
        return z, a


@functools.lru_cache(maxsize=None)
def _output_form(act):
    """g with f'(z) = g(f(z)) as a NumPy function, or None."""
    if act.output_form is None:
        return None
    import sympy as sp

    from spec.activations import a as a_symbol

    g = sp.lambdify(a_symbol, act.output_form, modules=["scipy", "numpy"])
    return lambda v: np.broadcast_to(g(v), np.shape(v)).astype(float)


def has_output_form(act) -> bool:
    return _output_form(act) is not None


def _slope(act, how: str, z, a):
    if how.endswith((" g(a)", " f'(z)")):
        # another activation's derivative: "sigmoid g(a)" is a (1 - a) whatever this layer's f is
        from spec import activations

        other = activations.get(how.split(" ")[0])
        return _output_form(other)(a) if how.endswith("g(a)") else other.numpy_df(z)
    if how == "f'(z)":
        return act.numpy_df(z)
    if how == "g(z)":
        # the output-form derivative (a (1 - a) for the sigmoid) given z instead of a
        return _output_form(act)(z)
    if how == "f'(a)":
        return act.numpy_df(a)
    return np.ones_like(z)


def _reduce_bias(delta, how: str):
    if how == "sum":
        return delta.sum(axis=1)
    if how == "mean":
        return delta.mean(axis=1)
    if how == "first":
        return delta[:, 0]
    return np.full(delta.shape[0], delta.sum())  # "all": summed over the layer's units as well


def gradients(net: Net, X, Y, family: Family, variant: Variant = SPEC, c: float = 1.0, lr=None, cached=None):
    """``(dW, db)`` of the summed loss (times ``c``) under ``variant``; lists indexed from 1.

    ``cached`` is a forward pass ``(z, a)`` to use instead of a fresh one (stale
    activations); ``lr`` is needed by the stale-weights variant only.
    """
    D = net.D
    z, a = cached if cached is not None else net.forward(X)
    delta, dW, db = [None] * (D + 1), [None] * (D + 1), [None] * (D + 1)
    # delta(D) = c * dl/da(D) * f'(z(D)); for sigmoid with cross-entropy that is c (a - y) exactly
    if family is BCE and net.acts[D].name == "sigmoid" and variant.slope_at(D, D) == "f'(z)":
        delta[D] = c * (a[D] - Y)
    else:
        delta[D] = c * family.dl_da(a[D], Y) * _slope(net.acts[D], variant.slope_at(D, D), z[D], a[D])
    W = list(net.W)
    for l in range(D, 0, -1):
        # dL/dW(l) = delta(l) a(l-1)^T, summed over samples by the product
        below = z[l - 1] if l > 1 and ("out" if l == D else l) in variant.input_z else a[l - 1]
        dW[l] = delta[l] @ below.T
        # dL/db(l) = delta(l) summed over samples
        db[l] = None if net.b[l] is None else _reduce_bias(delta[l], variant.bias_at(l, D))
        if l > 1:
            if variant.stale:
                # the mistake: W(l) already moved by -lr dL/dW(l) when delta(l-1) is computed
                W[l] = net.W[l] - lr * dW[l]
            # delta(l-1) = (W(l)^T delta(l)) * f'(z(l-1))
            passed = delta[l]
            if l == D and variant.raw_error:
                # the mistake: the output's raw error dl/da passed back instead of delta(D)
                passed = c * family.dl_da(a[D], Y)
            delta[l - 1] = (W[l].T @ passed) * _slope(net.acts[l - 1], variant.slope_at(l - 1, D), z[l - 1], a[l - 1])
    return dW, db


def expected_update(net: Net, X, Y, family: Family, variant: Variant, step: float, mode: str):
    """The change of every parameter after one call: ``(dW, db)`` lists indexed from 1.

    ``step`` multiplies the summed-loss gradient (the learning rate times the
    convention's factor); ``mode`` is ``"batch"`` (one step on all samples),
    ``"mean"`` (one step, divided by the number of samples) or ``"sequential"``
    (one step per sample, in order).
    """
    N = X.shape[1]
    if mode in ("batch", "mean"):
        scale = step / N if mode == "mean" else step
        # (stale weights move by the step the code takes, whatever its learning rate)
        dW, db = gradients(net, X, Y, family, variant, lr=scale)
        return [None] + [-scale * g for g in dW[1:]], [None] + [None if g is None else -scale * g for g in db[1:]]
    moving = net.copy()
    cached = net.forward(X) if variant.stale_activations else None
    for n in range(N):
        x, y = X[:, n : n + 1], Y[:, n : n + 1]
        one = None if cached is None else ([None] + [v[:, n : n + 1] for v in cached[0][1:]],
                                           [x] + [v[:, n : n + 1] for v in cached[1][1:]])
        dW, db = gradients(moving, x, y, family, variant, lr=step, cached=one)
        for l in range(1, net.D + 1):
            # theta <- theta - step * dL_n/dtheta, sample after sample
            moving.W[l] = moving.W[l] - step * dW[l]
            if moving.b[l] is not None:
                moving.b[l] = moving.b[l] - step * db[l]
    dW = [None] + [moving.W[l] - net.W[l] for l in range(1, net.D + 1)]
    db = [None] + [None if net.b[l] is None else moving.b[l] - net.b[l] for l in range(1, net.D + 1)]
    return dW, db


def fit_step(observed: list, predicted: list, rtol: float = 1e-7) -> float | None:
    """The factor s with observed = s * predicted over all parameters (least squares), if it fits to ``rtol``."""
    o = np.concatenate([np.ravel(v) for v in observed])
    p = np.concatenate([np.ravel(v) for v in predicted])
    pp = float(p @ p)
    if pp == 0 or not np.all(np.isfinite(o)):
        return None
    s = float(o @ p) / pp
    if np.max(np.abs(o - s * p)) <= rtol * max(np.max(np.abs(o)), 1e-300):
        return s
    return None
