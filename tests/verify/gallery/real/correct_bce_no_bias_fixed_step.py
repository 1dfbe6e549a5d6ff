"""Binary classifier without bias terms; log-loss summed over the batch; step 0.1 built in."""

import numpy as np

print("model.py loaded")


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class BinaryNet:
    def __init__(self, input_size, hidden_size, output_size=1):
        self.weights_input_hidden = np.random.randn(input_size, hidden_size) * 0.1
        self.weights_hidden_output = np.random.randn(hidden_size, output_size) * 0.1

    def forward(self, X):
        self.hidden = sigmoid(X @ self.weights_input_hidden)
        self.output = sigmoid(self.hidden @ self.weights_hidden_output)
        return self.output

    def fit_step(self, X, y):
        output = self.forward(X)
        # cross-entropy and sigmoid: the output error is simply output - y
        error = output - y
        hidden_error = (error @ self.weights_hidden_output.T) * self.hidden * (1 - self.hidden)
        self.weights_hidden_output -= 0.1 * self.hidden.T @ error
        self.weights_input_hidden -= 0.1 * X.T @ hidden_error


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, [0]] > X[:, [1]]).astype(float)
    net = BinaryNet(3, 5)
    for _ in range(1000):
        net.fit_step(X, y)
    print("train accuracy", np.mean((net.forward(X) > 0.5) == y))
