r"""A symbolic network of any layer sizes, and the proof that backprop is its gradient.

Notation, as on the site: layers count from 1 to \(D\), \(a^{(0)} = x\),

$$
z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}, \qquad a^{(l)} = f(z^{(l)}),
$$

with \(W^{(l)}\) of shape \((n_l, n_{l-1})\). The hidden layers use an
*undefined* function \(\sigma\) and the output layer another one,
\(\tau\), each with an undefined derivative (\(\sigma'\),
\(\tau'\)). A proof for them is a proof for every activation at once:
nothing about the sigmoid is used. Backpropagation claims

$$
\delta^{(D)} = \ell'(a^{(D)}) \odot \tau'(z^{(D)}), \qquad
\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot \sigma'(z^{(l)}),
$$

$$
\frac{\partial L}{\partial W^{(l)}} = \sum_n \delta^{(l)}_n (a^{(l-1)}_n)^T, \qquad
\frac{\partial L}{\partial b^{(l)}} = \sum_n \delta^{(l)}_n,
$$

for a batch of samples \(n\) whose losses are summed (or averaged, which
scales every \(\delta^{(D)}\) by \(1/N\)). For every single weight and
bias, `prove_backprop` differentiates the loss *directly* with
``sympy.diff`` (no chain rule of ours involved) and reduces the difference
to the backprop formula to zero.

Speed: the direct derivative is taken of the fully nested expression, but
before comparing, every \(\sigma(z^{(l)}_i)\) and \(\sigma'(z^{(l)}_i)\)
it contains is replaced by a plain symbol standing for exactly that
sub-expression. Both sides then are polynomials (rational functions for
BCE) in independent symbols, and ``expand`` decides them in milliseconds.
This replacement is sound: if a polynomial identity holds for independent
symbols it holds for any values put in their place.

Vector activations (softmax) act on a whole layer,
\(a^{(l)} = f(z^{(l)})\) with \(a^{(l)}_k\) depending on every
\(z^{(l)}_m\). Such a layer is left as \(n_l\) undefined functions of
all the layer's pre-activations, \(\tau_k(z_0, \dots, z_{n-1})\) (or
\(\sigma_k\) in a hidden layer, `UndefinedVector`), each partial
derivative \(\partial\tau_k / \partial z_m\) an undefined function too,
replaced by a stand-in symbol as above. The recurrence then multiplies by
the transposed Jacobian instead of entry by entry:

$$
\delta^{(D)}_m = \sum_k \frac{\partial \ell}{\partial a^{(D)}_k}\,
\frac{\partial \tau_k}{\partial z^{(D)}_m}, \qquad
\delta^{(l)} = J_\sigma(z^{(l)})^T\, (W^{(l+1)})^T \delta^{(l+1)},
$$

and the instantiation proves the named activation's Jacobian and the fused
output error (softmax with cross-entropy: \(a \sum_k y_k - y\)).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field

import sympy as sp

from spec import activations, losses
from spec.activations import pretty, pretty_layer
from spec.proof import Proof, reduce_to_zero


class sigma(sp.Function):
    """The hidden layers' activation: any differentiable function."""

    def fdiff(self, argindex=1):
        return sigma_prime(self.args[0])


class sigma_prime(sp.Function):
    """The derivative of `sigma`, left undefined."""


class tau(sp.Function):
    """The output layer's activation: any differentiable function."""

    def fdiff(self, argindex=1):
        return tau_prime(self.args[0])


class tau_prime(sp.Function):
    """The derivative of `tau`, left undefined."""


@functools.lru_cache(maxsize=None)
def vector_component(name: str, k: int):
    r"""The undefined function \(\tau_k(z_0, \dots, z_{n-1})\) (``name`` ``"tau"``), output ``k`` of a vector layer.

    Its partial derivative by its argument ``m`` is `vector_partial` ``(name, k, m)``, left undefined.
    """

    def fdiff(self, argindex=1):
        return vector_partial(name, k, argindex - 1)(*self.args)

    return type(f"{name}_{k}", (sp.Function,), {"fdiff": fdiff, "__module__": __name__})


@functools.lru_cache(maxsize=None)
def vector_partial(name: str, k: int, m: int):
    r"""The undefined partial derivative \(\partial \tau_k / \partial z_m\)."""
    return type(f"d{name}_{k}_dz_{m}", (sp.Function,), {"__module__": __name__})


class UndefinedVector:
    r"""Any differentiable map of a whole layer: \(a_k = \tau_k(z_0, \dots, z_{n-1})\), each \(\tau_k\) undefined."""

    elementwise = False

    def __init__(self, name: str, width: int):
        self.name, self.width = name, width
        self.components = [vector_component(name, k) for k in range(width)]

    def apply(self, column):
        # a_k = tau_k(z_0, ..., z_{n-1}): every output sees the whole layer
        return sp.Matrix([tau_k(*column) for tau_k in self.components])

    def partial(self, k: int, m: int):
        return vector_partial(self.name, k, m)


def activate(f, column):
    """``a = f(z)`` for a SymPy column ``z``.

    ``f`` is an activation object (an `spec.activations.Activation`, applied
    entry by entry; a `spec.activations.VectorActivation` or `UndefinedVector`,
    applied to the whole column), or a callable on one SymPy expression such
    as `sigma`, which is elementwise by construction and applied to every entry.
    """
    if getattr(f, "elementwise", True) is False or isinstance(f, activations.Activation):
        return f.apply(column)
    # elementwise: a_i = f(z_i)
    return column.applyfunc(f)


REDUCTIONS = ("sum", "mean")


@dataclass
class SymbolicNetwork:
    """Explicit ``sympy.Matrix`` weights, biases, inputs and targets for given sizes.

    Lists are indexed by layer from 1 (index 0 is unused for ``W``, ``b``, ``z``).
    ``x[n]`` and ``y[n]`` are the column vectors of sample ``n``.
    """

    sizes: tuple[int, ...]
    samples: int
    #: Layers (1 to D) whose activation is a vector one: `backprop_deltas` multiplies by J^T there.
    vector_layers: frozenset = frozenset()
    W: list = field(default_factory=list)
    b: list = field(default_factory=list)
    x: list = field(default_factory=list)
    y: list = field(default_factory=list)

    @classmethod
    def build(cls, sizes, samples=1, vector_layers=()):
        net = cls(tuple(sizes), samples, frozenset(vector_layers))
        D = len(sizes) - 1
        net.W = [None] + [
            sp.Matrix(sizes[l], sizes[l - 1], lambda i, j, l=l: sp.Symbol(f"W{l}_{i}_{j}", real=True))
            for l in range(1, D + 1)
        ]
        net.b = [None] + [
            sp.Matrix(sizes[l], 1, lambda i, j, l=l: sp.Symbol(f"b{l}_{i}", real=True))
            for l in range(1, D + 1)
        ]
        net.x = [
            sp.Matrix(sizes[0], 1, lambda i, j, n=n: sp.Symbol(f"x{n}_{i}", real=True))
            for n in range(samples)
        ]
        net.y = [
            sp.Matrix(sizes[-1], 1, lambda i, j, n=n: sp.Symbol(f"y{n}_{i}", real=True))
            for n in range(samples)
        ]
        return net

    @property
    def D(self) -> int:
        return len(self.sizes) - 1

    def forward(self, x, hidden, output):
        """``(z, a)`` lists for one input column ``x``.

        ``hidden`` and ``output`` are as `activate` takes them: a callable on
        one SymPy expression (elementwise), or an activation object.
        ``hidden`` may also be a list, one per hidden layer (index 0 for layer 1).
        """
        D = self.D
        z, a = [None] * (D + 1), [x] + [None] * D
        for l in range(1, D + 1):
            # z(l) = W(l) a(l-1) + b(l)
            z[l] = self.W[l] * a[l - 1] + self.b[l]
            # a(l) = f(z(l)): entry by entry for an elementwise f, the whole column for a vector one
            f = output if l == D else hidden[l - 1] if isinstance(hidden, (list, tuple)) else hidden
            a[l] = activate(f, z[l])
        return z, a

    def parameters(self):
        """``(display name, symbol, layer, kind, index)`` for every weight and bias.

        ``index`` counts from 0, as Python does; the display name counts from 1, as
        the formulas and the site do (``W(1)[1,2]`` is \\(W^{(1)}_{12}\\), ``index = (0, 1)``).
        """
        for l in range(1, self.D + 1):
            for i in range(self.sizes[l]):
                for j in range(self.sizes[l - 1]):
                    yield f"W({l})[{i + 1},{j + 1}]", self.W[l][i, j], l, "W", (i, j)
                yield f"b({l})[{i + 1}]", self.b[l][i], l, "b", (i,)


@dataclass
class BackpropProof:
    """The outcome of `prove_backprop`: one proof per parameter, plus the instantiation."""

    sizes: tuple[int, ...]
    activation: str
    output_activation: str
    loss: str
    reduction: str
    samples: int
    parameters: list[Proof]
    instantiation: list[Proof]
    seconds: float
    #: The error-term formulas the per-parameter proofs are about, one line each.
    recurrence: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.parameters) and all(p.ok for p in self.instantiation)


#: How `prove_backprop` differentiates the loss: ``"downstream"`` (each unit's
#: dL/dz from the layers after it, shared by the unit's parameters: `_prove_downstream`)
#: or ``"nested"`` (the whole network differentiated once per parameter: `_prove_generic`).
METHODS = ("downstream", "nested")
#: Largest symbolic problem `prove_backprop` takes on, per method: parameters times samples,
#: and the widest layer. The nested method's work grows faster than the product (measured on a
#: 2-vCPU EPYC: 8-8-4 with 2 samples, 216, took 4.4 s; 4-5-5-3 with 2 samples, 146, 6.2 s;
#: 8-16-8-4, 158 s). The downstream method proved 64-32-10 with 2 samples (4,820) in 18 s
#: while other work ran beside it, and 4-6-6-3 with BCE in 2.1 s where nested took 25 s.
MAX_PARAMETER_SAMPLES = {"downstream": 20000, "nested": 1000}
MAX_WIDTH = {"downstream": 128, "nested": 32}
#: Deepest network and largest batch accepted.
MAX_LAYERS, MAX_SAMPLES = 8, 64


class ProofTimeout(Exception):
    """`prove_backprop` ran out of its time budget; ``done`` of ``total`` parameters were proven."""

    def __init__(self, done: int, total: int, seconds: float, failed: int):
        self.done, self.total, self.seconds, self.failed = done, total, seconds, failed
        super().__init__(
            f"stopped after {seconds:.1f} s, the time limit, with {done} of {total} parameters checked "
            f"({failed} not proven so far)"
        )


def prove_backprop(
    sizes, activation="sigmoid", output_activation="sigmoid", loss="mse", reduction="sum", samples=2,
    timeout=None, progress=None, method="downstream",
) -> BackpropProof:
    r"""Prove, for every weight and bias, that backprop's formula equals the direct derivative.

    The generic part holds for any differentiable activations (undefined
    `sigma`, `tau`; for a vector activation such as softmax, undefined maps
    of the whole layer, `UndefinedVector`). The instantiation then proves,
    for the named activations, the closed form of the output error the
    trainer uses (e.g. \(\delta = a - y\) for sigmoid with BCE, \(\delta =
    a \sum_k y_k - y\) for softmax with cross-entropy, for the output
    layer's width and for any number of units) and the activations' output
    forms (a vector activation's: its Jacobian's, for each layer width).

    Args:
        sizes: Layer widths, input first, e.g. ``(2, 2, 1)``.
        activation: The hidden layers' activation (a registered name, elementwise or vector).
        output_activation: The output layer's activation.
        loss: A registered loss (``"mse"``, ``"bce"``, ``"ce"``); an output
            activation whose declared outputs do not meet what the loss
            ``requires`` is refused (BCE: each in (0, 1); CE: a simplex).
        reduction: ``"sum"`` adds the samples' losses, ``"mean"`` averages them.
        samples: Size of the symbolic batch (1 to `MAX_SAMPLES`).
        timeout: Seconds after which to stop with `ProofTimeout` (checked
            between parameters), or None for no limit.
        progress: Called as ``progress(done, total)`` as parameters are proven.
        method: ``"downstream"`` (the default: `_prove_downstream`, each
            unit's derivative taken once from the layers after it) or
            ``"nested"`` (`_prove_generic`: the whole network differentiated
            by every parameter). Both prove the same claims, one per parameter.

    Raises:
        ValueError: a bad configuration, or a problem larger than the
            method's `MAX_PARAMETER_SAMPLES` (parameters times samples) or
            `MAX_WIDTH`, or than `MAX_LAYERS` or `MAX_SAMPLES`, refused
            before any symbolic work.
        ProofTimeout: ``timeout`` seconds passed before every parameter was checked.
    """
    sizes, hidden, output, loss_ = check_request(
        sizes, activation, output_activation, loss, reduction, samples, method
    )

    start = time.perf_counter()
    deadline = None if timeout is None else start + timeout
    D = len(sizes) - 1
    vector_layers = {l for l in range(1, D + 1) if not (output if l == D else hidden).elementwise}
    net = SymbolicNetwork.build(sizes, samples, vector_layers)
    prove = _prove_downstream if method == "downstream" else _prove_generic
    parameter_proofs = prove(net, loss_, reduction, start, deadline, progress)
    instantiation = _instantiate(hidden, output, loss_, sizes)
    return BackpropProof(
        sizes, hidden.name, output.name, loss_.name, reduction, samples,
        parameter_proofs, instantiation, time.perf_counter() - start, recurrence_lines(net),
    )


def recurrence_lines(net: SymbolicNetwork) -> list[str]:
    """The error-term formulas `backprop_deltas` uses for ``net``, in words."""
    D = net.D
    if D in net.vector_layers:
        lines = ["delta(D)_m = sum_k dl/da(D)_k * dtau_k/dz(D)_m, i.e. delta(D) = J_tau(z(D))^T grad_a l   "
                 "(tau_k(z_1, ..., z_n) any differentiable map of the whole output layer; D = the last layer)"]
    else:
        lines = ["delta(D) = l'(a(D)) * tau'(z(D))   (tau any differentiable function, entry by entry; D = the last layer)"]
    if D > 1:
        hidden = [l for l in range(1, D)]
        if all(l in net.vector_layers for l in hidden):
            lines.append("delta(l) = J_sigma(z(l))^T (W(l+1)^T delta(l+1))   "
                         "(sigma_k(z_1, ..., z_n) any differentiable map of the whole hidden layer)")
        else:
            lines.append("delta(l) = W(l+1)^T delta(l+1) * sigma'(z(l))   (sigma any differentiable function, entry by entry)")
    return lines


def check_request(sizes, activation, output_activation, loss, reduction, samples, method):
    """Every check `prove_backprop` makes before any symbolic work; return `check_config`'s objects."""
    checked = check_config(sizes, activation, output_activation, loss, reduction)
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"samples: expected an int from 1 to {MAX_SAMPLES}, got {samples!r}")
    if method not in METHODS:
        raise ValueError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    check_size_of_proof(checked[0], samples, method)
    return checked


def check_config(sizes, activation, output_activation, loss, reduction):
    """Check a network's configuration once; return ``(sizes, hidden, output, loss)`` objects."""
    sizes = _check_sizes(sizes)
    hidden = activations.get(activation)
    try:
        output = activations.get(output_activation)
    except ValueError as err:
        raise ValueError(f"output_activation: {str(err).split(': ', 1)[-1]}") from None
    loss_ = losses.get(loss)
    loss_.check_output_activation(output)
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction: expected one of {', '.join(REDUCTIONS)}, got {reduction!r}")
    return sizes, hidden, output, loss_


def check_size_of_proof(sizes, samples, method="downstream") -> None:
    """Refuse, before any symbolic work, a proof too large for ``method`` to finish in minutes."""
    if len(sizes) > MAX_LAYERS + 1:
        raise ValueError(f"sizes: at most {MAX_LAYERS} layers can be proven symbolically, got {len(sizes) - 1}")
    if max(sizes) > MAX_WIDTH[method]:
        raise ValueError(
            f"sizes: layers of at most {MAX_WIDTH[method]} units can be proven symbolically by the {method} "
            f"method, got {max(sizes)}"
        )
    parameters = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    if parameters * samples > MAX_PARAMETER_SAMPLES[method]:
        raise ValueError(
            f"sizes: {','.join(map(str, sizes))} has {parameters} parameters; with {samples} samples that is "
            f"{parameters * samples} parameter-samples, more than the {MAX_PARAMETER_SAMPLES[method]} the "
            f"{method} method finishes in reasonable time (every size follows the same recurrence: prove a "
            "smaller one)"
        )


def _check_sizes(sizes):
    try:
        sizes = tuple(sizes)
    except TypeError:
        raise TypeError(f"sizes: expected a sequence of ints, got {type(sizes).__name__}") from None
    if len(sizes) < 2 or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in sizes):
        raise ValueError(f"sizes: expected at least two positive ints, got {list(sizes)}")
    return sizes


def _prove_generic(
    net: SymbolicNetwork, loss: losses.Loss, reduction: str, start=0.0, deadline=None, progress=None
) -> list[Proof]:
    D, sizes = net.D, net.sizes
    # 1/N for the mean, 1 for the sum
    scale = sp.Rational(1, net.samples) if reduction == "mean" else sp.Integer(1)

    # Symbols standing for sigma(z(l)_i), sigma'(z(l)_i) (tau at the output), per sample. A vector
    # layer's ds[n][l] is a square matrix: ds[n][l][k, m] stands for d tau_k / d z(l)_m.
    s, ds = _stand_ins(net)
    f = _layer_functions(net)
    atoms = {}
    total = sp.Integer(0)
    for n in range(net.samples):
        z, a = net.forward(net.x[n], f[1:D], f[D])
        for l in range(1, D + 1):
            _name_atoms(atoms, f[l], z[l], s[n][l], ds[n][l])
        # L = scale * sum over samples and outputs of l(a(D), y): the loss
        total += scale * sum(
            loss.expr.subs({activations.a: a[D][k], losses.y: net.y[n][k]}) for k in range(sizes[-1])
        )

    # Backprop, per sample, on the stand-in symbols.
    delta = backprop_deltas(net, loss, scale, s, ds)

    proofs = []
    parameters = list(net.parameters())
    for name, symbol, l, kind, index in parameters:
        if deadline is not None and time.perf_counter() > deadline:
            failed = sum(not p.ok for p in proofs)
            raise ProofTimeout(len(proofs), len(parameters), time.perf_counter() - start, failed)
        if kind == "W":
            i, j = index
            # dL/dW(l)[i,j] = sum_n delta(l)_n[i] * a(l-1)_n[j]
            claimed = sum(
                delta[n][l][i] * (net.x[n][j] if l == 1 else s[n][l - 1][j]) for n in range(net.samples)
            )
            formula = f"sum_n delta({l})[{i + 1}] a({l - 1})[{j + 1}]"
        else:
            (i,) = index
            # dL/db(l)[i] = sum_n delta(l)_n[i]
            claimed = sum(delta[n][l][i] for n in range(net.samples))
            formula = f"sum_n delta({l})[{i + 1}]"
        direct = sp.diff(total, symbol).xreplace(atoms)
        method = reduce_to_zero(direct - claimed)
        proofs.append(
            Proof(f"dL/d{name} = {formula}", method is not None, method or "difference did not reduce to 0")
        )
        if progress is not None:
            progress(len(proofs), len(parameters))
    return proofs


def _stand_ins(net: SymbolicNetwork):
    """Symbols ``s[n][l]`` for the activations and ``ds[n][l]`` for their derivatives (a matrix for a vector layer)."""
    D, sizes = net.D, net.sizes
    s = [[None] * (D + 1) for _ in range(net.samples)]
    ds = [[None] * (D + 1) for _ in range(net.samples)]
    for n in range(net.samples):
        for l in range(1, D + 1):
            s[n][l] = sp.Matrix(sizes[l], 1, lambda i, j, l=l: sp.Symbol(f"s{n}_{l}_{i}"))
            if l in net.vector_layers:
                ds[n][l] = sp.Matrix(sizes[l], sizes[l], lambda k, m, l=l: sp.Symbol(f"ds{n}_{l}_{k}_{m}"))
            else:
                ds[n][l] = sp.Matrix(sizes[l], 1, lambda i, j, l=l: sp.Symbol(f"ds{n}_{l}_{i}"))
    return s, ds


def _layer_functions(net: SymbolicNetwork):
    """``f[l]``: `sigma`, `tau` or an `UndefinedVector` for every layer ``l`` (index 0 unused)."""
    D = net.D
    f = [None]
    for l in range(1, D + 1):
        if l in net.vector_layers:
            f.append(UndefinedVector("tau" if l == D else f"sigma{l}", net.sizes[l]))
        else:
            f.append(tau if l == D else sigma)
    return f


def _name_atoms(atoms, f, column, s, ds):
    """Record in ``atoms`` the stand-in symbols for ``f(column)`` and its derivative(s)."""
    if isinstance(f, UndefinedVector):
        for k in range(f.width):
            atoms[f.components[k](*column)] = s[k]
            for m in range(f.width):
                atoms[f.partial(k, m)(*column)] = ds[k, m]
        return
    df = tau_prime if f is tau else sigma_prime
    for i in range(column.rows):
        atoms[f(column[i])] = s[i]
        atoms[df(column[i])] = ds[i]


def _prove_downstream(
    net: SymbolicNetwork, loss: losses.Loss, reduction: str, start=0.0, deadline=None, progress=None
) -> list[Proof]:
    r"""Every parameter's proof, with the derivative of the loss taken from its layer on only.

    A weight \(W^{(l)}_{ij}\) or bias \(b^{(l)}_i\) enters the loss only through
    its unit's pre-activation, \(z^{(l)}_{n,i} = \sum_j W^{(l)}_{ij} a^{(l-1)}_{n,j}
    + b^{(l)}_i\), once per sample \(n\) (nothing upstream of layer \(l\) depends
    on it), so by the chain rule in that one variable per sample

    $$
    \frac{\partial L}{\partial W^{(l)}_{ij}} = \sum_n \frac{\partial L}{\partial z^{(l)}_{n,i}}
    \, \frac{\partial z^{(l)}_{n,i}}{\partial W^{(l)}_{ij}}.
    $$

    Both factors are computed by ``sympy.diff``, neither by the recurrence:
    the second from the definition of \(z\) (it must come out as
    \(a^{(l-1)}_{n,j}\), or 1 for the bias); the first, once per unit and
    sample, by differentiating sample \(n\)'s loss written from layer
    \(l\) on (\(a^{(l)} = f(Z)\) with a symbol \(Z\) standing for the layer's
    pre-activations, then every later layer, then the loss) in
    \(Z_i\). That derivative is then reduced to zero against the
    recurrence's \(\delta^{(l)}_{n,i}\), and every parameter of the unit's row
    shares it. The work grows with the number of units times the size of
    the network downstream of them, not with the number of parameters times
    the size of the whole network, as `_prove_generic`'s does.
    """
    D, sizes = net.D, net.sizes
    # 1/N for the mean, 1 for the sum
    scale = sp.Rational(1, net.samples) if reduction == "mean" else sp.Integer(1)
    s, ds = _stand_ins(net)
    f = _layer_functions(net)
    delta = backprop_deltas(net, loss, scale, s, ds)
    parameters = list(net.parameters())
    per_unit = {l: sizes[l - 1] + 1 for l in range(1, D + 1)}

    # unit[(n, l, i)] = (ok, method): dL/dz(l)_{n,i} by sympy.diff of the downstream loss, against delta
    unit = {}
    done = 0
    for l in range(D, 0, -1):
        for n in range(net.samples):
            Z = sp.Matrix(sizes[l], 1, lambda i, j: sp.Symbol(f"Z{n}_{l}_{i}", real=True))
            atoms = {}
            # a(l) = f(Z), then z(m) = W(m) a(m-1) + b(m), a(m) = f(z(m)) for every later layer
            _name_atoms(atoms, f[l], Z, s[n][l], ds[n][l])
            a_m = activate(f[l], Z)
            for m in range(l + 1, D + 1):
                z_m = net.W[m] * a_m + net.b[m]
                _name_atoms(atoms, f[m], z_m, s[n][m], ds[n][m])
                a_m = activate(f[m], z_m)
            # sample n's share of L, scale * sum over the outputs of l(a(D), y)
            F = scale * sum(loss.expr.subs({activations.a: a_m[k], losses.y: net.y[n][k]}) for k in range(sizes[-1]))
            for i in range(sizes[l]):
                if deadline is not None and time.perf_counter() > deadline:
                    raise ProofTimeout(done, len(parameters), time.perf_counter() - start,
                                       sum(not ok for ok, _ in unit.values()))
                direct = sp.diff(F, Z[i]).xreplace(atoms)
                method = reduce_to_zero(direct - delta[n][l][i])
                unit[(n, l, i)] = (method is not None, method or "difference did not reduce to 0")
                if n == net.samples - 1:
                    done += per_unit[l]
                    if progress is not None:
                        progress(done, len(parameters))

    @functools.lru_cache(maxsize=None)
    def z_of(n, l, i):
        # z(l)_{n,i} = sum_j W(l)[i,j] a(l-1)_{n,j} + b(l)_i
        inputs = net.x[n] if l == 1 else s[n][l - 1]
        return sp.Add(*[net.W[l][i, j] * inputs[j] for j in range(sizes[l - 1])], net.b[l][i])

    proofs = []
    for name, symbol, l, kind, index in parameters:
        i = index[0]
        ok, methods = True, []
        for n in range(net.samples):
            inputs = net.x[n] if l == 1 else s[n][l - 1]
            # dz(l)_{n,i}/dtheta: a(l-1)_{n,j} for W(l)[i,j], 1 for b(l)_i
            expected = inputs[index[1]] if kind == "W" else sp.Integer(1)
            unit_ok, unit_method = unit[(n, l, i)]
            ok = ok and unit_ok and sp.diff(z_of(n, l, i), symbol) == expected
            if unit_method not in methods:
                methods.append(unit_method)
        if kind == "W":
            formula = f"sum_n delta({l})[{i + 1}] a({l - 1})[{index[1] + 1}]"
        else:
            formula = f"sum_n delta({l})[{i + 1}]"
        why = f"dL/dz({l})[{i + 1}] {', '.join(methods)}; dz/d{name} by sympy.diff"
        proofs.append(Proof(f"dL/d{name} = {formula}", ok, why if ok else f"not proven ({why})"))
    return proofs


def backprop_deltas(net: SymbolicNetwork, loss: losses.Loss, scale, s, ds):
    """Backprop's error terms ``delta[n][l]`` for each sample ``n``, as claimed by the recurrence.

    ``s[n][l]`` and ``ds[n][l]`` are column vectors of symbols standing for
    the activation and its derivative at ``z(l)`` of sample ``n``; for a
    layer in ``net.vector_layers``, ``ds[n][l]`` is the square matrix of
    symbols standing for the Jacobian, ``ds[n][l][k, m] = d a(l)_k / d z(l)_m``.
    """
    D, sizes = net.D, net.sizes
    delta = [[None] * (D + 1) for _ in range(net.samples)]
    for n in range(net.samples):
        # dl/da(D)_k, per output unit
        grad_a = sp.Matrix(
            [loss.d_da.subs({activations.a: s[n][D][k], losses.y: net.y[n][k]}) for k in range(sizes[-1])]
        )
        if D in net.vector_layers:
            # delta(D)_m = scale * sum_k dl/da_k * dtau_k/dz_m:  delta(D) = scale * J^T grad_a
            delta[n][D] = scale * ds[n][D].T * grad_a
        else:
            # delta(D) = scale * l'(a(D)) * tau'(z(D))
            delta[n][D] = scale * sp.matrix_multiply_elementwise(grad_a, ds[n][D])
        for l in range(D - 1, 0, -1):
            if l in net.vector_layers:
                # delta(l) = J_sigma(z(l))^T (W(l+1)^T delta(l+1))
                delta[n][l] = ds[n][l].T * (net.W[l + 1].T * delta[n][l + 1])
            else:
                # delta(l) = (W(l+1)^T delta(l+1)) * sigma'(z(l))
                delta[n][l] = sp.matrix_multiply_elementwise(net.W[l + 1].T * delta[n][l + 1], ds[n][l])
    return delta


def _instantiate(hidden, output, loss, sizes) -> list[Proof]:
    """What the generic proof needs from the named activations and loss."""
    proofs = []
    hidden_widths = sorted(set(sizes[1:-1]))
    if hidden_widths:
        proofs.extend(_activation_facts("sigma", hidden, hidden_widths))
    proofs.extend(_activation_facts("tau", output, [sizes[-1]]))
    if output.elementwise:
        proofs.extend(loss.output_delta(output.name).proofs)
    else:
        proofs.extend(loss.output_delta(output.name, sizes[-1]).proofs)
        general = losses.general_output_delta(loss.name, output.name)
        if general.in_a is not None:
            # the same output error for every number of units, n symbolic
            proofs.extend(general.proofs)
    # The same activation in both roles needs its output form proven only once.
    unique = {}
    for proof in proofs:
        unique.setdefault(proof.claim, proof)
    return list(unique.values())


def _activation_facts(role: str, act, widths) -> list[Proof]:
    """The derivative (elementwise) or Jacobian (vector, per layer width) standing for ``role``, and its proofs."""
    if act.elementwise:
        return [
            Proof(f"{role} = {act.name}: {role}'(z) = {pretty(act.derivative)}", True, "derived by sympy.diff"),
            *act.derived(1).proofs,
        ]
    out = []
    for n in widths:
        J = act.jacobian(n)
        out.append(
            Proof(
                f"{role} = {act.name} on {n} units: d{role}_k/dz_m = J[k, m] = d f_k/dz_m, e.g. "
                f"J[1, 1] = {pretty_layer(J[0, 0])}" + (f", J[1, 2] = {pretty_layer(J[0, 1])}" if n > 1 else ""),
                True, f"derived by Matrix.jacobian, {n}x{n}",
            )
        )
        out.extend(act.proofs(n))
    # and for any number of units
    out.extend(act.general_proofs())
    return out
