"""XOR with the 2-2-1 network: one training run, and 100 seeds trained at once.

`count_solved_tutorial` and `count_solved_network` train many networks in one
vectorised loop: the weights of all seeds are stacked along a leading axis and
every step is a batched matrix product. Each seed starts from exactly the
weights its one-at-a-time counterpart draws, and the elementwise steps are the
very functions the per-seed code calls, so the outcome per seed is the same as
`benchmarks/xor_seeds.py` (checked in tests/docs/test_pages.py).
"""

from __future__ import annotations

import functools
import time

import numpy as np
from scipy.special import expit

from spec.cli.defaults import XOR_DEFAULTS
from spec.cli.tasks import xor

SEEDS = 100
#: The tutorial's settings: N(0, 1) weights and biases from np.random.seed(s), lr 0.1, 10,000 epochs.
TUTORIAL = {"lr": 0.1, "epochs": 10000}


def tutorial_initial(seeds):
    """The tutorial's starting weights for each seed, stacked: ``np.random.seed(s)`` then four ``randn`` calls.

    ``np.random.RandomState(s)`` draws the same stream as ``np.random.seed(s)``
    followed by ``np.random.randn``, without touching NumPy's global state.
    """
    W1, b1, W2, b2 = [], [], [], []
    for s in seeds:
        rs = np.random.RandomState(s)
        W1.append(rs.randn(2, 2))
        b1.append(rs.randn(2, 1))
        W2.append(rs.randn(1, 2))
        b2.append(rs.randn(1, 1))
    return [np.stack(p) for p in (W1, b1, W2, b2)]


def train_tutorial(seeds, lr=TUTORIAL["lr"], epochs=TUTORIAL["epochs"]):
    """The tutorial's algorithm (column layout, one sample per column) for every seed at once.

    Returns the stacked parameters ``(W1, b1, W2, b2)`` after training:
    ``W1`` has shape ``(seeds, 2, 2)``, ``b1`` ``(seeds, 2, 1)`` and so on.
    """
    W1, b1, W2, b2 = tutorial_initial(seeds)
    data = xor()
    X, y = data.X_train.T, data.Y_train.T  # (2, 4) and (1, 4)
    for _ in range(epochs):
        a1 = expit(W1 @ X + b1)  # (S, 2, 4)
        a2 = expit(W2 @ a1 + b2)  # (S, 1, 4)
        # delta2 = (a2 - y) * sigma'(z2), with sigma' written through the output
        delta2 = (a2 - y) * a2 * (1 - a2)
        # delta1 = (W2^T delta2) * sigma'(z1)
        delta1 = (W2.transpose(0, 2, 1) @ delta2) * a1 * (1 - a1)
        W2 -= lr * delta2 @ a1.transpose(0, 2, 1)
        b2 -= lr * delta2.sum(axis=2, keepdims=True)
        W1 -= lr * delta1 @ X.T
        b1 -= lr * delta1.sum(axis=2, keepdims=True)
    return W1, b1, W2, b2


def tutorial_outputs(params):
    """Network outputs for the four XOR inputs, shape ``(seeds, 4)``."""
    W1, b1, W2, b2 = params
    X = xor().X_train.T
    return expit(W2 @ expit(W1 @ X + b1) + b2)[:, 0, :]


def network_initial(seeds, init):
    """``impl.Network((2, 2, 1), seed=s, init=init)``'s starting weights for each seed, stacked."""
    from impl import Network

    nets = [Network((2, 2, 1), seed=s, init=init) for s in seeds]
    return [np.stack([net.weights[k] for net in nets]) for k in (0, 1)], [
        np.stack([net.biases[k] for net in nets]) for k in (0, 1)
    ]


def train_network(seeds, init=XOR_DEFAULTS["init"], lr=XOR_DEFAULTS["lr"], epochs=XOR_DEFAULTS["epochs"]):
    """``impl.Network((2, 2, 1), seed=s, init=init).fit(X, Y, epochs, lr)`` for every seed at once.

    Row layout as in ``impl``: one sample per row. The activation and the
    output error are ``impl``'s own functions, applied to the stacked arrays.
    Returns ``(weights, biases)``: ``weights[0]`` has shape ``(seeds, 2, 2)``.
    """
    from impl import activations, losses

    sigmoid, mse = activations.get("sigmoid"), losses.get("mse")
    (W1, W2), (b1, b2) = network_initial(seeds, init)
    b1, b2 = b1[:, None, :], b2[:, None, :]  # (S, 1, n): broadcast over the samples
    data = xor()
    X, Y = data.X_train, data.Y_train  # (4, 2) and (4, 1)
    for _ in range(epochs):
        # z[l] = a[l-1] W[l]^T + b[l], a[l] = f(z[l])
        z1 = X @ W1.transpose(0, 2, 1) + b1
        a1 = sigmoid.f(z1)
        z2 = a1 @ W2.transpose(0, 2, 1) + b2
        a2 = sigmoid.f(z2)
        # delta[2] = dL/dz[2]; dW[l] = delta[l]^T a[l-1]; db[l] = sum over samples of delta[l]
        delta2 = mse.delta_out(z2, a2, Y, sigmoid)
        dW2 = delta2.transpose(0, 2, 1) @ a1
        db2 = delta2.sum(axis=1, keepdims=True)
        # delta[1] = (delta[2] W[2]) * f'(z[1])
        delta1 = (delta2 @ W2) * sigmoid.df(z1)
        dW1 = delta1.transpose(0, 2, 1) @ X
        db1 = delta1.sum(axis=1, keepdims=True)
        W2 -= lr * dW2
        b2 -= lr * db2
        W1 -= lr * dW1
        b1 -= lr * db1
    return [W1, W2], [b1[:, 0, :], b2[:, 0, :]]


def network_outputs(weights, biases):
    """Outputs of the stacked row-layout networks on the four XOR inputs, shape ``(seeds, 4)``."""
    X = xor().X_train
    a1 = expit(X @ weights[0].transpose(0, 2, 1) + biases[0][:, None, :])
    return expit(a1 @ weights[1].transpose(0, 2, 1) + biases[1][:, None, :])[:, :, 0]


def solved(outputs):
    """Per seed: True when all four outputs fall on the right side of 0.5."""
    targets = xor().Y_train[:, 0] == 1
    return np.all((outputs >= 0.5) == targets, axis=1)


def solved_tutorial(seeds, **settings):
    return solved(tutorial_outputs(train_tutorial(seeds, **settings)))


def solved_network(seeds, **settings):
    return solved(network_outputs(*train_network(seeds, **settings)))


@functools.lru_cache(maxsize=None)
def seed_study(n=SEEDS):
    """Which of seeds 0..n-1 solve XOR, per setting, and how long the vectorised runs took."""
    seeds = range(n)
    d = XOR_DEFAULTS
    out = {}
    start = time.perf_counter()
    out["tutorial"] = solved_tutorial(seeds)
    out["tutorial_seconds"] = time.perf_counter() - start
    start = time.perf_counter()
    out["network_normal"] = solved_network(seeds, init="normal", lr=TUTORIAL["lr"], epochs=TUTORIAL["epochs"])
    out["network_normal_seconds"] = time.perf_counter() - start
    start = time.perf_counter()
    out["defaults"] = solved_network(seeds, init=d["init"], lr=d["lr"], epochs=d["epochs"])
    out["defaults_seconds"] = time.perf_counter() - start
    return out
