r"""The backprop recurrence in NumPy, written once: the reference the numeric checks share.

Column layout, as in the derivation: ``X`` and every ``z[l]``, ``a[l]``,
``delta[l]`` have shape \((n_l, \text{samples})\); ``W[l]`` has shape
\((n_l, n_{l-1})\), ``b[l]`` shape \((n_l,)\) (or ``None`` for a layer without
bias); ``f[l]`` is the layer's `spec.activations` entry, whose lambdified
``numpy_f``, ``derived(1).numpy`` and ``numpy_jacobian`` are all the numbers used.
Layers count from 1 to \(D\); index 0 of every list is unused (``a[0]`` is
the input).

$$
z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}, \quad a^{(l)} = f_l(z^{(l)}), \quad
\delta^{(l)} = J_l(z^{(l)})^T \bigl(W^{(l+1)}\bigr)^T \delta^{(l+1)}, \quad
\frac{\partial L}{\partial W^{(l)}} = \delta^{(l)} \bigl(a^{(l-1)}\bigr)^T, \quad
\frac{\partial L}{\partial b^{(l)}} = \delta^{(l)} \mathbf 1
$$

(\(J^T g = g \odot f'(z)\) for an elementwise activation). The output error
\(\delta^{(D)}\) comes from the loss and is the caller's: `spec.oracle.Oracle`
takes the spec's proven closed form, ``verify`` its loss family's.

`backward` takes optional hooks, each replacing one step of the recurrence,
so that ``spec.verify.recurrence`` can plant a known mistake in exactly one
place; without hooks it is the plain recurrence.
"""

from __future__ import annotations

import numpy as np


def vjp(act, z, grad):
    r"""\(J(z)^T\) ``grad``, sample by sample: ``grad * f'(z)`` for an elementwise ``act``."""
    if act.elementwise:
        return grad * act.derived(1).numpy(z)
    # J[i, k, sample] = d a_i / d z_k; delta_k = sum_i J[i, k] grad_i
    return np.einsum("iks,is->ks", act.numpy_jacobian(z), grad)


def forward(W, b, f, X, skip_biases=()):
    """``(z, a)`` lists for input ``X`` of shape (features, samples).

    ``skip_biases``: layers whose bias is left out (verify uses it to recognise code that forgets one).
    """
    D = len(W) - 1
    z, a = [None] * (D + 1), [X] + [None] * D
    for l in range(1, D + 1):
        # z[l] = W[l] a[l-1] + b[l]
        z[l] = W[l] @ a[l - 1]
        if b[l] is not None and l not in skip_biases:
            z[l] = z[l] + b[l][:, None]
        # a[l] = f(z[l]): entry by entry, or (softmax) each sample's column at once
        a[l] = f[l].numpy_f(z[l])
    return z, a


def backward(W, b, f, z, a, delta_D, *, error=None, sent=None, weights_back=None, inputs=None, bias_sum=None):
    """``(delta, dW, db)`` lists indexed from 1, from the output error ``delta_D``.

    ``db[l]`` is ``None`` where ``b[l]`` is. The hooks (all optional) replace one step:

    * ``error(l, g)`` -> delta[l] from g = W[l+1]^T delta[l+1]; default ``vjp(f[l], z[l], g)``.
    * ``sent(l, delta_l)`` -> what layer l passes down; default ``delta_l``.
    * ``weights_back(l, dW_l)`` -> the W[l] it passes down through; default ``W[l]``.
    * ``inputs(l)`` -> the factor of delta[l] in dW[l]; default ``a[l-1]``.
    * ``bias_sum(l, delta_l)`` -> db[l]; default the sum over samples.
    """
    D = len(W) - 1
    delta, dW, db = [None] * (D + 1), [None] * (D + 1), [None] * (D + 1)
    # delta[D] = dL/dz[D], from the loss
    delta[D] = delta_D
    for l in range(D, 0, -1):
        # dW[l] = delta[l] a[l-1]^T   (the product sums over the samples)
        dW[l] = delta[l] @ (a[l - 1] if inputs is None else inputs(l)).T
        # db[l] = delta[l] 1   (the sum over the samples)
        if b[l] is not None:
            db[l] = delta[l].sum(axis=1) if bias_sum is None else bias_sum(l, delta[l])
        if l > 1:
            W_l = W[l] if weights_back is None else weights_back(l, dW[l])
            passed = delta[l] if sent is None else sent(l, delta[l])
            # delta[l-1] = J(z[l-1])^T (W[l]^T delta[l])   (= (W[l]^T delta[l]) * f'(z[l-1]) elementwise)
            g = W_l.T @ passed
            delta[l - 1] = vjp(f[l - 1], z[l - 1], g) if error is None else error(l - 1, g)
    return delta, dW, db


def gradients(W, b, f, X, delta_out):
    """``(dW, db)`` lists indexed from 1: a forward pass, then ``delta[D] = delta_out(z[D], a[D])`` and the recurrence."""
    z, a = forward(W, b, f, X)
    D = len(W) - 1
    _, dW, db = backward(W, b, f, z, a, delta_out(z[D], a[D]))
    return dW, db
