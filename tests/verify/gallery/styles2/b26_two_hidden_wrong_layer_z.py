import numpy as np


class ThreeLayer:
    def __init__(self, n_in, n_h1, n_h2, n_out):
        self.W1 = np.random.randn(n_in, n_h1) * 0.5
        self.b1 = np.zeros(n_h1)
        self.W2 = np.random.randn(n_h1, n_h2) * 0.5
        self.b2 = np.zeros(n_h2)
        self.W3 = np.random.randn(n_h2, n_out) * 0.5
        self.b3 = np.zeros(n_out)

    def forward(self, X):
        self.z1 = X @ self.W1 + self.b1
        self.a1 = np.maximum(self.z1, 0)
        self.z2 = self.a1 @ self.W2 + self.b2
        self.a2 = np.maximum(self.z2, 0)
        self.z3 = self.a2 @ self.W3 + self.b3
        return self.z3

    def backward(self, X, Y, lr):
        out = self.forward(X)
        d3 = out - Y
        d2 = (d3 @ self.W3.T) * (self.z1 > 0)
        d1 = (d2 @ self.W2.T) * (self.z1 > 0)
        self.W3 -= lr * self.a2.T @ d3
        self.b3 -= lr * d3.sum(axis=0)
        self.W2 -= lr * self.a1.T @ d2
        self.b2 -= lr * d2.sum(axis=0)
        self.W1 -= lr * X.T @ d1
        self.b1 -= lr * d1.sum(axis=0)
