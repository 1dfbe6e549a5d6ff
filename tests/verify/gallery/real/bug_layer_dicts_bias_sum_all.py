"""A regression net stored as a list of layer dicts {"W": ..., "b": ...}; mean squared error over samples."""

import numpy as np


def relu(z):
    return np.maximum(0.0, z)


class LayeredNet:
    def __init__(self, n_in=4, n_hidden=16, n_out=1):
        self.layers = [
            {"W": np.random.randn(n_in, n_hidden) * 0.3, "b": np.zeros(n_hidden)},
            {"W": np.random.randn(n_hidden, n_out) * 0.3, "b": np.zeros(n_out)},
        ]

    def forward(self, X):
        hidden, out = self.layers
        self.z = X @ hidden["W"] + hidden["b"]
        self.a = relu(self.z)
        self.out = self.a @ out["W"] + out["b"]
        return self.out

    def backward(self, X, y, lr):
        hidden, out = self.layers
        n = X.shape[0]
        # L = (1/n) * sum over samples of ||out - y||^2
        d_out = 2 * (self.out - y) / n
        grad_W2 = self.a.T @ d_out
        grad_b2 = np.sum(d_out, axis=0)
        d_z = (d_out @ out["W"].T) * (self.z > 0)
        grad_W1 = X.T @ d_z
        grad_b1 = np.sum(d_z)
        out["W"] -= lr * grad_W2
        out["b"] -= lr * grad_b2
        hidden["W"] -= lr * grad_W1
        hidden["b"] -= lr * grad_b1


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 4))
    y = X[:, :1] - 2 * X[:, 1:2] + 0.3
    net = LayeredNet()
    for _ in range(500):
        net.forward(X)
        net.backward(X, y, lr=0.01)
    print("mse", np.mean(np.sum((net.forward(X) - y) ** 2, axis=1)))
