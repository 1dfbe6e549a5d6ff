"""Binary classification in the style of PyTorch's nn.BCEWithLogitsLoss, by hand.

Column layout (features, samples), W (out, in), b (out, 1), ReLU hidden layer; `forward`
returns the logit of every output; the step applies the sigmoid inside the loss, binary
cross-entropy summed over the samples (0/1 or soft targets), whose gradient with respect to
the logit is sigmoid(logit) - y.
"""

import numpy as np


def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))


class BinaryLogitClassifier:
    def __init__(self, n_in, n_hidden, n_out=1):
        rng = np.random.default_rng(11)
        self.W1 = rng.normal(0, 0.5, (n_hidden, n_in))
        self.b1 = np.zeros((n_hidden, 1))
        self.W2 = rng.normal(0, 0.5, (n_out, n_hidden))
        self.b2 = np.zeros((n_out, 1))

    def forward(self, X):
        self.z1 = self.W1 @ X + self.b1
        self.a1 = np.maximum(self.z1, 0)
        self.logit = self.W2 @ self.a1 + self.b2
        return self.logit

    def loss(self, X, y):
        s = self.forward(X)
        # log(1 + e^s) - y s, the stable form of binary cross-entropy on a logit
        return np.sum(np.logaddexp(0, s) - y * s)

    def backward(self, X, y, learning_rate):
        s = self.forward(X)
        d2 = sigmoid(s) - y
        d1 = (self.W2.T @ d2) * (self.z1 > 0)
        self.W2 -= learning_rate * d2 @ self.a1.T
        self.b2 -= learning_rate * d2.sum(axis=1, keepdims=True)
        self.W1 -= learning_rate * d1 @ X.T
        self.b1 -= learning_rate * d1.sum(axis=1, keepdims=True)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 200))
    y = (X[0:1] * X[1:2] > 0).astype(float)
    net = BinaryLogitClassifier(2, 16)
    for _ in range(2000):
        net.backward(X, y, 0.01)
    print("loss", net.loss(X, y), "accuracy", np.mean((net.forward(X) > 0) == y))
