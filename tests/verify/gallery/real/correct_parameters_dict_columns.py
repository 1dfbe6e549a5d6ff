"""Planar data classifier: parameters in a dict, samples in columns, tanh then sigmoid."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class ShallowNet:
    def __init__(self, n_x, n_h, n_y):
        self.parameters = {
            "W1": np.random.randn(n_h, n_x) * 0.01,
            "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h) * 0.01,
            "b2": np.zeros((n_y, 1)),
        }

    def forward(self, X):
        W1, b1 = self.parameters["W1"], self.parameters["b1"]
        W2, b2 = self.parameters["W2"], self.parameters["b2"]
        Z1 = np.dot(W1, X) + b1
        A1 = np.tanh(Z1)
        Z2 = np.dot(W2, A1) + b2
        A2 = sigmoid(Z2)
        cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
        return A2, cache

    @staticmethod
    def compute_cost(A2, Y):
        m = Y.shape[1]
        logprobs = Y * np.log(A2) + (1 - Y) * np.log(1 - A2)
        return float(-np.sum(logprobs) / m)

    def backward(self, cache, X, Y):
        m = X.shape[1]
        W2 = self.parameters["W2"]
        A1, A2 = cache["A1"], cache["A2"]
        dZ2 = A2 - Y
        dW2 = np.dot(dZ2, A1.T) / m
        db2 = np.sum(dZ2, axis=1, keepdims=True) / m
        dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
        dW1 = np.dot(dZ1, X.T) / m
        db1 = np.sum(dZ1, axis=1, keepdims=True) / m
        return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}

    def update(self, grads, learning_rate=1.2):
        for key in ("W1", "b1", "W2", "b2"):
            self.parameters[key] = self.parameters[key] - learning_rate * grads["d" + key]

    def train_step(self, X, Y, learning_rate=1.2):
        A2, cache = self.forward(X)
        grads = self.backward(cache, X, Y)
        self.update(grads, learning_rate)
        return self.compute_cost(A2, Y)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 400))
    Y = (X[0:1] * X[1:2] > 0).astype(float)
    net = ShallowNet(2, 4, 1)
    for i in range(5000):
        cost = net.train_step(X, Y)
        if i % 1000 == 0:
            print(f"Cost after iteration {i}: {cost:.6f}")
