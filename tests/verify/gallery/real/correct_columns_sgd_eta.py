"""tanh network of any depth; samples are columns; plain SGD, one column at a time."""

import numpy as np


class ColumnNet:
    def __init__(self, sizes):
        self.W = [np.random.randn(n, m) * 0.5 for m, n in zip(sizes[:-1], sizes[1:])]
        self.b = [np.zeros((n, 1)) for n in sizes[1:]]

    def forward(self, X):
        A = X
        for W, b in zip(self.W, self.b):
            A = np.tanh(W @ A + b)
        return A

    def train(self, X, Y, eta):
        """Stochastic gradient descent over the columns of X, left to right."""
        for j in range(X.shape[1]):
            a = [X[:, j : j + 1]]
            for W, b in zip(self.W, self.b):
                a.append(np.tanh(W @ a[-1] + b))
            # E = 1/2 ||a_L - y||^2, tanh'(z) = 1 - tanh(z)^2
            delta = (a[-1] - Y[:, j : j + 1]) * (1 - a[-1] ** 2)
            steps = []
            for l in range(len(self.W) - 1, -1, -1):
                steps.append((l, delta @ a[l].T, delta))
                if l > 0:
                    delta = (self.W[l].T @ delta) * (1 - a[l] ** 2)
            for l, grad_W, grad_b in steps:
                self.W[l] -= eta * grad_W
                self.b[l] -= eta * grad_b


if __name__ == "__main__":
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, (2, 50))
    Y = np.tanh(np.vstack([X[0] * X[1], X[0] - X[1]]))
    net = ColumnNet([2, 8, 2])
    for epoch in range(100):
        net.train(X, Y, eta=0.05)
    print(0.5 * np.sum((net.forward(X) - Y) ** 2))
