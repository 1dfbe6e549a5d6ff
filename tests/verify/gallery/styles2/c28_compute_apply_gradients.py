import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class GradNet:
    def __init__(self, n_in, n_hidden, n_out):
        self.W1 = np.random.randn(n_in, n_hidden) * 0.5
        self.b1 = np.zeros(n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out) * 0.5
        self.b2 = np.zeros(n_out)

    def forward(self, X):
        self.h = sigmoid(X @ self.W1 + self.b1)
        return sigmoid(self.h @ self.W2 + self.b2)

    def compute_gradients(self, X, Y):
        P = self.forward(X)
        d2 = P - Y  # BCE summed over samples, sigmoid output
        d1 = (d2 @ self.W2.T) * self.h * (1 - self.h)
        return {"W1": X.T @ d1, "b1": d1.sum(0), "W2": self.h.T @ d2, "b2": d2.sum(0)}

    def apply_gradients(self, grads, lr):
        for k, g in grads.items():
            setattr(self, k, getattr(self, k) - lr * g)
