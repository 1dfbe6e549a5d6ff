import numpy as np


class EpochNet:
    def __init__(self, n_in, n_hidden, n_out):
        self.W1 = np.random.randn(n_in, n_hidden) * 0.5
        self.b1 = np.zeros(n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out) * 0.5
        self.b2 = np.zeros(n_out)

    def predict(self, X):
        self.h = 1 / (1 + np.exp(-(X @ self.W1 + self.b1)))
        return self.h @ self.W2 + self.b2

    def fit(self, X, y, epochs=100, lr=0.05):
        n = len(X)
        for epoch in range(epochs):
            out = self.predict(X)
            g2 = (out - y) / n
            g1 = (g2 @ self.W2.T) * self.h * (1 - self.h)
            self.W2 -= lr * self.h.T @ g2
            self.b2 -= lr * g2.sum(axis=0)
            self.W1 -= lr * X.T @ g1
            self.b1 -= lr * g1.sum(axis=0)
        return self
