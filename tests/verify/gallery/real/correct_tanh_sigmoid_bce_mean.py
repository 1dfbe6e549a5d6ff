"""Binary classifier with one tanh hidden layer and a sigmoid output, trained on mean log-loss."""

import numpy as np


class TwoLayerClassifier:
    def __init__(self, input_size, hidden_size, output_size):
        rng = np.random.default_rng(42)
        self.W1 = rng.standard_normal((input_size, hidden_size)) * 0.5
        self.b1 = np.zeros(hidden_size)
        self.W2 = rng.standard_normal((hidden_size, output_size)) * 0.5
        self.b2 = np.zeros(output_size)

    def forward(self, X):
        self.z1 = X @ self.W1 + self.b1
        self.a1 = np.tanh(self.z1)
        self.z2 = self.a1 @ self.W2 + self.b2
        self.a2 = 1.0 / (1.0 + np.exp(-self.z2))
        return self.a2

    def loss(self, y):
        eps = 1e-12
        ll = y * np.log(self.a2 + eps) + (1 - y) * np.log(1 - self.a2 + eps)
        return -np.mean(np.sum(ll, axis=1))

    def backward(self, X, y, learning_rate):
        m = X.shape[0]
        # sigmoid + cross-entropy collapse to (a2 - y); the mean brings 1/m
        dz2 = (self.a2 - y) / m
        dW2 = self.a1.T @ dz2
        db2 = dz2.sum(axis=0)
        dz1 = (dz2 @ self.W2.T) * (1 - self.a1 ** 2)
        dW1 = X.T @ dz1
        db1 = dz1.sum(axis=0)

        self.W1 -= learning_rate * dW1
        self.b1 -= learning_rate * db1
        self.W2 -= learning_rate * dW2
        self.b2 -= learning_rate * db2


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    clf = TwoLayerClassifier(2, 8, 1)
    for step in range(2000):
        clf.forward(X)
        clf.backward(X, y, learning_rate=0.5)
    print("log-loss", clf.loss(y))
