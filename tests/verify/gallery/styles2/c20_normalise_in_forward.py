import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class StandardisingNet:
    """Standardises each feature over the batch inside forward."""

    def __init__(self, input_size, hidden_size, output_size):
        self.W1 = np.random.randn(input_size, hidden_size) * 0.5
        self.b1 = np.zeros(hidden_size)
        self.W2 = np.random.randn(hidden_size, output_size) * 0.5
        self.b2 = np.zeros(output_size)

    def forward(self, X):
        X = (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-8)
        self.Xn = X
        self.h = sigmoid(X @ self.W1 + self.b1)
        self.out = sigmoid(self.h @ self.W2 + self.b2)
        return self.out

    def backward(self, X, y, learning_rate):
        out = self.forward(X)
        d2 = (out - y) * out * (1 - out)
        d1 = (d2 @ self.W2.T) * self.h * (1 - self.h)
        self.W2 -= learning_rate * self.h.T @ d2
        self.b2 -= learning_rate * d2.sum(axis=0)
        self.W1 -= learning_rate * self.Xn.T @ d1
        self.b1 -= learning_rate * d1.sum(axis=0)
