"""A sigmoid network, the tutorial's layout.

X is (features, samples): a sample is a
column; biases are columns (n, 1). The loss
is half the sum of squared errors.
"""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Net:
    def __init__(self, n_in, n_hid, n_out):
        i, h, o = n_in, n_hid, n_out
        r = np.random.default_rng(0)
        self.W1 = r.normal(size=(h, i))
        self.b1 = np.zeros((h, 1))
        self.W2 = r.normal(size=(o, h))
        self.b2 = np.zeros((o, 1))

    def forward(self, X):
        # z1 = W1 x + b1, a1 = sigma(z1)
        z1 = self.W1 @ X + self.b1
        self.a1 = sigmoid(z1)
        # z2 = W2 a1 + b2, a2 = sigma(z2)
        z2 = self.W2 @ self.a1 + self.b2
        self.a2 = sigmoid(z2)
        return self.a2

    def backward(self, X, y, lr):
        a1, a2 = self.a1, self.a2
        # delta2 = (a2 - y) * sigma'(z2)
        d2 = (a2 - y) * a2 * (1 - a2)
        # delta1 = W2^T delta2 * sigma'(z1)
        d1 = self.W2.T @ d2 * a1 * (1 - a1)
        # W <- W - lr * delta a^T, summed
        # over the samples (the columns)
        s2 = d2.sum(axis=1, keepdims=True)
        s1 = d1.sum(axis=1, keepdims=True)
        self.W2 -= lr * d2 @ a1.T
        self.b2 -= lr * s2
        self.W1 -= lr * d1 @ X.T
        self.b1 -= lr * s1


if __name__ == "__main__":
    X = np.array([[0, 0, 1, 1],
                  [0, 1, 0, 1]])
    y = np.array([[0, 1, 1, 0]])
    net = Net(2, 2, 1)
    for _ in range(10000):
        net.forward(X)
        net.backward(X, y, 1.0)
    print(net.forward(X).round(3))
