"""A logits classifier, samples in rows, one-hot targets, the mean cross-entropy over the batch.

`forward` returns the logits; the step applies the softmax inside the loss, takes the
cross-entropy gradient with respect to the logits, and then multiplies it by the softmax's
derivative p (1 - p) on top.
"""

import numpy as np


class SoftmaxRegressionMLP:
    def __init__(self, n_in, n_hidden, n_out):
        rng = np.random.default_rng(5)
        self.W1 = rng.normal(0, 0.3, (n_in, n_hidden))
        self.b1 = np.zeros(n_hidden)
        self.W2 = rng.normal(0, 0.3, (n_hidden, n_out))
        self.b2 = np.zeros(n_out)

    def forward(self, X):
        self.H = 1 / (1 + np.exp(-(X @ self.W1 + self.b1)))
        return self.H @ self.W2 + self.b2

    def train(self, X, Y, lr=0.05):
        logits = self.forward(X)
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        P = e / e.sum(axis=1, keepdims=True)
        G = (P - Y) / X.shape[0]
        G = G * P * (1 - P)
        dH = (G @ self.W2.T) * self.H * (1 - self.H)
        self.W2 -= lr * self.H.T @ G
        self.b2 -= lr * G.sum(axis=0)
        self.W1 -= lr * X.T @ dH
        self.b1 -= lr * dH.sum(axis=0)
