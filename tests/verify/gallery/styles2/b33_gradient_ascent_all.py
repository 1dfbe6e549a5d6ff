import numpy as np


class AscentNet:
    def __init__(self, n_in, n_hidden, n_out):
        self.W1 = np.random.randn(n_in, n_hidden) * 0.5
        self.b1 = np.zeros(n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out) * 0.5
        self.b2 = np.zeros(n_out)

    def forward(self, X):
        self.z1 = X @ self.W1 + self.b1
        self.a1 = np.maximum(0, self.z1)
        return 1 / (1 + np.exp(-(self.a1 @ self.W2 + self.b2)))

    def backward(self, X, y, lr):
        p = self.forward(X)
        delta2 = y - p
        delta1 = (delta2 @ self.W2.T) * (self.z1 > 0)
        self.W2 -= lr * self.a1.T @ delta2
        self.b2 -= lr * delta2.sum(axis=0)
        self.W1 -= lr * X.T @ delta1
        self.b1 -= lr * delta1.sum(axis=0)
