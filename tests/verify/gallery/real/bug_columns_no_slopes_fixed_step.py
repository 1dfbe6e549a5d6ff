"""XOR, samples in columns, no biases; step size 0.5 inside train()."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class XORNet:
    def __init__(self, n_in=2, n_hidden=2, n_out=1):
        self.W1 = np.random.uniform(-1, 1, (n_hidden, n_in))
        self.W2 = np.random.uniform(-1, 1, (n_out, n_hidden))

    def forward(self, X):
        self.hidden = sigmoid(self.W1 @ X)
        self.out = sigmoid(self.W2 @ self.hidden)
        return self.out

    def train(self, X, Y):
        out = self.forward(X)
        err_out = Y - out
        err_hidden = self.W2.T @ err_out
        self.W2 += 0.5 * err_out @ self.hidden.T
        self.W1 += 0.5 * err_hidden @ X.T


if __name__ == "__main__":
    X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
    Y = np.array([[0, 1, 1, 0]], dtype=float)
    net = XORNet(2, 3, 1)
    for _ in range(10000):
        net.train(X, Y)
    print(net.forward(X).round(2))
