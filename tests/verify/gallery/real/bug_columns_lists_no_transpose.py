"""Two-layer sigmoid net; samples are columns, weights and biases kept in lists; step 0.25 built in."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size):
        self.weights = [np.random.randn(hidden_size, input_size), np.random.randn(output_size, hidden_size)]
        self.biases = [np.zeros((hidden_size, 1)), np.zeros((output_size, 1))]

    def forward(self, X):
        self.a1 = sigmoid(self.weights[0] @ X + self.biases[0])
        self.a2 = sigmoid(self.weights[1] @ self.a1 + self.biases[1])
        return self.a2

    def backward(self, X, Y):
        """Call after forward(X); takes one step on half the summed squared error."""
        d2 = (self.a2 - Y) * self.a2 * (1 - self.a2)
        d1 = (self.weights[1] @ d2) * self.a1 * (1 - self.a1)
        self.weights[1] -= 0.25 * d2 @ self.a1.T
        self.biases[1] -= 0.25 * d2.sum(axis=1, keepdims=True)
        self.weights[0] -= 0.25 * d1 @ X.T
        self.biases[0] -= 0.25 * d1.sum(axis=1, keepdims=True)


if __name__ == "__main__":
    X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
    Y = np.array([[0, 1, 1, 0], [1, 0, 0, 1]], dtype=float)
    net = TwoLayerNet(2, 2, 2)
    for _ in range(20000):
        net.forward(X)
        net.backward(X, Y)
    print(net.forward(X).round(2))
