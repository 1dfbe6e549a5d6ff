import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class XorNet:
    def __init__(self, n_input, n_hidden, n_output):
        self.w1 = np.random.randn(n_input, n_hidden)
        self.b1 = np.zeros((1, n_hidden))
        self.w2 = np.random.randn(n_hidden, n_output)
        self.b2 = np.zeros((1, n_output))

    def forward(self, X):
        self.z1 = np.dot(X, self.w1) + self.b1
        self.a1 = sigmoid(self.z1)
        self.z2 = np.dot(self.a1, self.w2) + self.b2
        self.a2 = sigmoid(self.z2)
        return self.a2

    def backward(self, X, y, lr):
        a2 = self.forward(X)
        d2 = (a2 - y) * a2 * (1 - a2)
        d1 = np.dot(d2, self.w2.T) * self.a1 * (1 - self.a1)
        self.w2 -= lr * np.dot(self.z1.T, d2)
        self.b2 -= lr * np.sum(d2, axis=0, keepdims=True)
        self.w1 -= lr * np.dot(X.T, d1)
        self.b1 -= lr * np.sum(d1, axis=0, keepdims=True)
