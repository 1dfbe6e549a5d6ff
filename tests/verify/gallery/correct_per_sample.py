"""Correct, written differently: one sample at a time, gradients accumulated, derivative from z."""

import math

import numpy as np


class PerSample:
    def __init__(self, n_in, n_hidden, n_out):
        self.W1 = np.zeros((n_hidden, n_in))
        self.b1 = np.zeros((n_hidden, 1))
        self.W2 = np.zeros((n_out, n_hidden))
        self.b2 = np.zeros((n_out, 1))

    @staticmethod
    def _sig(v):
        return np.vectorize(lambda t: 1 / (1 + math.exp(-t)))(v)

    def forward(self, X):
        return self._sig(self.W2 @ self._sig(self.W1 @ X + self.b1) + self.b2)

    def backward(self, X, y, learning_rate):
        grads = [np.zeros_like(p) for p in (self.W1, self.b1, self.W2, self.b2)]
        for n in range(X.shape[1]):
            x = X[:, n : n + 1]
            z1 = self.W1 @ x + self.b1
            h = self._sig(z1)
            z2 = self.W2 @ h + self.b2
            o = self._sig(z2)
            d2 = (o - y[:, n : n + 1]) * self._sig(z2) * self._sig(-z2)
            d1 = (self.W2.T @ d2) * self._sig(z1) * self._sig(-z1)
            for g, v in zip(grads, (d1 @ x.T, d1, d2 @ h.T, d2)):
                g += v
        for name, g in zip(("W1", "b1", "W2", "b2"), grads):
            setattr(self, name, getattr(self, name) - learning_rate * g)
