import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(s):
    return s * (1 - s)


class Classifier:
    def __init__(self, n_in, n_hidden, n_out):
        self.W1 = np.random.randn(n_in, n_hidden) * 0.3
        self.b1 = np.zeros((1, n_hidden))
        self.W2 = np.random.randn(n_hidden, n_out) * 0.3
        self.b2 = np.zeros((1, n_out))

    def forward(self, X):
        self.h = np.tanh(X @ self.W1 + self.b1)
        self.y_hat = sigmoid(self.h @ self.W2 + self.b2)
        return self.y_hat

    def backward(self, X, y, lr=0.1):
        y_hat = self.forward(X)
        d2 = y_hat - y  # BCE
        d1 = (d2 @ self.W2.T) * sigmoid_derivative(self.h)
        self.W2 -= lr * self.h.T @ d2
        self.b2 -= lr * d2.sum(axis=0, keepdims=True)
        self.W1 -= lr * X.T @ d1
        self.b1 -= lr * d1.sum(axis=0, keepdims=True)
