import numpy as np

SLOPE = 0.1


class LeakyNet:
    def __init__(self, n_in, n_hidden, n_out):
        self.W1 = np.random.randn(n_in, n_hidden) * 0.5
        self.b1 = np.zeros(n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out) * 0.5
        self.b2 = np.zeros(n_out)

    def forward(self, X):
        self.z1 = X @ self.W1 + self.b1
        self.a1 = np.where(self.z1 > 0, self.z1, SLOPE * self.z1)
        return self.a1 @ self.W2 + self.b2

    def backward(self, X, Y, lr):
        out = self.forward(X)
        g2 = 2 * (out - Y) / out.size  # np.mean((out - Y)**2)
        g1 = (g2 @ self.W2.T) * np.where(self.z1 > 0, 1.0, SLOPE)
        self.W2 -= lr * self.a1.T @ g2
        self.b2 -= lr * g2.sum(axis=0)
        self.W1 -= lr * X.T @ g1
        self.b1 -= lr * g1.sum(axis=0)
