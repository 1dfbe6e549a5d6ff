import numpy as np


class Float32Net:
    def __init__(self, n_input, n_hidden, n_output):
        self.W1 = (np.random.randn(n_hidden, n_input) * 0.5).astype(np.float32)
        self.b1 = np.zeros((n_hidden, 1), dtype=np.float32)
        self.W2 = (np.random.randn(n_output, n_hidden) * 0.5).astype(np.float32)
        self.b2 = np.zeros((n_output, 1), dtype=np.float32)

    def forward(self, X):
        X = X.astype(np.float32)
        self.a1 = 1 / (1 + np.exp(-(self.W1 @ X + self.b1)))
        self.a2 = self.W2 @ self.a1 + self.b2
        return self.a2

    def backward(self, X, Y, lr):
        X = X.astype(np.float32)
        Y = Y.astype(np.float32)
        lr = np.float32(lr)
        a2 = self.forward(X)
        d2 = a2 - Y
        d1 = (self.W2.T @ d2) * self.a1 * (1 - self.a1)
        self.W2 -= lr * d2 @ self.a1.T
        self.b2 -= lr * d2.sum(axis=1, keepdims=True)
        self.W1 -= lr * d1 @ X.T
        self.b1 -= lr * d1.sum(axis=1, keepdims=True)
