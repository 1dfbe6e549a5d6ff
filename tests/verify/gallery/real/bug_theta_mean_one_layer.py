"""Vectorised version of the theta-matrix exercise: bias units as a column of ones, mean log-loss."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_gradient(z):
    return sigmoid(z) * (1 - sigmoid(z))


class ThetaClassifier:
    def __init__(self, n_features, n_hidden, n_labels):
        rng = np.random.default_rng(0)
        self.theta1 = rng.uniform(-0.12, 0.12, (n_hidden, n_features + 1))
        self.theta2 = rng.uniform(-0.12, 0.12, (n_labels, n_hidden + 1))

    def forward(self, X):
        m = X.shape[0]
        self.a1 = np.c_[np.ones(m), X]
        self.z2 = self.a1 @ self.theta1.T
        self.a2 = np.c_[np.ones(m), sigmoid(self.z2)]
        self.h = sigmoid(self.a2 @ self.theta2.T)
        return self.h

    def cost(self, X, y):
        h = self.forward(X)
        return -np.sum(y * np.log(h) + (1 - y) * np.log(1 - h)) / len(X)

    def gradient_descent_step(self, X, y, lr):
        m = len(X)
        h = self.forward(X)
        d3 = h - y
        d2 = (d3 @ self.theta2[:, 1:]) * sigmoid_gradient(self.z2)
        theta2_grad = (d3.T @ self.a2) / m
        theta1_grad = d2.T @ self.a1
        self.theta1 -= lr * theta1_grad
        self.theta2 -= lr * theta2_grad


if __name__ == "__main__":
    rng = np.random.default_rng(1)
    X = rng.random((80, 4))
    y = np.eye(3)[rng.integers(0, 3, 80)]
    clf = ThetaClassifier(4, 6, 3)
    for _ in range(300):
        clf.gradient_descent_step(X, y, lr=1.0)
    print("J", clf.cost(X, y))
