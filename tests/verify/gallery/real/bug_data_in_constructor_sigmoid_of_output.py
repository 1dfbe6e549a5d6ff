"""The network is given its data when it is made, and keeps four hidden units."""

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(x):
    return sigmoid(x) * (1 - sigmoid(x))


class NeuralNet:
    def __init__(self, x, y):
        self.input = x
        self.y = y
        self.W_hidden = np.random.rand(x.shape[1], 4)
        self.W_out = np.random.rand(4, 1)

    def feedforward(self):
        self.hidden = sigmoid(self.input @ self.W_hidden)
        self.output = sigmoid(self.hidden @ self.W_out)
        return self.output

    def backprop(self):
        # loss: sum of (y - output)^2
        slope_out = sigmoid_derivative(self.output)
        slope_hidden = sigmoid_derivative(self.hidden)
        out_signal = 2 * (self.y - self.output) * slope_out
        grad_out = self.hidden.T @ out_signal
        grad_hidden = self.input.T @ ((out_signal @ self.W_out.T) * slope_hidden)
        self.W_hidden += grad_hidden
        self.W_out += grad_out


if __name__ == "__main__":
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    nn = NeuralNet(X, y)
    for _ in range(2000):
        nn.feedforward()
        nn.backprop()
    print(nn.output.ravel())
