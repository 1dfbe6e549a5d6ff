import numpy as np


class TanhNet:
    def __init__(self, input_nodes, hidden_nodes, output_nodes):
        self.weights_1 = np.random.randn(hidden_nodes, input_nodes) * 0.5
        self.bias_1 = np.zeros((hidden_nodes, 1))
        self.weights_2 = np.random.randn(output_nodes, hidden_nodes) * 0.5
        self.bias_2 = np.zeros((output_nodes, 1))

    def feedforward(self, X):
        # X: (features, samples)
        self.hidden = np.tanh(np.dot(self.weights_1, X) + self.bias_1)
        self.output = np.tanh(np.dot(self.weights_2, self.hidden) + self.bias_2)
        return self.output

    def backpropagate(self, X, Y, lr):
        n = X.shape[1]
        out = self.feedforward(X)
        # loss = mean over samples of sum over outputs of (out - Y)^2
        d_out = 2 * (out - Y) / n * (1 - out ** 2)
        d_hid = np.dot(self.weights_2.T, d_out) * (1 - self.hidden ** 2)
        self.weights_2 -= lr * np.dot(d_out, self.hidden.T)
        self.bias_2 -= lr * np.sum(d_out, axis=1, keepdims=True)
        self.weights_1 -= lr * np.dot(d_hid, X.T)
        self.bias_1 -= lr * np.sum(d_hid, axis=1, keepdims=True)
