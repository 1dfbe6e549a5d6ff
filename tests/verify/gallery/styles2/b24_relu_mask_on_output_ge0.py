import numpy as np


class ReluRegressor:
    def __init__(self, n_features, n_hidden, n_targets):
        self.W1 = np.random.randn(n_features, n_hidden) * 0.5
        self.b1 = np.zeros(n_hidden)
        self.W2 = np.random.randn(n_hidden, n_targets) * 0.5
        self.b2 = np.zeros(n_targets)

    def forward(self, X):
        self.a1 = np.maximum(0, X @ self.W1 + self.b1)
        return self.a1 @ self.W2 + self.b2

    def backward(self, X, Y, lr):
        n = len(X)
        out = self.forward(X)
        g2 = (out - Y) / n  # 0.5 * mean over samples of squared error
        g1 = (g2 @ self.W2.T) * (self.a1 >= 0)
        self.W2 -= lr * self.a1.T @ g2
        self.b2 -= lr * g2.sum(axis=0)
        self.W1 -= lr * X.T @ g1
        self.b1 -= lr * g1.sum(axis=0)
