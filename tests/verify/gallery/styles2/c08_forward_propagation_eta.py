import numpy as np


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


class NeuralNet:
    def __init__(self, n_x, n_h, n_y):
        self.eta = 0.5
        self.W1 = np.random.randn(n_h, n_x) * 0.01
        self.b1 = np.zeros((n_h, 1))
        self.W2 = np.random.randn(n_y, n_h) * 0.01
        self.b2 = np.zeros((n_y, 1))

    def forward_propagation(self, X):
        self.Z1 = self.W1 @ X + self.b1
        self.A1 = sigmoid(self.Z1)
        self.Z2 = self.W2 @ self.A1 + self.b2
        self.A2 = sigmoid(self.Z2)
        return self.A2

    def back_propagation(self, X, Y):
        m = X.shape[1]
        dZ2 = (self.A2 - Y) * self.A2 * (1 - self.A2)
        dW2 = dZ2 @ self.A1.T / m
        db2 = np.sum(dZ2, axis=1, keepdims=True) / m
        dZ1 = (self.W2.T @ dZ2) * self.A1 * (1 - self.A1)
        dW1 = dZ1 @ X.T / m
        db1 = np.sum(dZ1, axis=1, keepdims=True) / m
        self.W1 = self.W1 - self.eta * dW1
        self.b1 = self.b1 - self.eta * db1
        self.W2 = self.W2 - self.eta * dW2
        self.b2 = self.b2 - self.eta * db2
