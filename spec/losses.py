r"""Losses per sample, their derivatives, and the output error they give.

A loss is one SymPy expression \(\ell(a, y)\) summed over the output
units of one sample; `spec.activations.a` is the network's output and
`y` the target.

* ``mse``: \(\tfrac12 (a - y)^2\), the tutorial's \(L\).
* ``bce``: \(-\bigl(y \log a + (1 - y)\log(1 - a)\bigr)\), defined only for
  outputs in \((0, 1)\).

The output error is \(\delta^{(D)} = \partial \ell / \partial z^{(D)}\), a
derivative with respect to the *pre-activation* \(z^{(D)}\). (The
tutorial's text writes it once as \(\partial L / \partial a^{(2)}\); that
is a different quantity, \(a - y\) for ``mse``, and the spec keeps the two
apart.) By the chain rule \(\delta^{(D)} = \ell'(a)\, f'(z)\).
"""

from __future__ import annotations

import functools

import sympy as sp

from spec import activations
from spec.activations import a, z
from spec.proof import Proof, prove_equal, tidy

#: The target value of one output unit.
y = sp.Symbol("y", real=True)


class Loss:
    r"""A per-output loss \(\ell(a, y)\).

    Attributes:
        name: ``"mse"`` or ``"bce"``.
        expr: \(\ell(a, y)\) for one output unit.
        d_da: \(\partial \ell / \partial a\), by ``sympy.diff``.
        unit_interval: True when the loss needs outputs in \((0, 1)\).
    """

    def __init__(self, name: str, expr, unit_interval: bool, description: str):
        self.name = name
        self.expr = expr
        self.unit_interval = unit_interval
        self.description = description
        self.d_da = sp.diff(expr, a)

    def __repr__(self) -> str:
        return f"Loss({self.name!r}, {self.expr})"

    def check_output_activation(self, activation: activations.Activation) -> None:
        """Refuse an output activation whose values can leave (0, 1) when the loss needs them there."""
        if not self.unit_interval:
            return
        low, high = activation.range
        if not (low >= 0 and high <= 1):
            raise ValueError(
                f"output_activation: the {self.name} loss needs outputs in (0, 1); "
                f"{activation.name!r} takes values in [{low}, {high}]"
            )

    @functools.lru_cache(maxsize=None)
    def output_delta(self, activation_name: str) -> "OutputDelta":
        r"""The output error \(\delta = \partial \ell(f(z), y) / \partial z\) for an output activation."""
        act = activations.get(activation_name)
        self.check_output_activation(act)
        return OutputDelta(self, act)


class OutputDelta:
    r"""The output error for one (loss, output activation) pair, derived and proven.

    Attributes:
        in_z: \(\partial \ell(f(z), y) / \partial z\), differentiated
            directly (the ground truth).
        chain_rule: \(\ell'(f(z))\, f'(z)\).
        in_a: The same error written through the output \(a\) and
            \(y\) (e.g. \(a - y\) for sigmoid with BCE), or ``None``
            when the activation has no output form.
        proofs: ``in_z == chain_rule`` and, if present, ``in_a(f(z)) == in_z``.
    """

    def __init__(self, loss: Loss, act: activations.Activation):
        self.loss, self.activation = loss, act
        self.in_z = sp.diff(loss.expr.subs(a, act.expr), z)
        self.chain_rule = loss.d_da.subs(a, act.expr) * act.derivative

    # Lazy: the numeric oracle needs only in_z; the output form costs a derivation.
    @functools.cached_property
    def in_a(self):
        if self.activation.output_form is None:
            return None
        return tidy(sp.cancel(self.loss.d_da * self.activation.output_form))

    @functools.cached_property
    def proofs(self) -> list[Proof]:
        loss, act = self.loss, self.activation
        proofs = [
            prove_equal(
                f"delta = d l(f(z), y)/dz = l'(a) f'(z)  [{loss.name}, {act.name}]", self.in_z, self.chain_rule
            )
        ]
        if self.in_a is not None:
            proofs.append(
                prove_equal(
                    f"delta = {self.in_a}  [{loss.name}, {act.name}, written through the output a]",
                    self.in_a.subs(a, act.expr),
                    self.in_z,
                )
            )
        return proofs

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.proofs)

    @functools.cached_property
    def numpy(self):
        """``delta(z, y)`` lambdified for NumPy (the direct derivative, tidied by ``cancel``)."""
        expr = self.in_z
        if not expr.has(sp.Piecewise, sp.Abs, sp.sign):
            expr = sp.cancel(expr)
        return sp.lambdify((z, y), expr, modules=["scipy", "numpy"], cse=True)


_REGISTRY: dict[str, Loss] = {}


def _register(loss: Loss) -> Loss:
    _REGISTRY[loss.name] = loss
    return loss


def get(name: str) -> Loss:
    """The loss called ``name``."""
    if not isinstance(name, str):
        raise TypeError(f"loss: expected a name (str), got {type(name).__name__}")
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"loss: unknown name {name!r}; expected one of {', '.join(names())}") from None


def names() -> tuple[str, ...]:
    """Names of the losses."""
    return tuple(_REGISTRY)


mse = _register(
    Loss("mse", (a - y) ** 2 / 2, False, "Half the squared error, the tutorial's L.")
)
bce = _register(
    Loss(
        "bce",
        -(y * sp.log(a) + (1 - y) * sp.log(1 - a)),
        True,
        "Binary cross-entropy; outputs must lie in (0, 1).",
    )
)


def prove_sigmoid_bce_cancellation() -> Proof:
    r"""With a sigmoid output and BCE, \(\delta = a - y\): the sigmoid's derivative cancels."""
    sigmoid = activations.get("sigmoid")
    delta = bce.output_delta("sigmoid")
    return prove_equal("sigmoid + BCE: delta = dl/dz = a - y", delta.in_z, sigmoid.expr - y)
