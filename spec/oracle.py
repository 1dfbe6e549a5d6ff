r"""Numeric oracles lambdified from the spec, to check implementations against.

Two oracles, for two jobs:

* `Oracle` evaluates the spec's proven formulas for any layer sizes:
  \(f\), \(f'\) and the output error \(\delta^{(D)} = \partial\ell(f(z), y)/\partial z\)
  are SymPy expressions lambdified for NumPy, and the recurrence
  \(\delta^{(l)} = (W^{(l+1)})^T\delta^{(l+1)} \odot f'(z^{(l)})\) (proven
  by `spec.network.prove_backprop`) is evaluated with them by
  `spec.numeric`, the one NumPy recurrence of the spec side (``verify``
  uses it too). It is written in the column-vector layout of the math,
  independently of ``impl``. A
  vector activation (softmax) is applied to each sample's whole column of
  \(z\); at the output \(\delta^{(D)}\) is its lambdified
  `spec.losses.VectorOutputDelta` (the direct derivative for the output
  layer's width), in a hidden layer the recurrence multiplies by the
  lambdified Jacobian's transpose,
  \(\delta^{(l)} = J(z^{(l)})^T (W^{(l+1)})^T\delta^{(l+1)}\).
* `DirectOracle` differentiates the whole network's loss symbolically
  with ``sympy.diff`` (no backprop involved) and lambdifies every partial
  derivative. It is exact but its set-up grows quickly with size: use it on
  small networks.

Both take parameters as in ``impl.Network``: ``weights[l-1]`` is
\(W^{(l)}\) with shape ``(n_l, n_{l-1})``, ``biases[l-1]`` has shape
``(n_l,)``, data ``X`` has shape ``(samples, features)`` and targets ``Y``
``(samples, n_out)`` (for cross-entropy, rows of probabilities: one-hot or soft).

The lambdified formulas are the plain textbook expressions, accurate for
moderate pre-activations (say \(|z| < 30\)); they are oracles, not
production code.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from spec import activations, losses, numeric
from spec.network import SymbolicNetwork, check_config


class Oracle:
    """The spec's forward pass, loss and backprop gradients for given sizes."""

    def __init__(self, sizes, activation="sigmoid", output_activation="sigmoid", loss="mse", reduction="sum"):
        self.sizes, self.hidden, self.output, self.loss = check_config(
            sizes, activation, output_activation, loss, reduction
        )
        # delta(D): per unit for an elementwise output, for the whole output layer's width for a vector one
        self.delta_out = self.loss.output_delta(self.output.name, None if self.output.elementwise else self.sizes[-1])
        self.reduction = reduction
        self._loss_fn = sp.lambdify(
            (activations.a, losses.y), self.loss.expr, modules=["scipy", "numpy"], cse=True
        )

    def _layers(self, weights, biases, X):
        """``(W, b, f, z, a)`` lists in column layout, indexed from 1: ``a[l]`` has shape ``(n_l, samples)``."""
        D = len(self.sizes) - 1
        W = [None, *map(np.asarray, weights)]
        b = [None, *(np.asarray(v).reshape(-1) for v in biases)]
        # f[l]: the hidden activation for l < D, the output's for l = D
        f = [None] + [self.hidden] * (D - 1) + [self.output]
        z, a = numeric.forward(W, b, f, np.asarray(X, dtype=float).T)
        return W, b, f, z, a

    def forward(self, weights, biases, X):
        """Network output, shape ``(samples, n_out)``."""
        return self._layers(weights, biases, X)[4][-1].T

    def loss_value(self, weights, biases, X, Y):
        """The loss with the reduction applied."""
        a_out = self.forward(weights, biases, X)
        Y = np.asarray(Y, dtype=float).reshape(a_out.shape)
        total = float(np.sum(self._loss_fn(a_out, Y)))
        return total / a_out.shape[0] if self.reduction == "mean" else total

    def gradients(self, weights, biases, X, Y):
        """``(dW, db)`` lists shaped like ``weights`` and ``biases``, by `spec.numeric`'s recurrence."""
        W, b, f, z, a = self._layers(weights, biases, X)
        D = len(W) - 1
        N = a[0].shape[1]
        Y = np.asarray(Y, dtype=float).reshape(N, -1).T
        # delta[D] = d l(f(z), y) / dz at z[D], times 1/N for the mean
        delta_D = self.delta_out.numpy(z[D], Y) * (1.0 / N if self.reduction == "mean" else 1.0)
        _, dW, db = numeric.backward(W, b, f, z, a, delta_D)
        return dW[1:], db[1:]


class DirectOracle:
    """Every partial derivative of the loss by ``sympy.diff`` of the whole network, lambdified.

    The loss of one sample is built symbolically with the named activations
    substituted, differentiated with respect to each weight and bias, and
    all of it lambdified at once (with common subexpressions shared).
    Samples are evaluated together by broadcasting.
    """

    def __init__(self, sizes, activation="sigmoid", output_activation="sigmoid", loss="mse", reduction="sum"):
        self.sizes, hidden, output, loss_ = check_config(sizes, activation, output_activation, loss, reduction)
        self.reduction = reduction
        self._fn = _direct_function(self.sizes, hidden.name, output.name, loss_.name)

    def _unpack(self, weights, biases, X, Y):
        X = np.asarray(X, dtype=float)
        N = X.shape[0]
        Y = np.asarray(Y, dtype=float).reshape(N, -1)
        params = [float(v) for W, b in zip(weights, biases) for v in (*np.ravel(W), *np.ravel(b))]
        return N, [*params, *X.T, *Y.T]

    def loss_value(self, weights, biases, X, Y):
        N, args = self._unpack(weights, biases, X, Y)
        total = float(np.sum(np.broadcast_to(self._fn(*args)[0], (N,))))
        return total / N if self.reduction == "mean" else total

    def gradients(self, weights, biases, X, Y):
        N, args = self._unpack(weights, biases, X, Y)
        values = self._fn(*args)[1:]
        scale = 1.0 / N if self.reduction == "mean" else 1.0
        flat = iter([scale * float(np.sum(np.broadcast_to(v, (N,)))) for v in values])
        dW, db = [], []
        for l in range(1, len(self.sizes)):
            n_out, n_in = self.sizes[l], self.sizes[l - 1]
            dW.append(np.array([next(flat) for _ in range(n_out * n_in)]).reshape(n_out, n_in))
            db.append(np.array([next(flat) for _ in range(n_out)]))
        return dW, db


@functools.lru_cache(maxsize=64)
def _direct_function(sizes, hidden_name, output_name, loss_name):
    hidden = activations.get(hidden_name)
    output = activations.get(output_name)
    loss = losses.get(loss_name)
    net = SymbolicNetwork.build(sizes, samples=1)
    # each activation applies itself: entry by entry (elementwise) or to the whole column (softmax)
    _, a = net.forward(net.x[0], hidden, output)
    D = net.D
    total = sum(
        loss.expr.subs({activations.a: a[D][k], losses.y: net.y[0][k]}) for k in range(sizes[-1])
    )
    # Parameter order: W(1) row by row, b(1), W(2), b(2), ... as _unpack flattens them.
    symbols = []
    for l in range(1, D + 1):
        symbols += list(net.W[l]) + list(net.b[l])
    outputs = [total] + [sp.diff(total, s) for s in symbols]
    args = symbols + list(net.x[0]) + list(net.y[0])
    return sp.lambdify(args, outputs, modules=["scipy", "numpy"], cse=True)
