"""Regression net with the update folded into the backward pass: tanh hidden layer, linear
output, loss = mean over samples of the squared error (one output column)."""
import numpy as np


class Regressor:
    def __init__(self, n_in, n_hidden, lr=0.05, seed=0):
        rng = np.random.RandomState(seed)
        self.W1 = rng.randn(n_in, n_hidden) * 0.5
        self.b1 = np.zeros(n_hidden)
        self.W2 = rng.randn(n_hidden, 1) * 0.5
        self.b2 = np.zeros(1)
        self.lr = lr

    def predict(self, X):
        self.h = np.tanh(X @ self.W1 + self.b1)
        return self.h @ self.W2 + self.b2

    def mse(self, X, Y):
        return np.mean((self.predict(X) - Y) ** 2)

    def train_step(self, X, Y):
        N = X.shape[0]
        out = self.predict(X)
        d_out = 2 * (out - Y) / N
        dW2 = self.h.T @ d_out
        db2 = d_out.sum(axis=0)
        self.W2 -= self.lr * dW2
        self.b2 -= self.lr * db2
        d_h = (d_out @ self.W2.T) * (1 - self.h ** 2)
        dW1 = X.T @ d_h
        db1 = d_h.sum(axis=0)
        self.W1 -= self.lr * dW1
        self.b1 -= self.lr * db1


if __name__ == "__main__":
    rng = np.random.RandomState(9)
    X = rng.uniform(-3, 3, size=(120, 1))
    Y = np.sin(X) + 0.05 * rng.randn(120, 1)
    model = Regressor(1, 20, lr=0.05)
    print("mse before: %.4f" % model.mse(X, Y))
    for epoch in range(3000):
        model.train_step(X, Y)
    print("mse after:  %.4f" % model.mse(X, Y))
