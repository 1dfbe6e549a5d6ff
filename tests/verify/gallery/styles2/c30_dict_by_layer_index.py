import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class IndexedNet:
    def __init__(self, n_0, n_1, n_2, learning_rate=0.3):
        self.learning_rate = learning_rate
        self.W = {1: np.random.randn(n_1, n_0) * 0.5, 2: np.random.randn(n_2, n_1) * 0.5}
        self.b = {1: np.zeros((n_1, 1)), 2: np.zeros((n_2, 1))}

    def forward(self, X):
        # X: (features, samples)
        self.a = {0: X}
        for l in (1, 2):
            self.a[l] = sigmoid(self.W[l] @ self.a[l - 1] + self.b[l])
        return self.a[2]

    def backward_pass(self, X, Y):
        m = X.shape[1]
        A = self.forward(X)
        delta = {2: (A - Y) / m}  # mean BCE
        delta[1] = (self.W[2].T @ delta[2]) * self.a[1] * (1 - self.a[1])
        for l in (2, 1):
            self.W[l] -= self.learning_rate * delta[l] @ self.a[l - 1].T
            self.b[l] -= self.learning_rate * delta[l].sum(axis=1, keepdims=True)
