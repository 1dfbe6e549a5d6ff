import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class TinyNet:
    def __init__(self, n_in, n_hidden, n_out, lr=0.5):
        self.lr = lr
        self.layers = [
            {"W": np.random.randn(n_in, n_hidden), "b": np.zeros((1, n_hidden))},
            {"W": np.random.randn(n_hidden, n_out), "b": np.zeros((1, n_out))},
        ]

    def forward(self, X):
        l1, l2 = self.layers
        self.a1 = sigmoid(X @ l1["W"] + l1["b"])
        self.a2 = sigmoid(self.a1 @ l2["W"] + l2["b"])
        return self.a2

    def backward(self, X, Y):
        l1, l2 = self.layers
        m = X.shape[0]
        a2 = self.forward(X)
        d2 = (a2 - Y) * a2 * (1 - a2)
        d1 = (d2 @ l2["W"].T) * self.a1 * (1 - self.a1)
        dW2 = self.a1.T @ d2 / m
        db2 = d2.mean(axis=0, keepdims=True)
        dW1 = X.T @ d1
        db1 = d1.sum(axis=0, keepdims=True)
        l2["W"] -= self.lr * dW2
        l2["b"] -= self.lr * db2
        l1["W"] -= self.lr * dW1
        l1["b"] -= self.lr * db1
