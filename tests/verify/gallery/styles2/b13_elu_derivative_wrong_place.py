import numpy as np


class EluNet:
    def __init__(self, n_in, n_hidden, n_out):
        self.weights = [np.random.randn(n_in, n_hidden) * 0.5, np.random.randn(n_hidden, n_out) * 0.5]
        self.biases = [np.zeros(n_hidden), np.zeros(n_out)]

    def forward(self, X):
        z = np.dot(X, self.weights[0]) + self.biases[0]
        self.h = np.where(z > 0, z, np.exp(np.minimum(z, 0)) - 1)
        return np.dot(self.h, self.weights[1]) + self.biases[1]

    def backward(self, X, Y, lr=0.01):
        out = self.forward(X)
        err = 2 * (out - Y) / out.size  # np.mean((out - Y)**2)
        dh = np.dot(err, self.weights[1].T)
        # elu'(z): 1 for z > 0, exp(z) otherwise
        dz = dh * np.where(self.h > 0, 1.0, np.exp(self.h))
        self.weights[1] -= lr * np.dot(self.h.T, err)
        self.biases[1] -= lr * err.sum(axis=0)
        self.weights[0] -= lr * np.dot(X.T, dz)
        self.biases[0] -= lr * dz.sum(axis=0)
