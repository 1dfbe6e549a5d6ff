"""Planar classifier with samples in columns: tanh hidden layer, sigmoid output, mean log-loss."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class ShallowTanhNet:
    def __init__(self, n_x, n_h, n_y, learning_rate=0.5):
        self.W1 = np.random.randn(n_h, n_x) * 0.1
        self.b1 = np.zeros((n_h, 1))
        self.W2 = np.random.randn(n_y, n_h) * 0.1
        self.b2 = np.zeros((n_y, 1))
        self.learning_rate = learning_rate

    def forward(self, X):
        self.Z1 = self.W1 @ X + self.b1
        self.A1 = np.tanh(self.Z1)
        self.Z2 = self.W2 @ self.A1 + self.b2
        self.A2 = sigmoid(self.Z2)
        return self.A2

    def train_step(self, X, Y):
        A2 = self.forward(X)
        m = X.shape[1]
        dZ2 = A2 - Y
        dW2 = dZ2 @ self.A1.T / m
        db2 = dZ2.sum(axis=1, keepdims=True) / m
        # tanh'(z) = 1 - tanh(z)^2
        dZ1 = (self.W2.T @ dZ2) * (1 - np.power(self.Z1, 2))
        dW1 = dZ1 @ X.T / m
        db1 = dZ1.sum(axis=1, keepdims=True) / m
        self.W1 -= self.learning_rate * dW1
        self.b1 -= self.learning_rate * db1
        self.W2 -= self.learning_rate * dW2
        self.b2 -= self.learning_rate * db2


if __name__ == "__main__":
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2, 300))
    Y = (np.sum(X ** 2, axis=0, keepdims=True) < 1).astype(float)
    net = ShallowTanhNet(2, 5, 1)
    for _ in range(3000):
        net.train_step(X, Y)
    print("accuracy", np.mean((net.forward(X) > 0.5) == Y))
