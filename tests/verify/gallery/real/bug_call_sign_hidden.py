"""Fit sin(x) with a callable net: tanh hidden layer, linear output, np.mean squared error."""

import numpy as np

X_demo = np.linspace(-3, 3, 64).reshape(-1, 1)
y_demo = np.sin(X_demo)


class SineFitter:
    def __init__(self, n_in=1, n_hidden=16, n_out=1, learning_rate=0.05):
        self.learning_rate = learning_rate
        self.W1 = np.random.randn(n_in, n_hidden)
        self.b1 = np.zeros((1, n_hidden))
        self.W2 = np.random.randn(n_hidden, n_out) / np.sqrt(n_hidden)
        self.b2 = np.zeros((1, n_out))

    def __call__(self, X):
        self._h = np.tanh(X @ self.W1 + self.b1)
        return self._h @ self.W2 + self.b2

    def train_step(self, X, y):
        pred = self(X)
        err = y - pred  # residuals
        k = err.size
        # output layer: d loss / d pred = -2 * err / k
        g_pred = -2 * err / k
        # hidden layer
        g_z1 = (2 * err / k) @ self.W2.T * (1 - self._h ** 2)
        self.W2 -= self.learning_rate * self._h.T @ g_pred
        self.b2 -= self.learning_rate * g_pred.sum(axis=0, keepdims=True)
        self.W1 -= self.learning_rate * X.T @ g_z1
        self.b1 -= self.learning_rate * g_z1.sum(axis=0, keepdims=True)
        return np.mean(err ** 2)


if __name__ == "__main__":
    net = SineFitter()
    for epoch in range(5000):
        loss = net.train_step(X_demo, y_demo)
    print("mse", loss)
