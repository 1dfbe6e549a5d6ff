import numpy as np


class RNNishCell:
    """(not recurrent: just the naming)"""

    def __init__(self, n_x, n_hid, n_y):
        self.Wxh = np.random.randn(n_x, n_hid) * 0.1
        self.bh = np.zeros(n_hid)
        self.Why = np.random.randn(n_hid, n_y) * 0.1
        self.by = np.zeros(n_y)

    def forward(self, X):
        self.hs = np.tanh(X @ self.Wxh + self.bh)
        self.ys = np.tanh(self.hs @ self.Why + self.by)
        return self.ys

    def backward(self, X, Y, lr):
        ys = self.forward(X)
        dy = ys - Y
        dh = (dy @ self.Why.T) * (1 - self.hs ** 2)
        self.Why -= lr * self.hs.T @ dy
        self.by -= lr * dy.sum(axis=0)
        self.Wxh -= lr * X.T @ dh
        self.bh -= lr * dh.sum(axis=0)
