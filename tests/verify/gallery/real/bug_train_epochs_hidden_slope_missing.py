"""XOR with biases; train() runs its own loop over epochs."""

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(s):
    return s * (1 - s)


class Network:
    def __init__(self, n_inputs, n_hidden, n_outputs):
        self.hidden_weights = np.random.uniform(size=(n_inputs, n_hidden))
        self.hidden_bias = np.random.uniform(size=(1, n_hidden))
        self.output_weights = np.random.uniform(size=(n_hidden, n_outputs))
        self.output_bias = np.random.uniform(size=(1, n_outputs))

    def predict(self, X):
        hidden = sigmoid(X @ self.hidden_weights + self.hidden_bias)
        return sigmoid(hidden @ self.output_weights + self.output_bias)

    def train(self, X, y, epochs=10000, lr=0.1):
        for _ in range(epochs):
            hidden = sigmoid(X @ self.hidden_weights + self.hidden_bias)
            output = sigmoid(hidden @ self.output_weights + self.output_bias)

            error = y - output
            d_output = error * sigmoid_derivative(output)
            d_hidden = d_output @ self.output_weights.T

            self.output_weights += lr * hidden.T @ d_output
            self.output_bias += lr * np.sum(d_output, axis=0, keepdims=True)
            self.hidden_weights += lr * X.T @ d_hidden
            self.hidden_bias += lr * np.sum(d_hidden, axis=0, keepdims=True)


if __name__ == "__main__":
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = Network(2, 2, 1)
    net.train(X, y, epochs=10000, lr=0.1)
    print(net.predict(X).ravel())
