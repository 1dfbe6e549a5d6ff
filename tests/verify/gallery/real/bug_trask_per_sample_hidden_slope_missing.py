"""A two-layer network in the style of Andrew Trask's "neural network in 11 lines": synapses
syn0 and syn1, no biases, sigmoid layers, and one update per training example in turn."""

import numpy as np


def nonlin(x, deriv=False):
    if deriv:
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))


class TraskNet:
    def __init__(self, n_in, n_hidden, n_out, alpha=1.0):
        np.random.seed(1)
        self.syn0 = 2 * np.random.random((n_in, n_hidden)) - 1
        self.syn1 = 2 * np.random.random((n_hidden, n_out)) - 1
        self.alpha = alpha

    def think(self, X):
        return nonlin(nonlin(X @ self.syn0) @ self.syn1)

    def train(self, X, y):
        for i in range(len(X)):
            l0 = X[i:i + 1]
            l1 = nonlin(l0 @ self.syn0)
            l2 = nonlin(l1 @ self.syn1)
            l2_delta = (y[i:i + 1] - l2) * nonlin(l2, deriv=True)
            l1_delta = l2_delta @ self.syn1.T
            self.syn1 += self.alpha * l1.T @ l2_delta
            self.syn0 += self.alpha * l0.T @ l1_delta


if __name__ == "__main__":
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    y = np.array([[0], [1], [1], [0]])
    net = TraskNet(3, 4, 1)
    for _ in range(10000):
        net.train(X, y)
    print(net.think(X))
