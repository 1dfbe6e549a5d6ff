# A class whose training runs at import: net.train(X, y, 10**6) at the bottom, with no __main__ guard.
import numpy as np


class Net:
    def __init__(self, n_in, n_hid, n_out):
        rng = np.random.default_rng(0)
        self.W1 = rng.normal(size=(n_in, n_hid))
        self.W2 = rng.normal(size=(n_hid, n_out))

    def forward(self, X):
        self.h = np.tanh(X @ self.W1)
        self.o = 1 / (1 + np.exp(-self.h @ self.W2))
        return self.o

    def train(self, X, y, epochs, lr=0.1):
        for _ in range(epochs):
            o = self.forward(X)
            d2 = (o - y) * o * (1 - o)
            d1 = d2 @ self.W2.T * (1 - self.h ** 2)
            self.W2 -= lr * self.h.T @ d2
            self.W1 -= lr * X.T @ d1


X = np.random.default_rng(1).normal(size=(8, 3))
y = (X[:, :1] > 0).astype(float)
net = Net(3, 5, 1)
net.train(X, y, 1_000_000)
print(net.forward(X))
