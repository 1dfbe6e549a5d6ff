"""Formulas of "The derivation, step by step", each computed from ``spec`` with SymPy.

Every block returns Markdown: a display formula printed by ``sympy.latex``
(through `common.tex`) and a line of check marks. Proofs are run while the
site is built; a failing one stops the build.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from spec import activations, network
from spec.activations import a, z
from spec.losses import mse, y
from spec.network import SymbolicNetwork, backprop_deltas, sigma, sigma_prime
from spec.proof import Proof, reduce_to_zero

from . import common
from .common import display, mark, proof_mark, tex

SIZES = (2, 2, 1)
BATCH = 4  # the XOR batch: four samples


# --- the objects every block shares ---------------------------------------------------


@functools.lru_cache(maxsize=None)
def sigmoid():
    return activations.get("sigmoid")


@functools.lru_cache(maxsize=None)
def net():
    return SymbolicNetwork.build(SIZES)


def _sym(name):
    return sp.Symbol(name, real=True)


@functools.lru_cache(maxsize=None)
def names():
    """LaTeX names for the symbolic network's symbols (indices from 1, as in the math)."""
    n = net()
    out = {}
    for l in range(1, n.D + 1):
        for i in range(n.sizes[l]):
            for j in range(n.sizes[l - 1]):
                out[n.W[l][i, j]] = f"W^{{({l})}}_{{{i + 1}{j + 1}}}"
            out[n.b[l][i]] = f"b^{{({l})}}_{{{i + 1}}}"
    for i in range(n.sizes[0]):
        out[n.x[0][i]] = f"x_{{{i + 1}}}"
    out[n.y[0][0]] = "y"
    out[y] = "y"
    return out


@functools.lru_cache(maxsize=None)
def stand_ins():
    """Symbols for a^{(l)}_i and sigma'(z^{(l)}_i), as `spec.network.backprop_deltas` takes them."""
    n = net()
    s = [[None] * (n.D + 1)]
    ds = [[None] * (n.D + 1)]
    labels = {}
    for l in range(1, n.D + 1):
        s[0][l] = sp.Matrix(n.sizes[l], 1, lambda i, j, l=l: _sym(f"a{l}_{i}"))
        ds[0][l] = sp.Matrix(n.sizes[l], 1, lambda i, j, l=l: _sym(f"da{l}_{i}"))
        for i in range(n.sizes[l]):
            index = "" if n.sizes[l] == 1 else f"_{{{i + 1}}}"
            labels[s[0][l][i]] = f"a^{{({l})}}{index}"
            labels[ds[0][l][i]] = rf"\sigma'\left(z^{{({l})}}{index}\right)"
    return s, ds, labels


def _names(*extra):
    out = dict(names())
    for e in extra:
        out.update(e)
    return out


@functools.lru_cache(maxsize=None)
def backprop_proof(samples=BATCH):
    """`spec.network.prove_backprop` for the tutorial's network on a symbolic batch of XOR's size."""
    result = network.prove_backprop(SIZES, "sigmoid", "sigmoid", "mse", "sum", samples=samples)
    common.require(result.parameters + result.instantiation, f"prove_backprop{SIZES} with {samples} samples")
    return result


def _backprop_mark(base=""):
    result = backprop_proof()
    n = len(result.parameters)
    return mark(
        (f"✓ proven symbolically for all {n} of {n} weights and biases of the 2-2-1 network "
         f"(a batch of {result.samples}, any activation)", "symbolic"),
        ("✓ property-tested: impl against the spec", "property"),
        ("✓ finite differences", "fd"),
        base=base,
    )


# --- (a) the sigmoid ------------------------------------------------------------------


def sigmoid_f():
    s = sigmoid()
    return display(rf"\sigma(z) = {tex(s.expr)}") + mark(("the registry's expression, spec.activations", "symbolic"))


def sigmoid_df():
    s = sigmoid()
    return display(rf"\sigma'(z) = \frac{{d}}{{dz}} {tex(s.expr)} = {tex(s.derivative)}") + mark(
        ("✓ derived by sympy.diff", "symbolic")
    )


def sigmoid_output_form():
    s = sigmoid()
    g = s.output_form
    if g is None:
        raise common.BuildFailure("the sigmoid lost its output form: the derivation page explains a(1 - a)")
    return display(
        rf"g(a) &= {tex(g)}",
        rf"g\left(\sigma(z)\right) &= {tex(g.subs(a, sigma(z)))} = {tex(g.subs(a, s.expr))} = {tex(s.derivative)} = \sigma'(z)",
    ) + proof_mark(s.derived(1).proofs, what="the sigmoid's output form")


@functools.lru_cache(maxsize=None)
def sigmoid_peak():
    """sigma'(0), the largest slope, after checking that 0 is the only turning point and the tails go to 0."""
    d = sigmoid().derivative
    turning = sp.solve(sp.diff(d, z), z)
    peak = sp.nsimplify(d.subs(z, 0))
    left, right = sp.limit(d, z, -sp.oo), sp.limit(d, z, sp.oo)
    even = reduce_to_zero(d.subs(z, -z) - d) is not None
    if not (turning == [0] and left == 0 and right == 0 and even):
        raise common.BuildFailure(f"sigmoid slope facts changed: turning {turning}, tails {left}, {right}, even {even}")
    return turning, peak, right


def sigmoid_slope():
    """Where the sigmoid is steep: f'(0), the maximum, the tails, a few values."""
    s = sigmoid()
    turning, peak, tail = sigmoid_peak()
    rows = []
    for t in (0, 1, 2, 5, 10):
        rows.append((rf"\(\pm {t}\)" if t else r"\(0\)", common.fmt(s.derived(1).numpy(np.array(float(t))))))
    return (
        display(
            rf"\frac{{d}}{{dz}}\sigma'(z) = 0 \iff z \in {tex(sp.FiniteSet(*turning))}, \qquad "
            rf"\sigma'(0) = {tex(peak)}, \qquad \lim_{{z \to \pm\infty}} \sigma'(z) = {tex(tail)}, \qquad \sigma'(-z) = \sigma'(z)"
        )
        + mark(("✓ computed by sympy.solve and sympy.limit at build time", "measured"))
        + common.table([r"\(z\)", r"\(\sigma'(z)\)"], rows)
    )


# --- (b) the forward pass ---------------------------------------------------------------


def _general():
    nl, nm, N = sp.symbols("n_l n_{l-1} N", integer=True, positive=True)
    return {
        "W": sp.MatrixSymbol("W^{(l)}", nl, nm),
        "a_prev": sp.MatrixSymbol("a^{(l-1)}", nm, 1),
        "b": sp.MatrixSymbol("b^{(l)}", nl, 1),
        "z": sp.MatrixSymbol("z^{(l)}", nl, 1),
        "a": sp.MatrixSymbol("a^{(l)}", nl, 1),
        "delta": sp.MatrixSymbol(r"\delta^{(l)}", nl, 1),
        "N": N,
        "nl": nl,
        "nm": nm,
    }


def forward_general():
    g = _general()
    return display(
        rf"{tex(g['z'])} &= {tex(g['W'] * g['a_prev'] + g['b'])}, \qquad a^{{(0)}} = x",
        rf"{tex(g['a'])} &= \sigma\left({tex(g['z'])}\right) \quad \text{{(entry by entry)}}",
    ) + mark(("✓ property-tested: impl's forward pass against the spec's, 1e-13", "property"))


def shapes():
    """Each quantity's shape, for the 2-2-1 network and in general, read off the matrices themselves."""
    n = net()

    def dims(l):
        return sp.Symbol(f"n_{l}", integer=True, positive=True)

    def shape(m):
        rows, cols = m.shape
        return rf"\({tex(rows)} \times {tex(cols)}\)"

    N = _general()["N"]
    rows = [(r"\(x = a^{(0)}\)", shape(n.x[0]), shape(sp.MatrixSymbol("x", dims(0), 1)), "one sample: a column")]
    for l in range(1, n.D + 1):
        W = sp.MatrixSymbol(f"W{l}", dims(l), dims(l - 1))
        v = sp.MatrixSymbol(f"v{l}", dims(l), 1)
        rows.append((rf"\(W^{{({l})}}\)", shape(n.W[l]), shape(W), rf"row \(i\): the weights into unit \(i\) of layer {l}"))
        rows.append((rf"\(b^{{({l})}}\), \(z^{{({l})}}\), \(a^{{({l})}}\), \(\delta^{{({l})}}\)", shape(n.b[l]), shape(v), ""))
    batch = sp.MatrixSymbol("B", sp.Symbol("n_l"), N)
    rows.append((r"a batch: \(X = A^{(0)}\), \(Z^{(l)}\), \(A^{(l)}\), \(\Delta^{(l)}\)",
                 rf"\(n_l \times {BATCH}\)", shape(batch), "one column per sample"))
    return common.table(["quantity", "2-2-1 network", "general", "note"], rows)


def _forward():
    n = net()
    return n.forward(n.x[0], sigma, sigma)


def forward_layer(l: int, what: str):
    n = net()
    zs, as_ = _forward()
    s, _, labels = stand_ins()
    N = _names(labels)
    prev = "x" if l == 1 else f"a^{{({l - 1})}}"
    if what == "a":
        return display(rf"a^{{({l})}} = \sigma\left(z^{{({l})}}\right) = {tex(as_[l], N)}")
    if l == 1:
        return display(
            rf"z^{{({l})}} = W^{{({l})}} {prev} + b^{{({l})}} = {tex(n.W[l], N)} {tex(n.x[0], N)} + {tex(n.b[l], N)} = {tex(zs[l], N)}"
        )
    # written first with the previous layer's outputs as symbols, then in full
    previous = s[0][l - 1]
    return display(
        rf"z^{{({l})}} &= W^{{({l})}} {prev} + b^{{({l})}} = {tex(n.W[l], N)} {tex(previous, N)} + {tex(n.b[l], N)} "
        rf"= {tex(n.W[l] * previous + n.b[l], N)}",
        rf"&= {tex(zs[l], N)}",
    )


def forward_z1():
    return forward_layer(1, "z")


def forward_a1():
    return forward_layer(1, "a")


def forward_z2():
    return forward_layer(2, "z")


def forward_a2():
    return forward_layer(2, "a") + mark(
        ("built by spec.network.SymbolicNetwork.forward", "symbolic"),
        ("✓ property-tested: impl's forward pass against the spec's", "property"),
    )


# --- (c) the loss ---------------------------------------------------------------------


def loss():
    A2 = {a: "a^{(2)}"}
    n_ = sp.Symbol("n")
    N = _general()["N"]
    per = mse.expr.subs({a: _sym("a_n"), y: _sym("y_n")})
    total = sp.Sum(per, (n_, 1, N))
    return display(
        rf"L &= {tex(mse.expr, _names(A2))}",
        rf"L_{{\text{{batch}}}} &= {tex(total, {_sym('a_n'): 'a^{(2)}_n', _sym('y_n'): 'y_n'})}",
    ) + mark(("the spec's loss, spec.losses.mse", "symbolic"), ("✓ property-tested: impl's loss value, 1e-12", "property"))


# --- (d) the output error -------------------------------------------------------------


def _z2():
    return _sym("z2")


def dL_da():
    return display(rf"\frac{{\partial L}}{{\partial a^{{(2)}}}} = {tex(mse.d_da, _names({a: 'a^{(2)}'}))}") + mark(
        ("✓ derived by sympy.diff", "symbolic")
    )


def delta_out():
    Z2 = _z2()
    direct = sp.diff(mse.expr.subs(a, sigma(Z2)), Z2)
    written = direct.subs(sigma(Z2), a)
    labels = _names({Z2: "z^{(2)}", a: "a^{(2)}"})
    od = mse.output_delta("sigmoid")
    return display(
        rf"\delta^{{(2)}} = \frac{{\partial L}}{{\partial z^{{(2)}}}} = \frac{{\partial}}{{\partial z^{{(2)}}}} "
        rf"{tex(mse.expr.subs(a, sigma(Z2)), labels)} = {tex(direct, labels)} = {tex(written, labels)}"
    ) + proof_mark(od.proofs[:1], what="the output error's chain rule")


def delta_out_form():
    od = mse.output_delta("sigmoid")
    labels = _names({a: "a^{(2)}"})
    return display(
        rf"\delta^{{(2)}} = {tex(od.in_a, labels)} \qquad \text{{with }} \sigma'(z^{{(2)}}) = {tex(sigmoid().output_form, labels)}"
    ) + proof_mark(od.proofs, what="the output error written through the output")


# --- (e) the hidden error -------------------------------------------------------------


def delta_hidden_general():
    g = _general()
    W2 = sp.MatrixSymbol("W^{(2)}", 1, 2)
    d2 = sp.MatrixSymbol(r"\delta^{(2)}", 1, 1)
    sp1 = sp.MatrixSymbol(r"\sigma'\left(z^{(1)}\right)", 2, 1)
    Wl1 = sp.MatrixSymbol("W^{(l+1)}", _sym("n_{l+1}"), g["nl"])
    dl1 = sp.MatrixSymbol(r"\delta^{(l+1)}", _sym("n_{l+1}"), 1)
    spl = sp.MatrixSymbol(r"\sigma'\left(z^{(l)}\right)", g["nl"], 1)
    return display(
        rf"\delta^{{(1)}} &= {tex(sp.HadamardProduct(W2.T * d2, sp1))}",
        rf"{tex(g['delta'])} &= {tex(sp.HadamardProduct(Wl1.T * dl1, spl))} \quad (\odot\text{{: entry by entry}})",
    ) + _backprop_mark()


def _deltas():
    """The recurrence's error terms for one sample, from `spec.network.backprop_deltas`."""
    s, ds, labels = stand_ins()
    return backprop_deltas(net(), mse, sp.Integer(1), s, ds)[0], labels


def delta_hidden_entries():
    n = net()
    s, ds, labels = stand_ins()
    d2 = _sym("delta2")
    lab = _names(labels, {d2: r"\delta^{(2)}"})
    propagated = sp.matrix_multiply_elementwise(n.W[2].T * sp.Matrix([[d2]]), ds[0][1])
    delta, _ = _deltas()
    return display(
        rf"\delta^{{(2)}} &= {tex(delta[2][0], lab)}",
        rf"\delta^{{(1)}} &= {tex(n.W[2].T, lab)} \delta^{{(2)}} \odot {tex(ds[0][1], lab)} = {tex(propagated, lab)}",
        rf"&= {tex(delta[1], lab)}",
    ) + mark(("computed by spec.network.backprop_deltas", "symbolic"))


@functools.lru_cache(maxsize=None)
def hidden_direct():
    """Differentiate L directly with respect to z^{(1)}_i and compare with the recurrence, entry by entry."""
    n = net()
    z1 = sp.Matrix(2, 1, lambda i, j: _sym(f"z1_{i}"))
    a1 = z1.applyfunc(sigma)
    z2 = (n.W[2] * a1 + n.b[2])[0]
    L = mse.expr.subs({a: sigma(z2), y: n.y[0][0]})
    s = [[None, a1, sp.Matrix([sigma(z2)])]]
    ds = [[None, z1.applyfunc(sigma_prime), sp.Matrix([sigma_prime(z2)])]]
    recurrence = backprop_deltas(n, mse, sp.Integer(1), s, ds)[0][1]
    results = []
    for i in range(2):
        direct = sp.diff(L, z1[i])
        method = reduce_to_zero(direct - recurrence[i])
        proof = Proof(f"dL/dz(1)[{i + 1}] = ((W(2))^T delta(2))[{i + 1}] sigma'(z(1)[{i + 1}])", method is not None, method or "did not reduce to 0")
        results.append((direct, proof))
    labels = {z1[i]: f"z^{{(1)}}_{{{i + 1}}}" for i in range(2)}
    return results, labels, z2


def delta_hidden_direct():
    results, labels, z2 = hidden_direct()
    Z2 = _z2()
    lab = _names(labels, {Z2: "z^{(2)}"})
    lines = [
        rf"\frac{{\partial L}}{{\partial z^{{(1)}}_{{{i + 1}}}}} &= {tex(d.xreplace({z2: Z2}), lab)}"
        for i, (d, _) in enumerate(results)
    ]
    lines.append(rf"\text{{with }} z^{{(2)}} &= {tex(z2, lab)}")
    return display(*lines, gap="0.4em") + _group_mark(
        [p for _, p in results], "delta(1) against the direct derivative", "j = 1, 2 against the recurrence"
    )


# --- (f) gradients and updates ------------------------------------------------------


def gradients_one_sample():
    n = net()
    s, ds, labels = stand_ins()
    d2, d1 = _sym("delta2"), sp.Matrix(2, 1, lambda i, j: _sym(f"delta1_{i}"))
    lab = _names(labels, {d2: r"\delta^{(2)}"}, {d1[i]: f"\\delta^{{(1)}}_{{{i + 1}}}" for i in range(2)})
    D2 = sp.Matrix([[d2]])
    return display(
        rf"\frac{{\partial L}}{{\partial W^{{(2)}}}} &= \delta^{{(2)}} \left(a^{{(1)}}\right)^T = {tex(D2, lab)} {tex(s[0][1].T, lab)} = {tex(D2 * s[0][1].T, lab)}, "
        rf"\qquad \frac{{\partial L}}{{\partial b^{{(2)}}}} = \delta^{{(2)}}",
        rf"\frac{{\partial L}}{{\partial W^{{(1)}}}} &= \delta^{{(1)}} x^T = {tex(d1, lab)} {tex(n.x[0].T, lab)} = {tex(d1 * n.x[0].T, lab)}, "
        rf"\qquad \frac{{\partial L}}{{\partial b^{{(1)}}}} = \delta^{{(1)}}",
    ) + _backprop_mark()


def batch_sum():
    """Why delta A^T and np.sum(delta, axis=1) add the samples' gradients."""
    D = sp.Matrix(1, BATCH, lambda i, k: _sym(f"d_{k}"))
    A = sp.Matrix(2, BATCH, lambda j, k: _sym(f"a_{j}_{k}"))
    ones = sp.ones(BATCH, 1)
    lab = {D[0, k]: f"\\delta^{{(2)}}_{{{k + 1}}}" for k in range(BATCH)}
    lab |= {A[j, k]: f"a^{{(1)}}_{{{j + 1},{k + 1}}}" for j in range(2) for k in range(BATCH)}
    return display(
        rf"\Delta^{{(2)}} \left(A^{{(1)}}\right)^T &= {tex(D, lab)} {tex(A.T, lab)}",
        rf"&= {tex(D * A.T, lab)}",
        rf"\Delta^{{(2)}} \mathbf{{1}} &= {tex(D * ones, lab)}",
    ) + mark(
        (f"✓ proven symbolically: the gradient of the loss summed over a batch of {backprop_proof().samples}", "symbolic"),
        ("✓ property-tested: the tutorial's loop takes the spec's steps", "property"),
    )


def parameter_claim(layer: int, kind: str, index) -> str:
    """The claim for one parameter as LaTeX, indices from 1 (sample n is a column, as in a batch)."""
    if kind == "W":
        i, j = index
        source = f"x_{{{j + 1},n}}" if layer == 1 else f"a^{{({layer - 1})}}_{{{j + 1},n}}"
        return (rf"\partial L / \partial W^{{({layer})}}_{{{i + 1}{j + 1}}} = "
                rf"\sum_n \delta^{{({layer})}}_{{{i + 1},n}}\, {source}")
    (i,) = index
    return rf"\partial L / \partial b^{{({layer})}}_{{{i + 1}}} = \sum_n \delta^{{({layer})}}_{{{i + 1},n}}"


def parameter_proofs():
    """One row per weight and bias: the spec's claim (as math, from 1) and its proof."""
    result = backprop_proof()
    parameters = list(SymbolicNetwork.build(SIZES).parameters())
    if len(parameters) != len(result.parameters):
        raise common.BuildFailure("prove_backprop no longer proves one claim per parameter")
    rows = []
    for (name, _, layer, kind, index), p in zip(parameters, result.parameters):
        if not p.claim.startswith(f"dL/d{name} ="):
            raise common.BuildFailure(f"the proof {p.claim!r} is not about {name}: the table would mislabel it")
        rows.append((rf"\({parameter_claim(layer, kind, index)}\)", f"`{p.claim}`",
                     f"✓ proven ({p.method})" if p.ok else "✗ NOT PROVEN"))
    return common.table(["claim", "as spec.network writes it", "result"], rows)


def updates():
    g = _general()
    eta, N = sp.Symbol("eta"), g["N"]
    n_ = sp.Symbol("n")
    Wl, bl = g["W"], g["b"]
    D = sp.MatrixSymbol(r"\Delta^{(l)}", g["nl"], N)
    A = sp.MatrixSymbol(r"A^{(l-1)}", g["nm"], N)
    term_w, term_b = _sym("term_w"), _sym("term_b")
    lab = {term_w: r"\delta^{(l)}_n \left(a^{(l-1)}_n\right)^T", term_b: r"\delta^{(l)}_n"}
    sum_w = tex(eta * sp.Sum(term_w, (n_, 1, N)), lab)
    sum_b = tex(eta * sp.Sum(term_b, (n_, 1, N)), lab)
    return display(
        rf"{tex(Wl)} &\leftarrow {tex(Wl)} - {tex(eta * D * A.T)} = {tex(Wl)} - {sum_w}",
        rf"{tex(bl)} &\leftarrow {tex(bl)} - {sum_b}",
    ) + _backprop_mark()


# --- (g) the chain rule ---------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def chain_w2():
    """dL/dW2[0, j] as the product of three factors, each by sympy.diff, checked against the direct derivative."""
    n = net()
    s, _, labels = stand_ins()
    Z2, A2 = _z2(), a
    z2 = (n.W[2] * s[0][1] + n.b[2])[0]
    rows = []
    for j in range(2):
        w = n.W[2][0, j]
        f1 = sp.diff(mse.expr, A2)  # dL/da
        f2 = sp.diff(sigma(Z2), Z2)  # da/dz
        f3 = sp.diff(z2, w)  # dz/dW
        direct = sp.diff(mse.expr.subs(a, sigma(z2)), w)
        product = (f1 * f2 * f3).subs(a, sigma(Z2)).subs(Z2, z2)
        method = reduce_to_zero(direct - product)
        rows.append((w, f1, f2, f3, Proof(f"dL/dW(2)[1,{j + 1}] = dL/da da/dz dz/dW", method is not None, method or "did not reduce")))
    return rows, _names(labels, {Z2: "z^{(2)}", a: "a^{(2)}"})



def _factor(expr, names):
    """One factor of a product as LaTeX, in parentheses when it is a sum: (a - y) \\cdot \\sigma'(z)."""
    text = tex(expr, names)
    return rf"\left({text}\right)" if expr.is_Add else text


def chain_rule():
    rows, lab = chain_w2()
    lines = []
    for w, f1, f2, f3, _ in rows:
        lines.append(
            rf"\frac{{\partial L}}{{\partial {tex(w, lab)}}} &= "
            rf"\underbrace{{{_factor(f1, lab)}}}_{{\partial L / \partial a^{{(2)}}}} \cdot "
            rf"\underbrace{{{_factor(f2, lab)}}}_{{\partial a^{{(2)}} / \partial z^{{(2)}}}} \cdot "
            rf"\underbrace{{{_factor(f3, lab)}}}_{{\partial z^{{(2)}} / \partial {tex(w, lab)}}}"
        )
    return display(*lines, gap="0.6em") + _group_mark(
        [r[-1] for r in rows], "the chain rule for W(2)", "both weights against the direct derivative"
    )


def every_delta_has_slope():
    """Which derivative symbols each error term contains, read off the recurrence's output."""
    delta, labels = _deltas()
    _, ds, _ = stand_ins()
    rows = []
    for l in (2, 1):
        for i in range(delta[l].rows):
            present = [labels[d] for l2 in (1, 2) for d in ds[0][l2] if delta[l][i].has(d)]
            name = f"\\delta^{{({l})}}" + ("" if delta[l].rows == 1 else f"_{{{i + 1}}}")
            rows.append((rf"\({name}\)", ", ".join(rf"\({p}\)" for p in present)))
    return common.table(["error term", "slopes it contains (from spec.network.backprop_deltas)"], rows)


# --- what we want, and the chain rule on all paths ---------------------------------------


def wanted():
    """Every derivative gradient descent needs, arranged like the parameters (one per weight and bias)."""
    n, lab = net(), names()

    def grads(m):
        return sp.Matrix(m.rows, m.cols, lambda i, j: _sym(rf"\frac{{\partial L}}{{\partial {tex(m[i, j], lab)}}}"))

    lines = []
    for l in range(1, n.D + 1):
        lines.append(
            rf"\frac{{\partial L}}{{\partial W^{{({l})}}}} &= {tex(grads(n.W[l]))}, \qquad "
            rf"\frac{{\partial L}}{{\partial b^{{({l})}}}} = {tex(grads(n.b[l]))}"
        )
    return display(*lines)


def _group_mark(proofs, what, over):
    """One check mark for several proofs of the same kind ("for j = 1, 2"); the build stops if one failed."""
    common.require(proofs, what)
    methods = ", ".join(sorted({p.method for p in proofs}))
    return mark((f"✓ proven symbolically for {over} ({methods})", "symbolic"))


def _wide():
    """A 2-2-2 network (the XOR network with a second output unit): two paths from each hidden unit to L."""
    return SymbolicNetwork.build((2, 2, 2))


@functools.lru_cache(maxsize=None)
def all_paths():
    """dL/dz(1)_j as the sum over the output units k of the three-factor products, each by sympy.diff.

    The loss is the spec's MSE summed over the outputs, the activation the undefined
    sigma; each path's product is checked against differentiating L directly.
    """
    n = _wide()
    z1 = sp.Matrix(2, 1, lambda i, _: _sym(f"z1_{i}"))
    a1 = sp.Matrix(2, 1, lambda i, _: _sym(f"a1_{i}"))
    z2 = sp.Matrix(2, 1, lambda i, _: _sym(f"z2_{i}"))
    # L as a function of z(2): sum over the outputs of the spec's loss of sigma(z(2)_k)
    L_of_z2 = sum(mse.expr.subs({a: sigma(z2[k]), y: n.y[0][k]}) for k in range(2))
    z2_of_a1 = n.W[2] * a1 + n.b[2]
    factors, proofs = {}, []
    for j in range(2):
        row = []
        for k in range(2):
            dL_dz2 = sp.diff(L_of_z2, z2[k])
            dz2_da1 = sp.diff(z2_of_a1[k], a1[j])
            da1_dz1 = sp.diff(sigma(z1[j]), z1[j])
            row.append((k, dL_dz2, dz2_da1, da1_dz1))
        factors[j] = row
        # the whole loss as a function of z(1), differentiated at once
        full = {a1[i]: sigma(z1[i]) for i in range(2)}
        z2_full = z2_of_a1.xreplace(full)
        direct = sp.diff(L_of_z2.xreplace({z2[k]: z2_full[k] for k in range(2)}), z1[j])
        summed = sum(f1 * f2 * f3 for _, f1, f2, f3 in row).xreplace({z2[k]: z2_full[k] for k in range(2)})
        method = reduce_to_zero(direct - summed)
        proofs.append(Proof(f"dL/dz(1)[{j + 1}] = sum over k of dL/dz(2)[k] dz(2)[k]/da(1)[{j + 1}] da(1)[{j + 1}]/dz(1)[{j + 1}]",
                            method is not None, method or "did not reduce to 0"))
    lab = {n.W[2][k, j]: f"W^{{(2)}}_{{{k + 1}{j + 1}}}" for k in range(2) for j in range(2)}
    lab |= {n.y[0][k]: f"y_{{{k + 1}}}" for k in range(2)}
    lab |= {z1[i]: f"z^{{(1)}}_{{{i + 1}}}" for i in range(2)} | {z2[k]: f"z^{{(2)}}_{{{k + 1}}}" for k in range(2)}
    lab |= {a1[i]: f"a^{{(1)}}_{{{i + 1}}}" for i in range(2)}
    return factors, proofs, lab


def chain_general():
    """The sum over k, in symbols: every path from z(1)_j to L goes through one output unit k."""
    return display(
        r"\frac{\partial L}{\partial z^{(1)}_j} = \sum_{k=1}^{n_2} "
        r"\underbrace{\frac{\partial L}{\partial z^{(2)}_k}}_{\text{from } z^{(2)}_k \text{ to } L} \cdot "
        r"\underbrace{\frac{\partial z^{(2)}_k}{\partial a^{(1)}_j}}_{= W^{(2)}_{kj}} \cdot "
        r"\underbrace{\frac{\partial a^{(1)}_j}{\partial z^{(1)}_j}}_{= \sigma'(z^{(1)}_j)}"
    )


def chain_all_paths():
    """The sum written out index by index for the 2-2-2 network, each factor by sympy.diff."""
    factors, proofs, lab = all_paths()
    lines = []
    for j, row in factors.items():
        terms = [
            rf"\frac{{\partial L}}{{\partial z^{{(2)}}_{{{k + 1}}}}} \cdot {tex(f2, lab)} \cdot {tex(f3, lab)}"
            for k, _, f2, f3 in row
        ]
        lines.append(rf"\frac{{\partial L}}{{\partial z^{{(1)}}_{{{j + 1}}}}} &= {terms[0]}")
        lines += [rf"&\quad + {t}" for t in terms[1:]]
    for k, f1, _, _ in factors[0]:
        lines.append(rf"\text{{with }} \frac{{\partial L}}{{\partial z^{{(2)}}_{{{k + 1}}}}} &= {tex(f1, lab)}")
    return display(*lines, gap="0.6em") + _group_mark(
        proofs, "the chain rule summed over every path", "j = 1, 2 against the direct derivative"
    )


def chain_to_weight():
    """The last link: from z(1)_j to the weight W(1)_jk, and to the bias."""
    n = net()
    z1 = n.W[1] * n.x[0] + n.b[1]
    lab = names()
    lines = []
    for j in range(2):
        for k in range(2):
            w = n.W[1][j, k]
            lines.append(
                rf"\frac{{\partial L}}{{\partial {tex(w, lab)}}} &= \frac{{\partial L}}{{\partial z^{{(1)}}_{{{j + 1}}}}} \cdot "
                rf"\frac{{\partial z^{{(1)}}_{{{j + 1}}}}}{{\partial {tex(w, lab)}}} = \frac{{\partial L}}{{\partial z^{{(1)}}_{{{j + 1}}}}} \cdot {tex(sp.diff(z1[j], w), lab)}"
            )
    lines.append(
        r"\frac{\partial L}{\partial b^{(1)}_{j}} &= \frac{\partial L}{\partial z^{(1)}_{j}} \cdot "
        + rf"{tex(sp.diff(z1[0], n.b[1][0]))}"
    )
    return display(*lines, gap="0.4em") + mark(("✓ each last factor derived by sympy.diff", "symbolic"))


# --- (h) the output form in code ------------------------------------------------------


def output_form_code():
    s = sigmoid()
    g = sp.lambdify(a, s.output_form, "numpy")
    t = 2.0
    out = float(s.numpy_f(np.array(t)))
    right, wrong, exact = float(g(out)), float(g(t)), float(s.derived(1).numpy(np.array(t)))
    if not (abs(right - exact) <= 1e-15 and abs(wrong - exact) > 1):
        raise common.BuildFailure("the x(1 - x) example no longer shows what the page says")
    z0 = sp.Float(t, 3)
    return (
        display(
            rf"g(a) &= {tex(s.output_form)}",
            rf"\sigma({tex(z0)}) &= {out:.6f}, \qquad g\left(\sigma({tex(z0)})\right) = {right:.6f} = \sigma'({tex(z0)}) = {exact:.6f}",
            rf"g({tex(z0)}) &= {wrong:.6f} \ne \sigma'({tex(z0)})",
        )
        + proof_mark(s.derived(1).proofs, what="the sigmoid's output form")
    )


BLOCKS = {
    # inline pieces for the prose
    "inline-g": lambda: rf"\(g(a) = {tex(sigmoid().output_form)}\)",
    "inline-slope": lambda: rf"\({tex(sigmoid().output_form)}\)",
    "inline-peak": lambda: rf"\({tex(sigmoid_peak()[1])}\)",
    "inline-dL-da": lambda: rf"\({tex(mse.d_da)}\)",
    # display blocks
    "sigmoid-f": sigmoid_f,
    "sigmoid-df": sigmoid_df,
    "sigmoid-output-form": sigmoid_output_form,
    "sigmoid-slope": sigmoid_slope,
    "forward-general": forward_general,
    "shapes": shapes,
    "forward-z1": forward_z1,
    "forward-a1": forward_a1,
    "forward-z2": forward_z2,
    "forward-a2": forward_a2,
    "loss": loss,
    "dL-da": dL_da,
    "delta-out": delta_out,
    "delta-out-form": delta_out_form,
    "delta-hidden-general": delta_hidden_general,
    "delta-hidden-entries": delta_hidden_entries,
    "delta-hidden-direct": delta_hidden_direct,
    "gradients": gradients_one_sample,
    "batch-sum": batch_sum,
    "parameter-proofs": parameter_proofs,
    "updates": updates,
    "chain-rule": chain_rule,
    "wanted": wanted,
    "chain-general": chain_general,
    "chain-all-paths": chain_all_paths,
    "chain-to-weight": chain_to_weight,
    "every-delta-has-slope": every_delta_has_slope,
    "output-form-code": output_form_code,
}
