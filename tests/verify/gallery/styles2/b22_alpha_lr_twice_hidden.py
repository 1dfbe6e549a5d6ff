import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class SimpleNN:
    def __init__(self, input_size, hidden_size, output_size, alpha=0.5):
        self.alpha = alpha
        self.weights_input_hidden = np.random.uniform(-1, 1, (input_size, hidden_size))
        self.bias_hidden = np.zeros((1, hidden_size))
        self.weights_hidden_output = np.random.uniform(-1, 1, (hidden_size, output_size))
        self.bias_output = np.zeros((1, output_size))

    def forward(self, X):
        self.hidden = sigmoid(X @ self.weights_input_hidden + self.bias_hidden)
        self.output = sigmoid(self.hidden @ self.weights_hidden_output + self.bias_output)
        return self.output

    def train(self, X, y):
        output = self.forward(X)
        output_delta = (output - y) * output * (1 - output)
        hidden_delta = self.alpha * (output_delta @ self.weights_hidden_output.T) * self.hidden * (1 - self.hidden)
        self.weights_hidden_output -= self.alpha * self.hidden.T @ output_delta
        self.bias_output -= self.alpha * output_delta.sum(axis=0, keepdims=True)
        self.weights_input_hidden -= self.alpha * X.T @ hidden_delta
        self.bias_hidden -= self.alpha * hidden_delta.sum(axis=0, keepdims=True)
