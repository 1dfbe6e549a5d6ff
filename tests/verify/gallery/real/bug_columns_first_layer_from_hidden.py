"""Samples as columns, weights (out, in), bias columns; one step of size eta per call."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class ColumnMLP:
    def __init__(self, n_in, n_hidden, n_out):
        self.w_ih = np.random.randn(n_hidden, n_in) * 0.5
        self.b_h = np.zeros((n_hidden, 1))
        self.w_ho = np.random.randn(n_out, n_hidden) * 0.5
        self.b_o = np.zeros((n_out, 1))

    def feedforward(self, X):
        self.h = sigmoid(self.w_ih @ X + self.b_h)
        self.o = sigmoid(self.w_ho @ self.h + self.b_o)
        return self.o

    def backprop(self, X, Y, eta):
        out = self.feedforward(X)
        d_o = (out - Y) * out * (1 - out)
        d_h = (self.w_ho.T @ d_o) * self.h * (1 - self.h)
        self.w_ho -= eta * d_o @ self.h.T
        self.b_o -= eta * d_o.sum(axis=1, keepdims=True)
        self.w_ih -= eta * d_h @ self.h.T
        self.b_h -= eta * d_h.sum(axis=1, keepdims=True)


if __name__ == "__main__":
    X = np.array([[0, 0, 1, 1], [0, 1, 0, 1], [1, 1, 1, 1]], dtype=float)
    Y = np.array([[0, 1, 1, 0], [1, 0, 0, 1]], dtype=float)
    net = ColumnMLP(3, 3, 2)
    for _ in range(5000):
        net.backprop(X, Y, eta=1.0)
    print(net.feedforward(X).round(2))
