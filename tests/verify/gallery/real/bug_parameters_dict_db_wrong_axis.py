"""Samples in columns, parameters in a dict: ReLU hidden layer, sigmoid output, mean log-loss."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Classifier:
    def __init__(self, n_x, n_h, n_y):
        self.parameters = {
            "W1": np.random.randn(n_h, n_x) * np.sqrt(2 / n_x),
            "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h) * 0.1,
            "b2": np.zeros((n_y, 1)),
        }

    def predict(self, X):
        """Probabilities, one column per sample."""
        p = self.parameters
        A1 = np.maximum(0, p["W1"] @ X + p["b1"])
        return sigmoid(p["W2"] @ A1 + p["b2"])

    def fit_step(self, X, Y, learning_rate):
        p = self.parameters
        m = X.shape[1]
        Z1 = p["W1"] @ X + p["b1"]
        A1 = np.maximum(0, Z1)
        A2 = sigmoid(p["W2"] @ A1 + p["b2"])

        dZ2 = A2 - Y
        dW2 = dZ2 @ A1.T / m
        db2 = np.sum(dZ2, axis=1, keepdims=True) / m
        dZ1 = (p["W2"].T @ dZ2) * (Z1 > 0)
        dW1 = dZ1 @ X.T / m
        db1 = np.sum(dZ1, axis=0, keepdims=True) / m

        p["W1"] = p["W1"] - learning_rate * dW1
        p["b1"] = p["b1"] - learning_rate * db1
        p["W2"] = p["W2"] - learning_rate * dW2
        p["b2"] = p["b2"] - learning_rate * db2


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 200))
    Y = (X[0:1] > X[1:2]).astype(float)
    clf = Classifier(2, 8, 1)
    for _ in range(1000):
        clf.fit_step(X, Y, learning_rate=0.5)
    print("accuracy", np.mean((clf.predict(X) > 0.5) == Y))
