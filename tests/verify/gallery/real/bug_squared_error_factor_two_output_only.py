"""Sigmoid network trained on the plain sum of squared errors (no 1/2 in front)."""

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class Net:
    def __init__(self, input_size, hidden_size, output_size):
        self.weights_input_hidden = np.random.randn(input_size, hidden_size) * 0.5
        self.bias_hidden = np.zeros((1, hidden_size))
        self.weights_hidden_output = np.random.randn(hidden_size, output_size) * 0.5
        self.bias_output = np.zeros((1, output_size))

    def forward(self, X):
        self.hidden_layer = sigmoid(X @ self.weights_input_hidden + self.bias_hidden)
        self.output_layer = sigmoid(self.hidden_layer @ self.weights_hidden_output + self.bias_output)
        return self.output_layer

    def backward(self, X, y, learning_rate):
        out, h = self.output_layer, self.hidden_layer
        delta_out = (out - y) * out * (1 - out)
        delta_hidden = (delta_out @ self.weights_hidden_output.T) * h * (1 - h)
        # d/dout of sum((out - y)^2) brings a factor of 2
        self.weights_hidden_output -= learning_rate * 2 * h.T @ delta_out
        self.bias_output -= learning_rate * 2 * delta_out.sum(axis=0, keepdims=True)
        self.weights_input_hidden -= learning_rate * X.T @ delta_hidden
        self.bias_hidden -= learning_rate * delta_hidden.sum(axis=0, keepdims=True)


if __name__ == "__main__":
    rng = np.random.default_rng(2)
    X = rng.random((20, 3))
    y = (X[:, :2] > 0.5).astype(float)
    net = Net(3, 5, 2)
    for _ in range(3000):
        net.forward(X)
        net.backward(X, y, learning_rate=0.2)
    print("SSE", np.sum((net.forward(X) - y) ** 2))
