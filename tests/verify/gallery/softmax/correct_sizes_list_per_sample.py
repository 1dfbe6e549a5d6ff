"""Stochastic gradient descent one sample at a time, in the style of Nielsen's network.py.

Layer sizes as a list (any depth), weights (out, in) and biases (n, 1) in lists, sigmoid
hidden layers, a softmax output layer with cross-entropy, one-hot targets in the rows of Y:
each row of the batch is one step, taken in order.
"""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


class Network:
    def __init__(self, sizes):
        rng = np.random.default_rng(3)
        self.sizes = sizes
        self.weights = [rng.standard_normal((y, x)) / np.sqrt(x) for x, y in zip(sizes[:-1], sizes[1:])]
        self.biases = [rng.standard_normal((y, 1)) for y in sizes[1:]]

    def feedforward(self, X):
        """Class probabilities for the rows of X, one row per sample."""
        a = X.T
        for b, w in zip(self.biases[:-1], self.weights[:-1]):
            a = sigmoid(w @ a + b)
        z = self.weights[-1] @ a + self.biases[-1]
        e = np.exp(z - z.max(axis=0))
        return (e / e.sum(axis=0)).T

    def _backprop(self, x, y):
        """Gradients of -sum(y log a) for one sample x (column), target y (column)."""
        activations, zs = [x], []
        for b, w in zip(self.biases, self.weights):
            zs.append(w @ activations[-1] + b)
            activations.append(sigmoid(zs[-1]) if len(zs) < len(self.weights) else softmax(zs[-1]))
        delta = activations[-1] - y
        nabla_w = [None] * len(self.weights)
        nabla_b = [None] * len(self.biases)
        nabla_w[-1], nabla_b[-1] = delta @ activations[-2].T, delta
        for l in range(2, len(self.sizes)):
            sp = activations[-l] * (1 - activations[-l])
            delta = (self.weights[-l + 1].T @ delta) * sp
            nabla_w[-l], nabla_b[-l] = delta @ activations[-l - 1].T, delta
        return nabla_w, nabla_b

    def sgd_step(self, X, Y, eta):
        for x, y in zip(X, Y):
            nabla_w, nabla_b = self._backprop(x.reshape(-1, 1), y.reshape(-1, 1))
            self.weights = [w - eta * nw for w, nw in zip(self.weights, nabla_w)]
            self.biases = [b - eta * nb for b, nb in zip(self.biases, nabla_b)]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    labels = np.argmax(X, axis=1)
    Y = np.eye(3)[labels]
    net = Network([3, 10, 8, 3])
    for epoch in range(30):
        net.sgd_step(X, Y, 0.1)
    print("accuracy", np.mean(net.feedforward(X).argmax(axis=1) == labels))
