"""Regression with two ReLU hidden layers and a linear output; loss is half the mean squared error."""

import numpy as np


def relu(z):
    return np.maximum(z, 0.0)


class DeepRegressor:
    def __init__(self, n_in, n_h1, n_h2, n_out):
        rng = np.random.default_rng(7)
        # He initialisation for the ReLU layers
        self.W1 = rng.normal(0, np.sqrt(2 / n_in), (n_in, n_h1))
        self.b1 = np.zeros(n_h1)
        self.W2 = rng.normal(0, np.sqrt(2 / n_h1), (n_h1, n_h2))
        self.b2 = np.zeros(n_h2)
        self.W3 = rng.normal(0, np.sqrt(1 / n_h2), (n_h2, n_out))
        self.b3 = np.zeros(n_out)

    def forward(self, X):
        self.z1 = X @ self.W1 + self.b1
        self.h1 = relu(self.z1)
        self.z2 = self.h1 @ self.W2 + self.b2
        self.h2 = relu(self.z2)
        self.out = self.h2 @ self.W3 + self.b3
        return self.out

    def backward(self, X, y, learning_rate):
        n = X.shape[0]
        # L = 1/(2n) * sum over samples of ||out - y||^2
        g3 = (self.out - y) / n
        g2 = (g3 @ self.W3.T) * (self.z2 > 0)
        g1 = (g2 @ self.W2.T) * (self.z1 > 0)

        self.W3 -= learning_rate * self.h2.T @ g3
        self.b3 -= learning_rate * g3.sum(axis=0)
        self.W2 -= learning_rate * self.h1.T @ g2
        self.b2 -= learning_rate * g2.sum(axis=0)
        self.W1 -= learning_rate * X.T @ g1
        self.b1 -= learning_rate * g1.sum(axis=0)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (256, 3))
    y = np.stack([np.sin(X[:, 0]) + X[:, 1], X[:, 2] ** 2], axis=1)
    net = DeepRegressor(3, 32, 16, 2)
    for epoch in range(500):
        pred = net.forward(X)
        net.backward(X, y, learning_rate=0.1)
    print("half MSE:", 0.5 * np.mean(np.sum((net.forward(X) - y) ** 2, axis=1)))
