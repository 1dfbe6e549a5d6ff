"""Online training, one row at a time: tanh hidden layer, sigmoid output."""

import numpy as np


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


class OnlineNet:
    def __init__(self, n_in, n_hidden, n_out):
        self.W1 = np.random.randn(n_in, n_hidden) * 0.5
        self.b1 = np.zeros(n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out) * 0.5
        self.b2 = np.zeros(n_out)

    def predict(self, X):
        return sigmoid(np.tanh(X @ self.W1 + self.b1) @ self.W2 + self.b2)

    def train(self, X, y, lr):
        # the whole batch through the network once, then one update per row
        H = np.tanh(X @ self.W1 + self.b1)
        O = sigmoid(H @ self.W2 + self.b2)
        for i in range(len(X)):
            d_o = (O[i] - y[i]) * O[i] * (1 - O[i])
            d_h = (self.W2 @ d_o) * (1 - H[i] ** 2)
            self.W2 -= lr * np.outer(H[i], d_o)
            self.b2 -= lr * d_o
            self.W1 -= lr * np.outer(X[i], d_h)
            self.b1 -= lr * d_h


if __name__ == "__main__":
    rng = np.random.default_rng(8)
    X = rng.normal(size=(50, 3))
    y = (X[:, :1] > 0).astype(float)
    net = OnlineNet(3, 5, 1)
    for _ in range(100):
        net.train(X, y, lr=0.1)
    print(np.mean((net.predict(X) > 0.5) == y))
