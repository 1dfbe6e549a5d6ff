"""ReLU regression net, batch gradient descent with step alpha on half the mean squared error."""

import numpy as np


class Regressor:
    def __init__(self, input_size, hidden_size, output_size):
        self.W1 = np.random.randn(input_size, hidden_size) * np.sqrt(2 / input_size)
        self.b1 = np.zeros((1, hidden_size))
        self.W2 = np.random.randn(hidden_size, output_size) * np.sqrt(1 / hidden_size)
        self.b2 = np.zeros((1, output_size))

    def forward(self, X):
        self.z1 = X @ self.W1 + self.b1
        self.h = np.maximum(self.z1, 0)
        self.y_hat = self.h @ self.W2 + self.b2
        return self.y_hat

    def fit_step(self, X, y, alpha):
        y_hat = self.forward(X)
        n = len(X)
        g_out = (y_hat - y) / n
        g_hidden = (g_out @ self.W2.T) * (self.z1 > 0)
        self.W2 -= alpha * self.h.T @ g_out
        self.b2 -= alpha * g_out.sum(axis=0, keepdims=True)
        self.W1 -= alpha * X.T @ g_hidden
        self.b1 -= alpha * g_hidden[0]
        return 0.5 * np.mean(np.sum((y_hat - y) ** 2, axis=1))


if __name__ == "__main__":
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (64, 2))
    y = np.abs(X[:, :1]) + X[:, 1:]
    model = Regressor(2, 16, 1)
    for _ in range(1000):
        loss = model.fit_step(X, y, alpha=0.1)
    print("loss", loss)
