"""Two sigmoid layers, parameters in a dict, averaged half squared error."""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def dsigmoid(y):
    """Slope of the sigmoid, written through its output y = sigmoid(x)."""
    return y * (1.0 - y)


class Model:
    def __init__(self, n_input, n_hidden, n_output):
        self.params = {
            "W1": np.random.randn(n_input, n_hidden) * 0.5,
            "b1": np.zeros((1, n_hidden)),
            "W2": np.random.randn(n_hidden, n_output) * 0.5,
            "b2": np.zeros((1, n_output)),
        }

    def forward(self, X):
        p = self.params
        self.Z1 = X @ p["W1"] + p["b1"]
        self.A1 = sigmoid(self.Z1)
        self.Z2 = self.A1 @ p["W2"] + p["b2"]
        self.A2 = sigmoid(self.Z2)
        return self.A2

    def backward(self, X, Y, lr):
        m = X.shape[0]
        dZ2 = (self.A2 - Y) * dsigmoid(self.Z2) / m
        dW2 = self.A1.T @ dZ2
        db2 = dZ2.sum(axis=0, keepdims=True)
        dZ1 = (dZ2 @ self.params["W2"].T) * dsigmoid(self.Z1)
        dW1 = X.T @ dZ1
        db1 = dZ1.sum(axis=0, keepdims=True)
        for key, grad in (("W1", dW1), ("b1", db1), ("W2", dW2), ("b2", db2)):
            self.params[key] -= lr * grad


if __name__ == "__main__":
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    Y = np.array([[0], [1], [1], [0]], dtype=float)
    model = Model(2, 4, 1)
    for _ in range(5000):
        model.forward(X)
        model.backward(X, Y, lr=1.0)
    print(model.forward(X).ravel())
