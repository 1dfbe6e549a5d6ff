"""The worked example: one XOR sample through the 2-2-1 network, every number computed while the site is built.

Every value on the page comes from ``impl`` (public API only): the output
and the loss from ``impl.Network``, the hidden layer's ``z`` and ``a`` from
the same weights in a one-layer ``impl.Network`` (identity output for
``z``), the error terms from the bias gradients (for one sample,
\\(\\partial L / \\partial b^{(l)} = \\delta^{(l)}\\)), the gradients from
``Network.gradients`` and the updated parameters from ``Network.step``.
They are then checked against the spec's oracle (``spec.oracle.Oracle``),
finite differences (``impl.gradcheck``, central and complex step) and the
page's own arithmetic: every "computed as" line, evaluated on the 6-digit
numbers printed in it, gives the printed result, so a reader with a
calculator gets the page's numbers. Anything off stops the build.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from . import common

SIZES = (2, 2, 1)
SEED = 0
#: XOR's fourth case: both inputs on, target 0 (every weight then has a gradient of its own).
SAMPLE = ((1.0, 1.0), (0.0,))
#: The tutorial's learning rate.
LR = 0.1
DIGITS = 6
#: impl against the spec's oracle and the complex step: the same arithmetic, reordered.
RTOL_EXACT = 1e-12
#: Central differences are accurate to about eps^(2/3).
RTOL_CENTRAL = 1e-7


def num(x: float) -> str:
    """A value as printed on the page: 6 decimals, no negative zero."""
    text = f"{x:.{DIGITS}f}"
    return "0." + "0" * DIGITS if text == "-0." + "0" * DIGITS else text


def arg(x: float) -> str:
    """A value inside an expression: negative ones in parentheses."""
    return f"({num(x)})" if x < 0 else num(x)


def rounded(x: float) -> float:
    return float(num(x))


def _sub_network(weights, biases, output):
    from impl import Network

    net = Network(tuple([SIZES[0]] + [w.shape[0] for w in weights]), "sigmoid", output, "mse", "sum", seed=SEED)
    net.weights = [w.copy() for w in weights]
    net.biases = [b.copy() for b in biases]
    return net


@functools.lru_cache(maxsize=None)
def example():
    """Every number of the page, from impl, after every check."""
    from impl import Network, gradcheck
    from spec.oracle import Oracle

    net = Network(SIZES, seed=SEED)
    X, Y = np.array([SAMPLE[0]]), np.array([SAMPLE[1]])
    W, b = [w.copy() for w in net.weights], [v.copy() for v in net.biases]

    z1 = _sub_network(W[:1], b[:1], "identity").forward(X)[0]
    a1 = _sub_network(W[:1], b[:1], "sigmoid").forward(X)[0]
    z2 = _sub_network(W, b, "identity").forward(X)[0]
    a2 = net.forward(X)[0]
    loss = net.loss_value(X, Y)
    dW, db = net.gradients(X, Y)
    after = Network(SIZES, seed=SEED)
    after.step(X, Y, LR)
    loss_after = after.loss_value(X, Y)

    # the spec: the same layers and gradients from the lambdified spec
    spec_checks = {
        "z(1)": (z1, Oracle((2, 2), "sigmoid", "identity").forward(W[:1], b[:1], X)[0]),
        "a(1)": (a1, Oracle((2, 2)).forward(W[:1], b[:1], X)[0]),
        "z(2)": (z2, Oracle(SIZES, "sigmoid", "identity").forward(W, b, X)[0]),
        "a(2)": (a2, Oracle(SIZES).forward(W, b, X)[0]),
        "L": (np.array(loss), np.array(Oracle(SIZES).loss_value(W, b, X, Y))),
    }
    sdW, sdb = Oracle(SIZES).gradients(W, b, X, Y)
    for l in range(2):
        spec_checks[f"dL/dW({l + 1})"] = (dW[l], sdW[l])
        spec_checks[f"dL/db({l + 1})"] = (db[l], sdb[l])
    spec_error = max(_rel(got, want) for got, want in spec_checks.values())
    if spec_error > RTOL_EXACT:
        raise common.BuildFailure(f"worked example: impl and the spec's oracle differ by {spec_error:.3g}")

    fd = {method: gradcheck.check(net, X, Y, method=method) for method in ("central", "complex")}
    for method, report in fd.items():
        if not report.ok:
            raise common.BuildFailure(f"worked example: gradcheck {method} failed:\n{report}")
    if fd["central"].max_rel_error > RTOL_CENTRAL or fd["complex"].max_rel_error > RTOL_EXACT:
        raise common.BuildFailure("worked example: finite differences agree less well than the page says")

    # the step: theta - eta * gradient, as Network.step does it
    expected = [w - LR * g for w, g in zip(W, dW)] + [v - LR * g for v, g in zip(b, db)]
    step_error = max(_rel(got, want) for got, want in zip(after.weights + after.biases, expected))
    if step_error > RTOL_EXACT:
        raise common.BuildFailure(f"worked example: Network.step is not theta - eta * gradient ({step_error:.3g})")
    if not loss_after < loss:
        raise common.BuildFailure("worked example: the step did not lower the loss on its sample")

    return {
        "X": X[0], "y": Y[0, 0], "W": W, "b": b, "z1": z1, "a1": a1, "z2": z2[0], "a2": a2[0], "loss": loss,
        "delta1": db[0], "delta2": db[1][0], "dW": dW, "db": db, "after": after, "loss_after": loss_after,
        "spec_error": spec_error, "fd": fd, "step_error": step_error,
    }


def _rel(got, want) -> float:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape:
        return math.inf
    scale = np.maximum(np.maximum(np.abs(got), np.abs(want)), 1e-300)
    return float(np.max(np.abs(got - want) / scale))


def _row(symbol, expression, value, check):
    """A table row; ``check`` is the expression evaluated on the printed 6-digit numbers."""
    if abs(check - value) > 2.5 * 10.0 ** -DIGITS:
        raise common.BuildFailure(
            f"worked example: {symbol} computed with a calculator from the printed numbers gives {check:.9f}, "
            f"the page prints {num(value)}"
        )
    return (rf"\({symbol} =\) **{num(value)}**", rf"\({expression}\)")


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def parameters():
    e = example()
    W, b = e["W"], e["b"]

    def matrix(m):
        body = r" \\ ".join(" & ".join(num(v) for v in np.atleast_1d(row)) for row in np.atleast_2d(m.reshape(m.shape[0], -1)))
        return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"

    lines = []
    for l in range(2):
        lines += [rf"W^{{({l + 1})}} &= {matrix(W[l])}", rf"b^{{({l + 1})}} &= {matrix(b[l].reshape(-1, 1))}"]
    x, y = e["X"], e["y"]
    return (
        common.display(*lines, gap="0.4em")
        + common.mark(("impl.Network((2, 2, 1), seed=0).weights and .biases", "measured"))
        + f"\nThe sample: \\(x_1 = {x[0]:g}\\), \\(x_2 = {x[1]:g}\\), target \\(y = {y:g}\\); "
        f"learning rate \\(\\eta = {LR:g}\\).\n"
    )


def forward():
    e = example()
    W, b, x = e["W"], e["b"], e["X"]
    rows = []
    r = {k: [rounded(v) for v in np.ravel(e[k])] for k in ("z1", "a1")}
    for j in range(2):
        w1, w2, bj = (rounded(v) for v in (W[0][j, 0], W[0][j, 1], b[0][j]))
        rows.append(_row(
            f"z^{{(1)}}_{j + 1}",
            rf"{arg(W[0][j, 0])} \cdot {x[0]:g} + {arg(W[0][j, 1])} \cdot {x[1]:g} + {arg(b[0][j])}",
            e["z1"][j], w1 * x[0] + w2 * x[1] + bj,
        ))
    for j in range(2):
        rows.append(_row(
            f"a^{{(1)}}_{j + 1}", rf"1 / \left(1 + e^{{{-r['z1'][j]:.{DIGITS}f}}}\right)", e["a1"][j], _sigmoid(r["z1"][j]),
        ))
    v1, v2, b2 = (rounded(v) for v in (W[1][0, 0], W[1][0, 1], b[1][0]))
    rows.append(_row(
        "z^{(2)}", rf"{arg(W[1][0, 0])} \cdot {num(e['a1'][0])} + {arg(W[1][0, 1])} \cdot {num(e['a1'][1])} + {arg(b[1][0])}",
        e["z2"], v1 * r["a1"][0] + v2 * r["a1"][1] + b2,
    ))
    z2 = rounded(e["z2"])
    rows.append(_row("a^{(2)}", rf"1 / \left(1 + e^{{{-z2:.{DIGITS}f}}}\right)", e["a2"], _sigmoid(z2)))
    a2, y = rounded(e["a2"]), e["y"]
    rows.append(_row("L", rf"\tfrac12 \left({num(e['a2'])} - {y:g}\right)^2", e["loss"], 0.5 * (a2 - y) ** 2))
    return common.table(["value", "computed as"], rows) + _impl_mark("forward")


def backward():
    e = example()
    W = e["W"]
    a2, y, d2 = rounded(e["a2"]), e["y"], rounded(e["delta2"])
    rows = [_row(
        r"\delta^{(2)}", rf"\left({num(e['a2'])} - {y:g}\right) \cdot {num(e['a2'])} \cdot \left(1 - {num(e['a2'])}\right)",
        e["delta2"], (a2 - y) * a2 * (1 - a2),
    )]
    for j in range(2):
        a1 = rounded(e["a1"][j])
        rows.append(_row(
            rf"\delta^{{(1)}}_{j + 1}",
            rf"{arg(W[1][0, j])} \cdot {arg(e['delta2'])} \cdot {num(e['a1'][j])} \cdot \left(1 - {num(e['a1'][j])}\right)",
            e["delta1"][j], rounded(W[1][0, j]) * d2 * a1 * (1 - a1),
        ))
    return common.table(["value", "computed as"], rows) + _impl_mark("backward")


def _gradient_rows():
    """(symbol, computed as, value, check, parameter value before, after) for every parameter, layer 2 first."""
    e = example()
    x, after = e["X"], e["after"]
    d2, d1 = e["delta2"], e["delta1"]
    out = []
    for j in range(2):
        out.append((f"W^{{(2)}}_{{1{j + 1}}}", rf"{arg(d2)} \cdot {num(e['a1'][j])}", e["dW"][1][0, j],
                    rounded(d2) * rounded(e["a1"][j]), e["W"][1][0, j], after.weights[1][0, j]))
    out.append(("b^{(2)}_1", rf"\delta^{{(2)}} = {num(d2)}", e["db"][1][0], rounded(d2), e["b"][1][0], after.biases[1][0]))
    for j in range(2):
        for k in range(2):
            out.append((f"W^{{(1)}}_{{{j + 1}{k + 1}}}", rf"{arg(d1[j])} \cdot {x[k]:g}", e["dW"][0][j, k],
                        rounded(d1[j]) * x[k], e["W"][0][j, k], after.weights[0][j, k]))
        out.append((f"b^{{(1)}}_{j + 1}", rf"\delta^{{(1)}}_{j + 1} = {num(d1[j])}", e["db"][0][j], rounded(d1[j]),
                    e["b"][0][j], after.biases[0][j]))
    return out


def gradients():
    rows = [_row(rf"\partial L / \partial {symbol}", how, value, check) for symbol, how, value, check, *_ in _gradient_rows()]
    return common.table(["gradient", "computed as"], rows) + _impl_mark("gradients")


def update():
    rows = []
    for symbol, _, grad, _, before, new in _gradient_rows():
        rows.append(_row(symbol, rf"{num(before)} - {LR:g} \cdot {arg(grad)}", new, rounded(before) - LR * rounded(grad)))
    e = example()
    return (
        common.table(["updated parameter", "before − η · gradient"], rows)
        + _impl_mark("update")
        + f"\nOn this sample the loss goes from **{num(e['loss'])}** to **{num(e['loss_after'])}** "
        f"(`Network.loss_value` after `Network.step(X, Y, lr={LR:g})`).\n"
    )


def _impl_mark(what):
    sources = {
        "forward": "computed by impl.Network (the hidden layer by a one-layer impl.Network with the same weights)",
        "backward": "computed by impl.Network.gradients (for one sample, δ is the bias gradient)",
        "gradients": "computed by impl.Network.gradients",
        "update": "computed by impl.Network.step",
    }
    return common.mark((sources[what], "measured")).replace("</small>", " &middot; checked in the last section</small>")


def checks():
    e = example()
    fd = e["fd"]
    rows = [
        ("the spec's oracle (`spec.oracle.Oracle`: the spec's formulas, lambdified): every z, a, the loss and "
         "the 9 gradients", common.fmt(e["spec_error"], 2), f"{RTOL_EXACT:g}"),
        ("central differences (`impl.gradcheck.check`, method `central`): the 9 gradients",
         common.fmt(fd["central"].max_rel_error, 2), f"{RTOL_CENTRAL:g}"),
        ("the complex step (`impl.gradcheck.check`, method `complex`): the 9 gradients",
         common.fmt(fd["complex"].max_rel_error, 2), f"{RTOL_EXACT:g}"),
        ("θ − η · gradient from the gradients above: the 9 parameters `Network.step` left",
         common.fmt(e["step_error"], 2), f"{RTOL_EXACT:g}"),
        ("a calculator on the printed 6-digit numbers: every value on this page",
         "the last digit", f"{2.5 * 10.0 ** -DIGITS:g} (absolute)"),
    ]
    return common.table(["checked against", "largest relative difference", "allowed"], rows) + common.mark(
        ("✓ measured while this page was built; a difference above the allowed one stops the build", "measured")
    )


BLOCKS = {
    "parameters": parameters,
    "forward": forward,
    "backward": backward,
    "gradients": gradients,
    "update": update,
    "checks": checks,
}
