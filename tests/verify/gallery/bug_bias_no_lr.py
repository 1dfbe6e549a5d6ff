"""Bug: the hidden bias moves by its whole gradient, without the learning rate (b1 -= db1)."""


import numpy as np


def logistic(v):
    return 1.0 / (1.0 + np.exp(-v))


class Net:
    def __init__(self, input_size, hidden_size, output_size):
        rng = np.random.default_rng(0)
        self.W1 = rng.normal(size=(hidden_size, input_size))
        self.b1 = rng.normal(size=(hidden_size, 1))
        self.W2 = rng.normal(size=(output_size, hidden_size))
        self.b2 = rng.normal(size=(output_size, 1))

    def forward(self, X):
        self.h = logistic(self.W1 @ X + self.b1)
        self.out = logistic(self.W2 @ self.h + self.b2)
        return self.out

    def backward(self, X, y, learning_rate):
        # slope of the logistic written through its output: s (1 - s)
        e2 = (self.out - y) * self.out * (1 - self.out)
        e1 = (self.W2.T @ e2) * self.h * (1 - self.h)
        self.W2 -= learning_rate * e2 @ self.h.T
        self.b2 -= learning_rate * e2.sum(axis=1, keepdims=True)
        self.W1 -= learning_rate * e1 @ X.T
        self.b1 -= e1.sum(axis=1, keepdims=True)
