"""A very small net with three hidden ReLU units (the width is fixed below)."""

import numpy as np

HIDDEN_UNITS = 3


def relu(z):
    return np.maximum(0, z)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class SmallNet:
    def __init__(self, input_size=2, output_size=1):
        self.W1 = np.random.randn(input_size, HIDDEN_UNITS) * 0.5
        self.b1 = np.zeros(HIDDEN_UNITS)
        self.W2 = np.random.randn(HIDDEN_UNITS, output_size) * 0.5
        self.b2 = np.zeros(output_size)

    def predict(self, X):
        return sigmoid(relu(X @ self.W1 + self.b1) @ self.W2 + self.b2)

    def train_step(self, X, y, lr=0.1):
        n = len(X)
        z1 = X @ self.W1 + self.b1
        h = relu(z1)
        out = sigmoid(h @ self.W2 + self.b2)
        # loss = mean over samples of 0.5 * sum((out - y)^2)
        d_out = (out - y) * out * (1 - out) / n
        d_h = (d_out @ self.W2.T) * (z1 > 0)
        self.W2 -= lr * h.T @ d_out
        self.b2 -= lr * d_out.sum(axis=0)
        self.W1 -= lr * X.T @ d_h
        self.b1 -= lr * d_h.sum(axis=0)
        return 0.5 * np.mean(np.sum((out - y) ** 2, axis=1))


if __name__ == "__main__":
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [1]], dtype=float)
    net = SmallNet()
    for _ in range(5000):
        net.train_step(X, y, lr=1.0)
    print(net.predict(X).round(2).ravel())
