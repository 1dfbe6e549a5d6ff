"""A small classifier in the column layout of the math: one sample per column.

tanh hidden layer, softmax output, cross-entropy summed over the batch, targets one-hot
columns (classes, samples).
"""

import numpy as np


def softmax(z):
    # shifted by the column's maximum: exp never overflows
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


class SoftmaxClassifier:
    def __init__(self, n_inputs, n_hidden, n_classes, seed=0):
        rng = np.random.default_rng(seed)
        self.W1 = rng.normal(0.0, 1.0 / np.sqrt(n_inputs), (n_hidden, n_inputs))
        self.b1 = np.zeros((n_hidden, 1))
        self.W2 = rng.normal(0.0, 1.0 / np.sqrt(n_hidden), (n_classes, n_hidden))
        self.b2 = np.zeros((n_classes, 1))

    def forward(self, X):
        self.H = np.tanh(self.W1 @ X + self.b1)
        self.P = softmax(self.W2 @ self.H + self.b2)
        return self.P

    def loss(self, Y):
        return -np.sum(Y * np.log(self.P + 1e-12))

    def backward(self, X, Y, learning_rate):
        # softmax followed by cross-entropy: dL/dz2 = P - Y, the Jacobian cancels
        dZ2 = self.P - Y
        dZ1 = (self.W2.T @ dZ2) * (1.0 - self.H ** 2)
        self.W2 -= learning_rate * dZ2 @ self.H.T
        self.b2 -= learning_rate * dZ2.sum(axis=1, keepdims=True)
        self.W1 -= learning_rate * dZ1 @ X.T
        self.b1 -= learning_rate * dZ1.sum(axis=1, keepdims=True)


if __name__ == "__main__":
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2, 200))
    labels = (X[0] * X[1] > 0).astype(int) + (X[0] > 1)
    Y = np.eye(3)[:, labels]
    net = SoftmaxClassifier(2, 16, 3)
    for epoch in range(500):
        net.forward(X)
        net.backward(X, Y, 0.01)
    print("loss", net.loss(Y), "accuracy", np.mean(net.forward(X).argmax(axis=0) == labels))
