"""Two ReLU hidden layers and a linear output; backward() is handed the output of forward()."""

import numpy as np


def relu(z):
    return np.maximum(z, 0)


class ThreeLayerRegressor:
    def __init__(self, sizes=(3, 16, 16, 1), lr=0.01):
        n0, n1, n2, n3 = sizes
        self.w1 = np.random.randn(n0, n1) * np.sqrt(2 / n0)
        self.b1 = np.zeros(n1)
        self.w2 = np.random.randn(n1, n2) * np.sqrt(2 / n1)
        self.b2 = np.zeros(n2)
        self.w3 = np.random.randn(n2, n3) * np.sqrt(1 / n2)
        self.b3 = np.zeros(n3)
        self.lr = lr

    def forward(self, X):
        self.z1 = X @ self.w1 + self.b1
        self.a1 = relu(self.z1)
        self.z2 = self.a1 @ self.w2 + self.b2
        self.a2 = relu(self.z2)
        return self.a2 @ self.w3 + self.b3

    def backward(self, X, y, output):
        n = len(X)
        # half the mean squared error over samples
        d3 = (output - y) / n
        d2 = d3 @ self.w3.T
        d1 = (d2 @ self.w2.T) * (self.z1 > 0)
        self.w3 -= self.lr * self.a2.T @ d3
        self.b3 -= self.lr * d3.sum(axis=0)
        self.w2 -= self.lr * self.a1.T @ d2
        self.b2 -= self.lr * d2.sum(axis=0)
        self.w1 -= self.lr * X.T @ d1
        self.b1 -= self.lr * d1.sum(axis=0)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(128, 3))
    y = np.maximum(X[:, :1], 0) - X[:, 1:2]
    net = ThreeLayerRegressor()
    for _ in range(1000):
        net.backward(X, y, net.forward(X))
    print("half mse", 0.5 * np.mean((net.forward(X) - y) ** 2))
