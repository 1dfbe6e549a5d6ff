"""Notation page: the three layouts (the math, ``impl``, the tutorial's class), read off real objects.

The shapes in the table are those of an actual ``impl.Network((2, 2, 1))``
and of the tutorial's arrays built from the same weights; before the table
is printed, the three ways of writing the forward pass and the gradients
are run on the four XOR samples and must give the same numbers.
"""

from __future__ import annotations

import functools

import numpy as np

from . import common

SIZES = (2, 2, 1)
#: Agreement required between the three layouts (the same float64 operations, reordered).
RTOL = 1e-13


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@functools.lru_cache(maxsize=None)
def layouts():
    """Arrays of each layout for the XOR batch, after checking that they compute the same thing."""
    from impl import Network
    from spec.cli.tasks import xor

    net = Network(SIZES, seed=0)
    X, Y = xor().X_train, xor().Y_train  # impl: one sample per row
    out = net.forward(X)
    dW, db = net.gradients(X, Y)

    # The tutorial's class: one sample per column, biases as columns, sigmoid_derivative(a) = a (1 - a).
    W1, W2 = net.weights
    b1, b2 = (b.reshape(-1, 1) for b in net.biases)
    Xt, yt = X.T, Y.T
    a1 = _sigmoid(W1 @ Xt + b1)
    a2 = _sigmoid(W2 @ a1 + b2)
    delta2 = (a2 - yt) * a2 * (1 - a2)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    tutorial = {"dW": [delta1 @ Xt.T, delta2 @ a1.T], "db": [delta1.sum(axis=1, keepdims=True), delta2.sum(axis=1, keepdims=True)]}

    checks = [("the output", out, a2.T)]
    for l in range(2):
        checks.append((f"dL/dW({l + 1})", dW[l], tutorial["dW"][l]))
        checks.append((f"dL/db({l + 1})", db[l], tutorial["db"][l].ravel()))
    for what, got, want in checks:
        if got.shape != want.shape or not np.allclose(got, want, rtol=RTOL, atol=1e-15):
            raise common.BuildFailure(f"Notation: {what} of impl.Network and of the tutorial's layout disagree")
    return {
        "X": (X.shape, Xt.shape), "W": [w.shape for w in net.weights], "b": [(b.shape, c.shape) for b, c in zip(net.biases, (b1, b2))],
        "out": (out.shape, a2.shape), "dW": [d.shape for d in dW], "db": [(d.shape, t.shape) for d, t in zip(db, tutorial["db"])],
        "samples": X.shape[0],
    }


def _shape(shape) -> str:
    return "`(" + ", ".join(str(n) for n in shape) + (",)`" if len(shape) == 1 else ")`")


def table():
    s = layouts()
    N = s["samples"]
    W, b, dW, db = s["W"], s["b"], s["dW"], s["db"]
    rows = [
        (rf"inputs \(X = A^{{(0)}}\), \(2 \times {N}\)", f"`X` {_shape(s['X'][0])}", f"`X` {_shape(s['X'][1])}"),
        (r"weights \(W^{(1)}\), \(W^{(2)}\)", f"`weights[0]` {_shape(W[0])}, `weights[1]` {_shape(W[1])}",
         f"`W1` {_shape(W[0])}, `W2` {_shape(W[1])}"),
        (r"biases \(b^{(1)}\), \(b^{(2)}\), columns", f"`biases[0]` {_shape(b[0][0])}, `biases[1]` {_shape(b[1][0])}",
         f"`b1` {_shape(b[0][1])}, `b2` {_shape(b[1][1])}"),
        (r"a layer: \(Z^{(l)} = W^{(l)} A^{(l-1)} + b^{(l)} \mathbf{1}^T\)", "`z = a @ W.T + b`", "`z1 = np.dot(W1, X) + b1`"),
        (rf"the output \(A^{{(2)}}\), \(1 \times {N}\)", f"`forward(X)` {_shape(s['out'][0])}", f"`a2` {_shape(s['out'][1])}"),
        (r"\(\partial L/\partial W^{(2)} = \Delta^{(2)} \left(A^{(1)}\right)^T\)",
         f"`delta.T @ a`, `dW[1]` {_shape(dW[1])}", f"`np.dot(delta2, a1.T)` {_shape(dW[1])}"),
        (r"\(\partial L/\partial b^{(2)} = \Delta^{(2)} \mathbf{1}\), a sum over the samples",
         f"`delta.sum(axis=0)`, `db[1]` {_shape(db[1][0])}", f"`np.sum(delta2, axis=1, keepdims=True)` {_shape(db[1][1])}"),
        (r"one weight \(W^{(l)}_{jk}\), from 1", "`weights[l-1][j-1, k-1]`, from 0", "`W2[j-1, k-1]` for \\(l = 2\\)"),
        (r"the learning rate \(\eta\)", "`lr`", "`learning_rate`"),
    ]
    impl_rows = [(math, code) for math, code, _ in rows]
    tutorial_rows = [(math, code) for math, _, code in rows]
    return (
        common.table(["the math: a sample is a column", "`impl.Network`: a sample is a row"], impl_rows)
        + "The tutorial's class keeps the math's columns:\n"
        + common.table(["the math: a sample is a column", "the tutorial's class: a sample is a column"], tutorial_rows)
        + common.mark(
            (f"✓ computed at build time: on the {N} XOR samples, impl.Network((2, 2, 1), seed=0) and the tutorial's "
             f"column layout built from its weights give the same output and gradients (to {RTOL:g})", "measured"),
        )
    )


BLOCKS = {"layouts": table}
