"""ReLU hidden layer, sigmoid output, summed log-loss; the learning rate is fixed at construction."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Classifier:
    def __init__(self, n_in, n_hidden, n_out, learning_rate):
        rng = np.random.default_rng(11)
        self.W1 = rng.normal(0, np.sqrt(2 / n_in), (n_in, n_hidden))
        self.b1 = np.zeros(n_hidden)
        self.W2 = rng.normal(0, np.sqrt(1 / n_hidden), (n_hidden, n_out))
        self.b2 = np.zeros(n_out)
        self.learning_rate = learning_rate

    def forward(self, X):
        self.z1 = X @ self.W1 + self.b1
        self.h = np.maximum(self.z1, 0)
        return sigmoid(self.h @ self.W2 + self.b2)

    def _gradients(self, X, y):
        p = self.forward(X)
        d2 = p - y
        step_W2 = self.learning_rate * (self.h.T @ d2)
        grad_b2 = d2.sum(axis=0)
        d1 = (d2 @ self.W2.T) * (self.z1 > 0)
        return grad_b2, step_W2, d1.sum(axis=0), X.T @ d1

    def train(self, X, y):
        grad_b2, step_W2, grad_b1, grad_W1 = self._gradients(X, y)
        self.W2 -= self.learning_rate * step_W2
        self.b2 -= self.learning_rate * grad_b2
        self.W1 -= self.learning_rate * grad_W1
        self.b1 -= self.learning_rate * grad_b1


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, :1] ** 2 + X[:, 1:] ** 2 < 1).astype(float)
    clf = Classifier(2, 12, 1, learning_rate=0.05)
    for _ in range(2000):
        clf.train(X, y)
    print("accuracy", np.mean((clf.forward(X) > 0.5) == y))
