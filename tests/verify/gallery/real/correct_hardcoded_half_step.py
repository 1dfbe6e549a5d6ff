"""Columns are samples. No biases. The step size 0.5 lives inside train()."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class XORNetwork:
    def __init__(self, n_in, n_hidden, n_out):
        self.W1 = np.random.randn(n_hidden, n_in)
        self.W2 = np.random.randn(n_out, n_hidden)

    def forward(self, X):
        """X has one sample per column; returns one output column per sample."""
        self.A1 = sigmoid(self.W1 @ X)
        self.A2 = sigmoid(self.W2 @ self.A1)
        return self.A2

    def train(self, X, Y):
        A2 = self.forward(X)
        # E = 1/2 * sum((A2 - Y)^2)
        E2 = (A2 - Y) * A2 * (1 - A2)
        E1 = (self.W2.T @ E2) * self.A1 * (1 - self.A1)
        self.W2 = self.W2 - 0.5 * (E2 @ self.A1.T)
        self.W1 = self.W1 - 0.5 * (E1 @ X.T)


if __name__ == "__main__":
    X = np.array([[0, 0, 1, 1], [0, 1, 0, 1], [1, 1, 1, 1]], dtype=float)
    Y = np.array([[0, 1, 1, 0]], dtype=float)
    net = XORNetwork(3, 4, 1)
    for _ in range(10000):
        net.train(X, Y)
    print(net.forward(X).round(2))
