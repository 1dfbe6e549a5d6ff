r"""The contestants: the project and its peers, each a training loop for a one-hidden-layer sigmoid MLP.

Every trainer here starts from given parameters so that the test suite can
check that they compute the same thing (`tests/benchmarks/test_benchmarks.py`):
``params`` is a list ``[(W1, b1), (W2, b2)]`` with ``W`` of shape
``(n_out, n_in)`` and ``b`` of shape ``(n_out,)``, as in the mathematics,
in ``impl.Network.weights`` and in ``torch.nn.Linear``.

All of them, except scikit-learn's, minimise the same loss, half the squared
error summed over the samples of a batch,
\( \tfrac12 \sum_{\text{batch}} \lVert a^{[2]} - y \rVert^2 \), with plain
SGD (no momentum, no weight decay):

* `Project`: ``impl.Network(...).fit(...)``, public API only.
* `MinimalNumpy`: the loop a competent person writes by hand: rows are
  samples, ``np.exp`` sigmoid, derivative ``a * (1 - a)``, no classes, no
  validation, no loss computed.
* `Torch`: ``torch.nn`` in float64, autograd, ``torch.optim.SGD``, batches
  drawn with ``torch.randperm``; the number of threads left as PyTorch sets it.
* `Sklearn`: ``MLPClassifier`` with SGD, momentum 0, ``alpha`` 0, constant
  learning rate, one ``partial_fit`` per epoch. Given one-hot targets it
  treats them as multilabel, so its output layer is a sigmoid as here, but
  its loss is the binary cross-entropy averaged over the batch, not the
  summed squared error: the same network, a slightly different loss.
* `TutorialXOR`: the tutorial's own algorithm for XOR: a class holding
  ``W1, b1, W2, b2``, one sample per *column*, ``np.dot``, sigmoid
  ``1 / (1 + exp(-x))``, derivative ``x * (1 - x)`` of the output, and the
  mean squared error computed every 1,000 epochs (for its print, which is
  left out here).
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np

__all__ = [
    "CONTESTANTS",
    "MinimalNumpy",
    "MinimalNumpy32",
    "Project",
    "Project32",
    "Sklearn",
    "Torch",
    "Torch32",
    "TutorialXOR",
    "init_params",
]


def init_params(sizes, seed=0, init="xavier"):
    """Initial ``[(W, b), ...]`` for layer widths ``sizes``.

    ``"xavier"``: ``W ~ N(0, 2 / (n_in + n_out))``, ``b = 0``; ``"normal"``:
    every weight and bias ``~ N(0, 1)`` (the tutorial's initialisation).
    """
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        if init == "normal":
            params.append((rng.standard_normal((n_out, n_in)), rng.standard_normal(n_out)))
        else:
            std = np.sqrt(2.0 / (n_in + n_out))
            params.append((std * rng.standard_normal((n_out, n_in)), np.zeros(n_out)))
    return params


def _copy(params):
    return [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in params]


class Project:
    """``impl.Network`` through its public API: ``fit`` with MSE summed over each batch."""

    name = "project"
    label = "impl.Network.fit"
    dtype = "float64"

    def __init__(self, X, Y, params, lr, batch_size=None, shuffle=True, seed=0):
        from impl import Network

        sizes = [params[0][0].shape[1]] + [W.shape[0] for W, _ in params]
        self.net = Network(sizes, activation="sigmoid", loss="mse", reduction="sum", seed=seed, dtype=self.dtype)
        for l, (W, b) in enumerate(params):
            self.net.weights[l][...] = W
            self.net.biases[l][...] = b
        self.X, self.Y = X, Y
        self.lr, self.batch_size, self.shuffle = lr, batch_size, shuffle

    def train(self, epochs):
        self.net.fit(self.X, self.Y, epochs=epochs, lr=self.lr, batch_size=self.batch_size, shuffle=self.shuffle)

    def params(self):
        return [(W.copy(), b.copy()) for W, b in zip(self.net.weights, self.net.biases)]


class Project32(Project):
    """``impl.Network(..., dtype="float32")`` through its public API: the same loop in single precision."""

    name = "project32"
    label = "impl.Network.fit, float32"
    dtype = "float32"


class MinimalNumpy:
    """A hand-written mini-batch SGD loop, rows = samples, one hidden layer."""

    name = "numpy"
    label = "minimal NumPy loop"
    dtype = np.float64

    def __init__(self, X, Y, params, lr, batch_size=None, shuffle=True, seed=0):
        (W1, b1), (W2, b2) = [(W.astype(self.dtype), b.astype(self.dtype)) for W, b in _copy(params)]
        # stored as (n_in, n_out) so that a batch of rows multiplies on the left
        self.W1, self.b1 = np.ascontiguousarray(W1.T), b1
        self.W2, self.b2 = np.ascontiguousarray(W2.T), b2
        X, Y = X.astype(self.dtype), Y.astype(self.dtype)
        self.X, self.Y = X, Y
        self.lr = lr
        self.batch_size = batch_size or len(X)
        self.shuffle = shuffle
        self.rng = np.random.default_rng(seed)

    def train(self, epochs):
        X, Y, lr, bs = self.X, self.Y, self.lr, self.batch_size
        W1, b1, W2, b2 = self.W1, self.b1, self.W2, self.b2
        n = len(X)
        for _ in range(epochs):
            if self.shuffle and bs < n:
                order = self.rng.permutation(n)
                Xs, Ys = X[order], Y[order]
            else:
                Xs, Ys = X, Y
            for start in range(0, n, bs):
                x, y = Xs[start : start + bs], Ys[start : start + bs]
                h = 1.0 / (1.0 + np.exp(-(x @ W1 + b1)))
                out = 1.0 / (1.0 + np.exp(-(h @ W2 + b2)))
                d_out = (out - y) * out * (1.0 - out)
                d_h = (d_out @ W2.T) * h * (1.0 - h)
                W2 -= lr * (h.T @ d_out)
                b2 -= lr * d_out.sum(axis=0)
                W1 -= lr * (x.T @ d_h)
                b1 -= lr * d_h.sum(axis=0)

    def params(self):
        return [(self.W1.T.copy(), self.b1.copy()), (self.W2.T.copy(), self.b2.copy())]


class MinimalNumpy32(MinimalNumpy):
    """The same hand-written loop on float32 arrays."""

    name = "numpy32"
    label = "minimal NumPy loop, float32"
    dtype = np.float32


class Torch:
    """PyTorch, float64, ``nn.Sequential`` of Linear and Sigmoid, autograd and ``optim.SGD``."""

    name = "torch"
    label = "PyTorch CPU float64"
    dtype = "float64"

    def __init__(self, X, Y, params, lr, batch_size=None, shuffle=True, seed=0):
        import torch
        from torch import nn

        self.torch = torch
        dtype = getattr(torch, self.dtype)
        layers = []
        for W, b in params:
            linear = nn.Linear(W.shape[1], W.shape[0], dtype=dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.asarray(W, dtype=self.dtype)))
                linear.bias.copy_(torch.from_numpy(np.asarray(b, dtype=self.dtype)))
            layers += [linear, nn.Sigmoid()]
        self.model = nn.Sequential(*layers)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=lr)
        self.X = torch.from_numpy(np.ascontiguousarray(X, dtype=self.dtype))
        self.Y = torch.from_numpy(np.ascontiguousarray(Y, dtype=self.dtype))
        self.batch_size = batch_size or len(X)
        self.shuffle = shuffle
        self.generator = torch.Generator().manual_seed(seed)

    def train(self, epochs):
        torch, model, opt = self.torch, self.model, self.optimizer
        X, Y, bs = self.X, self.Y, self.batch_size
        n = X.shape[0]
        for _ in range(epochs):
            order = torch.randperm(n, generator=self.generator) if self.shuffle and bs < n else None
            for start in range(0, n, bs):
                if order is None:
                    x, y = X[start : start + bs], Y[start : start + bs]
                else:
                    idx = order[start : start + bs]
                    x, y = X[idx], Y[idx]
                opt.zero_grad(set_to_none=True)
                loss = 0.5 * ((model(x) - y) ** 2).sum()
                loss.backward()
                opt.step()

    def params(self):
        linears = [m for m in self.model if hasattr(m, "weight")]
        return [(m.weight.detach().numpy().copy(), m.bias.detach().numpy().copy()) for m in linears]


@contextlib.contextmanager
def _quiet_sklearn():
    """scikit-learn's convergence warnings mean nothing for a timed epoch: keep them out of the run."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


class Sklearn:
    """``MLPClassifier``, logistic units, plain SGD; one ``partial_fit`` call = one epoch.

    Starts from its own initialisation (scikit-learn has no public way to
    pass initial weights); ``params`` only gives the layer widths.
    """

    name = "sklearn"
    label = "scikit-learn MLPClassifier"

    def __init__(self, X, Y, params, lr, batch_size=None, shuffle=True, seed=0):
        from sklearn.neural_network import MLPClassifier

        hidden = tuple(W.shape[0] for W, _ in params[:-1])
        self.model = MLPClassifier(
            hidden_layer_sizes=hidden,
            activation="logistic",
            solver="sgd",
            momentum=0.0,
            nesterovs_momentum=False,
            alpha=0.0,
            batch_size=min(batch_size or len(X), len(X)),
            learning_rate="constant",
            learning_rate_init=lr,
            shuffle=shuffle,
            random_state=seed,
        )
        self.X, self.Y = X, Y
        # one-hot targets: multilabel, so the output units are sigmoids
        self.classes = np.arange(Y.shape[1])
        self.started = False

    def train(self, epochs):
        with _quiet_sklearn():
            for _ in range(epochs):
                if self.started:
                    self.model.partial_fit(self.X, self.Y)
                else:
                    self.model.partial_fit(self.X, self.Y, classes=self.classes)
                    self.started = True

    def params(self):
        return [(W.T.copy(), b.copy()) for W, b in zip(self.model.coefs_, self.model.intercepts_)]


class TutorialXOR:
    """The tutorial's algorithm (a class, one sample per column), in this project's words.

    ``X`` and ``Y`` are given with one sample per row like everywhere else
    here and stored transposed, as the tutorial lays them out. Full batch:
    one update per epoch.
    """

    name = "tutorial"
    label = "the tutorial's loop"

    def __init__(self, X, Y, params, lr, batch_size=None, shuffle=True, seed=0):
        (W1, b1), (W2, b2) = _copy(params)
        self.W1, self.b1 = W1, b1.reshape(-1, 1)
        self.W2, self.b2 = W2, b2.reshape(-1, 1)
        self.X = np.ascontiguousarray(np.asarray(X, dtype=float).T)
        self.y = np.ascontiguousarray(np.asarray(Y, dtype=float).T)
        self.lr = lr
        self.reported = []

    @staticmethod
    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def sigmoid_slope(out):
        # the derivative written in terms of the sigmoid's output
        return out * (1 - out)

    def forward(self, X):
        self.a1 = self.sigmoid(np.dot(self.W1, X) + self.b1)
        self.a2 = self.sigmoid(np.dot(self.W2, self.a1) + self.b2)
        return self.a2

    def backward(self, X, y, lr):
        err2 = (self.a2 - y) * self.sigmoid_slope(self.a2)
        err1 = np.dot(self.W2.T, err2) * self.sigmoid_slope(self.a1)
        self.W2 -= lr * np.dot(err2, self.a1.T)
        self.b2 -= lr * np.sum(err2, axis=1, keepdims=True)
        self.W1 -= lr * np.dot(err1, X.T)
        self.b1 -= lr * np.sum(err1, axis=1, keepdims=True)

    def train(self, epochs):
        for epoch in range(epochs):
            out = self.forward(self.X)
            self.backward(self.X, self.y, self.lr)
            if epoch % 1000 == 0:
                # the tutorial prints this; here it is only computed
                self.reported.append(np.mean((self.y - out) ** 2))

    def params(self):
        return [(self.W1.copy(), self.b1[:, 0].copy()), (self.W2.copy(), self.b2[:, 0].copy())]


class Torch32(Torch):
    """PyTorch, float32 (its default precision), otherwise as `Torch`."""

    name = "torch32"
    label = "PyTorch CPU float32"
    dtype = "float32"


CONTESTANTS = {
    c.name: c for c in (Project, MinimalNumpy, Torch, Sklearn, TutorialXOR, Project32, MinimalNumpy32, Torch32)
}
