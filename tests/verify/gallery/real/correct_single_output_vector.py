"""Scalar regression: y is a plain vector, the output weights w2 are a vector too."""

import numpy as np


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


class ScalarRegressor:
    def __init__(self, n_features, n_hidden=10, lr=0.05):
        self.W1 = np.random.randn(n_features, n_hidden) * 0.3
        self.b1 = np.zeros(n_hidden)
        self.w2 = np.random.randn(n_hidden) * 0.3
        self.b2 = np.zeros(1)
        self.lr = lr

    def forward(self, X):
        self.h = sigmoid(X @ self.W1 + self.b1)
        self.y_hat = self.h @ self.w2 + self.b2
        return self.y_hat

    def backward(self, X, y):
        """Gradients of 0.5 * sum((y_hat - y)^2); stored, applied by update()."""
        r = self.y_hat - y
        self.grad_w2 = self.h.T @ r
        self.grad_b2 = np.array([r.sum()])
        dz = np.outer(r, self.w2) * self.h * (1 - self.h)
        self.grad_W1 = X.T @ dz
        self.grad_b1 = dz.sum(axis=0)

    def update(self):
        self.W1 -= self.lr * self.grad_W1
        self.b1 -= self.lr * self.grad_b1
        self.w2 -= self.lr * self.grad_w2
        self.b2 -= self.lr * self.grad_b2


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (100, 2))
    y = X[:, 0] ** 2 + 0.5 * X[:, 1]
    model = ScalarRegressor(2, lr=0.01)
    for _ in range(2000):
        model.forward(X)
        model.backward(X, y)
        model.update()
    print("half SSE", 0.5 * np.sum((model.forward(X) - y) ** 2))
