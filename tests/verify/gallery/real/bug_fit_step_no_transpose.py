"""tanh in both layers, half the summed squared error, rows are samples."""

import numpy as np


class TanhMLP:
    def __init__(self, n_in, n_hidden, n_out):
        self.weights1 = np.random.uniform(-1, 1, (n_in, n_hidden)) / np.sqrt(n_in)
        self.bias1 = np.zeros(n_hidden)
        self.weights2 = np.random.uniform(-1, 1, (n_hidden, n_out)) / np.sqrt(n_hidden)
        self.bias2 = np.zeros(n_out)

    def predict(self, X):
        return np.tanh(np.tanh(X @ self.weights1 + self.bias1) @ self.weights2 + self.bias2)

    def fit_step(self, X, y, lr):
        h = np.tanh(X @ self.weights1 + self.bias1)
        out = np.tanh(h @ self.weights2 + self.bias2)
        d_out = (out - y) * (1 - out ** 2)
        d_h = (d_out @ self.weights2) * (1 - h ** 2)
        self.weights2 -= lr * h.T @ d_out
        self.bias2 -= lr * d_out.sum(axis=0)
        self.weights1 -= lr * X.T @ d_h
        self.bias1 -= lr * d_h.sum(axis=0)


if __name__ == "__main__":
    X = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=float)
    y = np.array([[-0.8, 0.8], [0.8, -0.8], [0.8, -0.8], [-0.8, 0.8]])
    net = TanhMLP(2, 2, 2)
    for _ in range(3000):
        net.fit_step(X, y, lr=0.1)
    print(net.predict(X).round(2))
