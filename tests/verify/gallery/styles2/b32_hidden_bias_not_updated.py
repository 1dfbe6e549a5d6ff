import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class ColumnNet:
    def __init__(self, n_inputs, n_hidden, n_outputs, rate=0.5):
        self.rate = rate
        self.input_weights = np.random.randn(n_hidden, n_inputs)
        self.input_bias = np.zeros((n_hidden, 1))
        self.output_weights = np.random.randn(n_outputs, n_hidden)
        self.output_bias = np.zeros((n_outputs, 1))

    def forward(self, X):
        self.hidden = sigmoid(self.input_weights @ X + self.input_bias)
        self.out = sigmoid(self.output_weights @ self.hidden + self.output_bias)
        return self.out

    def backward(self, X, Y):
        out = self.forward(X)
        d_out = (out - Y) * out * (1 - out)
        d_hidden = (self.output_weights.T @ d_out) * self.hidden * (1 - self.hidden)
        self.output_weights -= self.rate * d_out @ self.hidden.T
        self.output_bias -= self.rate * d_out.sum(axis=1, keepdims=True)
        self.input_weights -= self.rate * d_hidden @ X.T
