r"""Losses per sample, their derivatives, and the output error they give.

A loss is one SymPy expression \(\ell(a, y)\) summed over the output
units of one sample; `spec.activations.a` is the network's output and
`y` the target.

* ``mse``: \(\tfrac12 (a - y)^2\), the tutorial's \(L\).
* ``bce``: \(-\bigl(y \log a + (1 - y)\log(1 - a)\bigr)\), defined only for
  outputs in \((0, 1)\), each its own probability (an elementwise output);
* ``ce``: \(-y \log a\) per unit, \(-\sum_k y_k \log a_k\) per sample:
  cross-entropy, for outputs on the probability simplex (softmax).

Each entry declares what it ``requires`` of the output activation's values
(`REQUIREMENTS`); `compatible` decides a (loss, activation) pair from that
declaration and the activation's ``output_set`` and ``range`` alone, never
from names. ``default_output`` is the output activation a trainer uses when
none is named.

The output error is \(\delta^{(D)} = \partial \ell / \partial z^{(D)}\), a
derivative with respect to the *pre-activation* \(z^{(D)}\). (The
tutorial's text writes it once as \(\partial L / \partial a^{(2)}\); that
is a different quantity, \(a - y\) for ``mse``, and the spec keeps the two
apart.) By the chain rule \(\delta^{(D)} = \ell'(a)\, f'(z)\) for an
elementwise output activation, and \(\delta^{(D)} = J(z)^T\,
\nabla_a \ell\) for a vector one (`VectorOutputDelta`).
"""

from __future__ import annotations

import functools

import sympy as sp

from impl._registry import Registry
from spec import activations
from spec.activations import a, z
from spec.proof import Proof, prove_equal, prove_matrix_equal, pull_out_of_sums, reduce_to_zero, tidy

#: The target value of one output unit.
y = sp.Symbol("y", real=True)
#: Targets of a layer with a symbolic number of units (`GeneralOutputDelta`); its outputs are `activations.A`.
Y = sp.IndexedBase("y", real=True)
A = activations.A


#: What a loss may require of the output activation's values (`Loss.requires`), and what that means:
#: a predicate on the activation's declared ``output_set`` and ``range``, and the words for errors.
REQUIREMENTS = {
    None: (lambda act: True, "any real outputs"),
    "unit_interval": (
        lambda act: act.output_set == "interval" and act.range[0] >= 0 and act.range[1] <= 1,
        "outputs in (0, 1), each unit its own probability (an elementwise activation such as sigmoid)",
    ),
    "simplex": (
        lambda act: act.output_set == "simplex",
        "outputs on the probability simplex: in (0, 1) and summing to 1 over the units (a vector activation "
        "such as softmax)",
    ),
}


class Loss:
    r"""A per-output loss \(\ell(a, y)\), summed over the output units of a sample.

    Attributes:
        name: The registry key, e.g. ``"mse"``.
        expr: \(\ell(a, y)\) for one output unit.
        d_da: \(\partial \ell / \partial a\), by ``sympy.diff``.
        requires: What the output activation's values must be, a key of
            `REQUIREMENTS`: ``None``, ``"unit_interval"`` (BCE) or ``"simplex"`` (CE).
        default_output: The output activation meant when none is named
            (``"sigmoid"`` for mse and bce, ``"softmax"`` for ce).
    """

    def __init__(self, name: str, expr, requires: str | None, description: str, default_output: str = "sigmoid"):
        if requires not in REQUIREMENTS:
            raise ValueError(f"requires: expected one of {', '.join(map(repr, REQUIREMENTS))}, got {requires!r}")
        self.name = name
        self.expr = sp.sympify(expr)
        self.requires = requires
        self.description = description
        self.default_output = default_output
        self.d_da = sp.diff(self.expr, a)

    def __repr__(self) -> str:
        return f"Loss({self.name!r}, {self.expr})"

    @property
    def unit_interval(self) -> bool:
        """True when the loss needs outputs in (0, 1) (``requires == "unit_interval"``)."""
        return self.requires == "unit_interval"

    def accepts(self, activation) -> bool:
        """Whether ``activation``'s declared outputs meet what this loss `requires`."""
        return REQUIREMENTS[self.requires][0](activation)

    def check_output_activation(self, activation) -> None:
        """Refuse an output activation whose declared outputs do not meet what this loss `requires`.

        Raises:
            ValueError: starting ``output_activation:``, naming the loss, what it
                needs and what the activation gives.
        """
        if self.accepts(activation):
            return
        gives = (
            "gives probability vectors (outputs summing to 1 over the layer)" if activation.output_set == "simplex"
            else f"takes values in {activation.range_text()}, each unit on its own"
        )
        raise ValueError(f"output_activation: the {self.name} loss needs {REQUIREMENTS[self.requires][1]}; {activation.name!r} {gives}")

    @functools.lru_cache(maxsize=None)
    def output_delta(self, activation_name: str, n: int | None = None):
        r"""The output error \(\delta = \partial \ell(f(z), y) / \partial z\) for an output activation.

        Args:
            activation_name: A registered activation.
            n: The number of output units; needed (and only used) for a
                vector activation, whose \(\delta\) couples the units.

        Returns:
            An `OutputDelta` (elementwise) or a `VectorOutputDelta` (vector).
        """
        act = activations.get(activation_name)
        self.check_output_activation(act)
        if act.elementwise:
            return OutputDelta(self, act)
        if n is None:
            raise ValueError(f"n: {act.name} is a vector activation; its output error needs the number of units n")
        return VectorOutputDelta(self, act, n)


def _on_interval(expr, interval):
    """``expr`` with each ``Piecewise`` in ``z`` (or constant conditions) replaced by its branch on ``interval``.

    The branch is the first whose condition holds on the whole interval (its
    set contains it); ``None`` if some condition holds on part of it only.
    """

    def branch(pw):
        for piece, condition in pw.args:
            if condition == sp.true:
                return piece
            if condition == sp.false:
                continue
            if condition.free_symbols - {z}:
                return None
            held = condition.as_set()
            if interval.is_subset(held):
                return piece
            if sp.Intersection(interval, held) != sp.S.EmptySet:
                return None
        return None

    failed = []

    def pick(pw):
        chosen = branch(pw)
        if chosen is None:
            failed.append(pw)
            return pw
        return chosen

    out = sp.sympify(expr).replace(lambda e: isinstance(e, sp.Piecewise), pick)
    return None if failed else out


def _prove_on_pieces(claim, in_a, in_z, parts) -> Proof:
    """``in_a(f(z)) == in_z`` for a piecewise ``f``, proven piece by piece.

    On the open interior of each piece's interval every ``Piecewise``, ``Abs``
    and ``sign`` is replaced by its branch there; each end the interval
    includes (a kink, where the derivative's value is a convention) is
    checked by putting the number itself in.
    """
    methods = []

    def rewritten(e):
        return e.replace(lambda x: isinstance(x, (sp.Abs, sp.sign)), lambda x: x.rewrite(sp.Piecewise))

    for piece, interval in parts:
        where = activations.interval_text(interval)
        inside = sp.Interval.open(interval.inf, interval.sup)
        # inside the interval f(z) is the piece: in_a at a = piece, both sides' branches taken there
        lhs = _on_interval(rewritten(in_a.subs(a, piece)), inside)
        rhs = _on_interval(rewritten(in_z), inside)
        if lhs is None or rhs is None:
            return Proof(claim, False, f"inside z ∈ {where} a condition holds on part of it only")
        checks = [lhs - rhs]
        # the ends the interval includes, number by number
        checks += [(in_a.subs(a, piece) - in_z).subs(z, end) for end in (interval.inf, interval.sup)
                   if end.is_finite and interval.contains(end) == sp.true]
        for difference in checks:
            method = reduce_to_zero(difference)
            if method is None:
                return Proof(claim, False, f"difference did not reduce to 0 on z ∈ {where}")
            if method not in methods:
                methods.append(method)
    return Proof(claim, True, f"on each of the {len(parts)} pieces of f and at their ends: {', '.join(methods)}")


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
        # l'(a) f'(z): one unit at a time, which only an elementwise activation allows
        activations.require_elementwise(act, "the output error l'(a) f'(z)")
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
            claim = f"delta = {self.in_a}  [{loss.name}, {act.name}, written through the output a]"
            parts = activations.pieces(act.expr)
            if len(parts) == 1:
                proofs.append(prove_equal(claim, self.in_a.subs(a, act.expr), self.in_z))
            else:
                proofs.append(_prove_on_pieces(claim, self.in_a, self.in_z, parts))
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


class VectorOutputDelta:
    r"""The output error for a vector output activation with ``n`` units, derived and proven.

    The loss of one sample is \(\ell = \sum_k \ell(f_k(z), y_k)\), and every
    unit's error depends on every output:

    $$
    \delta_m = \frac{\partial \ell}{\partial z_m}
             = \sum_k \frac{\partial \ell}{\partial a_k}\,\frac{\partial f_k}{\partial z_m},
    \qquad \delta = J(z)^T\, \nabla_a \ell .
    $$

    Attributes:
        n: The number of output units.
        zs, ys, As: Columns of the units' pre-activations, targets and outputs.
        value: \(\ell(f(z), y)\) for one sample.
        in_z: \(\partial \ell / \partial z_m\) for every unit, differentiated
            directly (the ground truth).
        grad_a: \(\partial \ell / \partial a_k\), in `As` and `ys`.
        chain_rule: \(J(z)^T \nabla_a \ell\) at \(a = f(z)\).
        in_a: The error written through the outputs, \(G(a)^T \nabla_a \ell\)
            with \(G\) the Jacobian's output form, cancelled (softmax with
            cross-entropy: \(a_m \sum_k y_k - y_m\)), or ``None``.
        in_a_unit_targets: `in_a` where the targets sum to 1 (softmax with
            cross-entropy: \(a - y\)), or ``None`` when that changes nothing.
        proofs: ``in_z == chain_rule``, ``in_a(f(z)) == in_z``, and what
            `in_a` becomes when \(\sum_k y_k = 1\) and when it is not.
    """

    def __init__(self, loss: Loss, act, n: int):
        self.loss, self.activation = loss, act
        self.n = n = int(n)
        self.zs, self.As = act.zs(n), act.As(n)
        self.ys = sp.Matrix([sp.Symbol(f"y_{t}", real=True) for t in range(n)])
        f = act.vector(n)
        self.value = sum(loss.expr.subs({a: f[t], y: self.ys[t]}) for t in range(n))
        # delta_m = d l(f(z), y) / d z_m, by sympy.diff of the whole sample's loss
        self.in_z = sp.Matrix([sp.diff(self.value, zm) for zm in self.zs])
        self.grad_a = sp.Matrix([loss.d_da.subs({a: self.As[t], y: self.ys[t]}) for t in range(n)])
        # delta = J(z)^T grad_a l, at a = f(z)
        self.chain_rule = act.jacobian(n).T * self.grad_a.xreplace(dict(zip(self.As, f)))

    @functools.cached_property
    def in_a(self):
        G = self.activation.jacobian_output_form(self.n)
        if G is None:
            return None
        # delta = G(a)^T grad_a l, each entry cancelled and collected by output: a_m (y_0 + ... ) - y_m
        return (G.T * self.grad_a).applyfunc(lambda e: sp.collect(sp.expand(sp.cancel(e)), list(self.As)))

    @functools.cached_property
    def sum_of_targets(self):
        """\\(y_0 + \\dots + y_{n-1}\\)."""
        return sp.Add(*self.ys)

    @functools.cached_property
    def in_a_unit_targets(self):
        if self.in_a is None:
            return None
        unit = self.in_a.subs(self.sum_of_targets, 1)
        return None if unit == self.in_a else unit

    def _on_unit_targets(self, expr):
        # sum_k y_k = 1, written as y_{n-1} = 1 - (y_0 + ... + y_{n-2})
        last = self.ys[-1]
        return expr.xreplace({last: 1 - (self.sum_of_targets - last)})

    @functools.cached_property
    def proofs(self) -> list[Proof]:
        loss, act, n = self.loss, self.activation, self.n
        where = f"[{loss.name}, {act.name}, n = {n}]"
        proofs = [
            prove_matrix_equal(
                f"delta_m = d l(f(z), y)/dz_m = sum_k dl/da_k d f_k/dz_m, delta = J^T grad_a l  {where}",
                self.in_z, self.chain_rule,
            )
        ]
        if self.in_a is None:
            return proofs
        f = act.vector(n)
        proofs.append(
            prove_matrix_equal(
                f"delta = G(a)^T grad_a l = {_column(self.in_a)}  {where}, written through the outputs a",
                self.in_a.xreplace(dict(zip(self.As, f))), self.in_z,
            )
        )
        if self.in_a_unit_targets is not None:
            proofs.append(
                prove_matrix_equal(
                    f"delta = {_column(self.in_a_unit_targets)} when the targets sum to 1 (one-hot or "
                    f"probability targets)  {where}",
                    self._on_unit_targets(self.in_a_unit_targets), self._on_unit_targets(self.in_a),
                )
            )
            gap = (self.in_a - self.in_a_unit_targets).applyfunc(lambda e: sp.factor(e))
            proofs.append(
                prove_matrix_equal(
                    f"when the targets do not sum to 1, delta = {_column(self.in_a)} still, which differs from "
                    f"{_column(self.in_a_unit_targets)} by {_column(gap)}  {where}",
                    self.in_a - self.in_a_unit_targets, gap,
                )
            )
        return proofs

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.proofs)

    @functools.cached_property
    def numpy(self):
        """``delta(z, y)`` lambdified for NumPy, units on axis 0: ``z``, ``y`` and the result ``(n, ...)``.

        The direct derivative `in_z` (not cancelled: the plain chain of
        exponentials, accurate for moderate ``z``).
        """
        import numpy as np

        fn = sp.lambdify(list(self.zs) + list(self.ys), list(self.in_z), modules=["scipy", "numpy"], cse=True)

        def delta(z, y):
            z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
            return np.stack(np.broadcast_arrays(*fn(*z, *y)))

        return delta


def _column(m) -> str:
    """A column of expressions in one line, units counted from 1: ``(a₁ − y₁, a₂ − y₂)``."""
    return "(" + ", ".join(activations.pretty_layer(e) for e in m) + ")"


#: Every loss, by name (the generic `impl._registry.Registry`, as on the NumPy side).
_REGISTRY: Registry[Loss] = Registry("loss", Loss, argument="loss")


def register(loss: Loss) -> Loss:
    """Add ``loss`` to the registry; its name must be new."""
    return _REGISTRY.register(loss)


_register = register


def get(name: str) -> Loss:
    """The loss called ``name``."""
    return _REGISTRY.get(name)


def names() -> tuple[str, ...]:
    """Names of the losses."""
    return _REGISTRY.names()


def compatible(loss: Loss | str, activation) -> bool:
    """Whether ``activation`` (an object or a name) may feed ``loss`` (an object or a name), from their declarations."""
    loss = get(loss) if isinstance(loss, str) else loss
    act = activations.get(activation) if isinstance(activation, str) else activation
    return loss.accepts(act)


# One row per loss: its derivatives, output errors and proofs are derived from the expression.
mse = _register(
    Loss("mse", (a - y) ** 2 / 2, None, "Half the squared error, the tutorial's L.", default_output="sigmoid")
)
bce = _register(
    Loss(
        "bce",
        -(y * sp.log(a) + (1 - y) * sp.log(1 - a)),
        "unit_interval",
        "Binary cross-entropy −[y log a + (1 − y) log(1 − a)] per output; the outputs must be probabilities, strictly between 0 and 1.",
        default_output="sigmoid",
    )
)
ce = _register(
    Loss(
        "ce",
        -y * sp.log(a),
        "simplex",
        "Cross-entropy −Σₖ yₖ log aₖ per sample; the outputs must be probability vectors (softmax).",
        default_output="softmax",
    )
)


def prove_sigmoid_bce_cancellation() -> Proof:
    r"""With a sigmoid output and BCE, \(\delta = a - y\): the sigmoid's derivative cancels."""
    sigmoid = activations.get("sigmoid")
    delta = bce.output_delta("sigmoid")
    return prove_equal("sigmoid + BCE: delta = dl/dz = a - y", delta.in_z, sigmoid.expr - y)


class GeneralOutputDelta:
    r"""The output error of a vector activation with a symbolic number of units \(n\), derived and proven.

    With the layer written as `activations.Z` (``Z[i]``), the targets as
    `Y` and the loss of one sample as \(\sum_{i=0}^{n-1} \ell(f_i(z), y_i)\),
    ``sympy.diff`` by ``Z[k]`` gives sums with Kronecker deltas; they are
    evaluated for a unit \(k\) of the layer (\(0 \le k \le n - 1\)), the
    factors free of the summation index are pulled out of the sums, and the
    component \(f_k(z)\) is written as the output \(a_k\) (``A[k]``).

    Attributes:
        in_z: \(\partial \ell / \partial z_k\) by ``sympy.diff``, with the
            Kronecker deltas' sums evaluated for a unit k (the ground truth).
        in_a: The same through the outputs (softmax with cross-entropy:
            \(a_k \sum_i y_i - y_k\)), or ``None`` if \(z\) is left.
        in_a_unit_targets: `in_a` with \(\sum_i y_i = 1\) (\(a_k - y_k\)).
        proofs: ``in_a(f(z)) == in_z`` for every \(n\) and \(k\), and what
            that is when the targets sum to 1, and when they do not.
    """

    def __init__(self, loss: Loss, act):
        self.loss, self.activation = loss, act
        Z, i, k, n = activations.Z, activations.i, activations.k, activations.n
        self.value = sp.Sum(loss.expr.subs({a: act.component, y: Y[i]}), (i, 0, n - 1))
        # d/dz_k, with sum_i (...) delta_ik evaluated for a unit k of the layer: 0 <= k <= n - 1
        raw = activations.evaluate_unit_deltas(sp.expand(sp.diff(self.value, Z[k])), k, n)
        self.in_z = raw
        self.component_k = act.component.subs(i, k)
        # the factors free of i pulled out of the sums, then f_k(z) -> a_k
        in_a = sp.expand(pull_out_of_sums(raw)).subs(self.component_k, A[k])
        self.in_a = in_a if not in_a.has(Z) else None
        self.sum_of_targets = sp.Sum(Y[i], (i, 0, n - 1))
        unit = None if self.in_a is None else self.in_a.subs(self.sum_of_targets, 1)
        self.in_a_unit_targets = None if unit is None or unit == self.in_a else unit

    @functools.cached_property
    def proofs(self) -> list[Proof]:
        loss, act = self.loss, self.activation
        where = f"[{loss.name}, {act.name}, any number of units n, any unit k]"
        value = f"Σᵢ {activations.pretty_layer(loss.expr.subs({a: sp.Symbol(f'{act.name}_i(z)'), y: sp.Symbol('y_i')}))}"
        if self.in_a is None:
            return [Proof(f"d/dz_k {value}: not written through the outputs a  {where}", False,
                          f"z is left in {activations.pretty_layer(self.in_z)}")]
        proofs = [
            prove_equal(
                f"delta_k = d/dz_k [{value}] = {activations.pretty_layer(self.in_a)}  {where}",
                self.in_a.subs(A[activations.k], self.component_k), self.in_z,
            )
        ]
        if self.in_a_unit_targets is not None:
            c = sp.Symbol("c")
            proofs.append(
                prove_equal(
                    f"delta_k = {activations.pretty_layer(self.in_a_unit_targets)} when the targets sum to 1 (one-hot or probability targets)",
                    self.in_a.subs(self.sum_of_targets, 1), self.in_a_unit_targets,
                )
            )
            general = self.in_a.subs(self.sum_of_targets, c)
            proofs.append(
                prove_equal(
                    f"when the targets sum to c = {activations.pretty_layer(self.sum_of_targets)} ≠ 1, delta_k = {activations.pretty_layer(general)} = "
                    f"c·({activations.pretty_layer(self.in_a_unit_targets.subs(Y[activations.k], Y[activations.k] / c))}): c times the "
                    f"error for the normalised targets y/c, and not {activations.pretty_layer(self.in_a_unit_targets)}, which is off by "
                    f"{activations.pretty_layer(sp.factor(general - self.in_a_unit_targets))}",
                    self.in_a.subs(self.sum_of_targets, c),
                    c * self.in_a_unit_targets.subs(Y[activations.k], Y[activations.k] / c),
                )
            )
        return proofs

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.proofs)


@functools.lru_cache(maxsize=None)
def general_output_delta(loss_name: str, activation_name: str) -> GeneralOutputDelta:
    """The output error of a vector activation and a loss for any number of units (symbolic ``n``)."""
    loss, act = get(loss_name), activations.get(activation_name)
    if act.elementwise:
        raise ValueError(f"activation: {act.name} is elementwise; its output error is output_delta({act.name!r})")
    loss.check_output_activation(act)
    return GeneralOutputDelta(loss, act)


def prove_softmax_ce_cancellation() -> list[Proof]:
    r"""With a softmax output and cross-entropy, \(\delta = a \sum_i y_i - y\) for every \(n\): \(a - y\) when \(\sum_i y_i = 1\)."""
    return general_output_delta("ce", "softmax").proofs
