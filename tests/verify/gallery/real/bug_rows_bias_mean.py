"""Batch gradient descent on half the summed squared error; sigmoid layers with bias vectors."""

import numpy as np


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


class MLP:
    def __init__(self, n_in, n_hidden, n_out):
        self.W_h = np.random.randn(n_in, n_hidden) * 0.5
        self.b_h = np.zeros(n_hidden)
        self.W_o = np.random.randn(n_hidden, n_out) * 0.5
        self.b_o = np.zeros(n_out)

    def predict(self, X):
        return sigmoid(sigmoid(X @ self.W_h + self.b_h) @ self.W_o + self.b_o)

    def train(self, X, y, lr):
        h = sigmoid(X @ self.W_h + self.b_h)
        o = sigmoid(h @ self.W_o + self.b_o)
        delta_o = (o - y) * o * (1 - o)
        delta_h = (delta_o @ self.W_o.T) * h * (1 - h)
        self.W_o -= lr * h.T @ delta_o
        self.b_o -= lr * delta_o.mean(axis=0)
        self.W_h -= lr * X.T @ delta_h
        self.b_h -= lr * delta_h.mean(axis=0)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.random((32, 3))
    y = np.column_stack([X.sum(axis=1) > 1.5, X[:, 0] > X[:, 1]]).astype(float)
    net = MLP(3, 6, 2)
    for _ in range(2000):
        net.train(X, y, lr=0.5)
    print(0.5 * np.sum((net.predict(X) - y) ** 2))
