"""Online learning: the weights change after every single training row."""

import numpy as np


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


class OnlineMLP:
    def __init__(self, n_inputs, n_hidden, n_outputs):
        rng = np.random.default_rng()
        self.W1 = rng.uniform(-1, 1, (n_inputs, n_hidden))
        self.b1 = np.zeros(n_hidden)
        self.W2 = rng.uniform(-1, 1, (n_hidden, n_outputs))
        self.b2 = np.zeros(n_outputs)

    def predict(self, X):
        H = sigmoid(X @ self.W1 + self.b1)
        return sigmoid(H @ self.W2 + self.b2)

    def train(self, X, y, lr):
        """One pass over the rows of X, in order."""
        for x, target in zip(X, y):
            h = sigmoid(x @ self.W1 + self.b1)
            o = sigmoid(h @ self.W2 + self.b2)
            delta_o = (o - target) * o * (1 - o)
            delta_h = (self.W2 @ delta_o) * h * (1 - h)
            self.W2 -= lr * np.outer(h, delta_o)
            self.b2 -= lr * delta_o
            self.W1 -= lr * np.outer(x, delta_h)
            self.b1 -= lr * delta_h


if __name__ == "__main__":
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = OnlineMLP(2, 3, 1)
    for epoch in range(5000):
        net.train(X, y, lr=0.5)
    print(net.predict(X).ravel())
