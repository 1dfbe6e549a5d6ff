"""XOR with column vectors: every sample is a column of X, biases are column vectors."""

import numpy as np

X_XOR = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
Y_XOR = np.array([[0, 1, 1, 0]], dtype=float)
print("XOR data:", X_XOR.shape[1], "samples")


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class XorNet:
    def __init__(self, n_input=2, n_hidden=2, n_output=1, lr=0.1):
        self.weights_input_hidden = np.random.uniform(-1, 1, (n_hidden, n_input))
        self.bias_hidden = np.zeros((n_hidden, 1))
        self.weights_hidden_output = np.random.uniform(-1, 1, (n_output, n_hidden))
        self.bias_output = np.zeros((n_output, 1))
        self.lr = lr

    def forward(self, X):
        self.hidden = sigmoid(self.weights_input_hidden @ X + self.bias_hidden)
        return sigmoid(self.weights_hidden_output @ self.hidden + self.bias_output)

    def backward(self, X, y, output):
        """One gradient step; `output` is what forward(X) returned."""
        output_delta = (output - y) * output * (1 - output)
        hidden_delta = (self.weights_hidden_output.T @ output_delta) * self.hidden * (1 - self.hidden)

        self.weights_hidden_output -= self.lr * output_delta @ self.hidden.T
        self.bias_output -= self.lr * np.sum(output_delta, axis=1, keepdims=True)
        self.weights_input_hidden -= self.lr * hidden_delta @ X.T
        self.bias_hidden -= self.lr * np.sum(hidden_delta, axis=1, keepdims=True)


if __name__ == "__main__":
    net = XorNet(lr=0.5)
    for epoch in range(20000):
        out = net.forward(X_XOR)
        net.backward(X_XOR, Y_XOR, out)
    print(np.round(net.forward(X_XOR), 2))
