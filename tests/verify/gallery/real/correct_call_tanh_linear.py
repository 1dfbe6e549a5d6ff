"""Fit a smooth 1-D curve with a callable model: tanh hidden units, linear output, MSE."""

import numpy as np

# a small demo data set, built when the module is loaded
X_demo = np.linspace(-2.0, 2.0, 41).reshape(-1, 1)
y_demo = 0.5 * X_demo ** 3 - X_demo


class TinyRegressor:
    def __init__(self, n_in=1, n_hidden=8, n_out=1, learning_rate=0.01):
        self.learning_rate = learning_rate
        self.W1 = np.random.randn(n_in, n_hidden) * np.sqrt(1.0 / n_in)
        self.b1 = np.zeros((1, n_hidden))
        self.W2 = np.random.randn(n_hidden, n_out) * np.sqrt(1.0 / n_hidden)
        self.b2 = np.zeros((1, n_out))

    def __call__(self, X):
        self._h = np.tanh(X @ self.W1 + self.b1)
        self._out = self._h @ self.W2 + self.b2
        return self._out

    def train_step(self, X, y):
        pred = self(X)
        loss = np.mean((pred - y) ** 2)
        # d(mean of squares)/d(pred): every entry counts once in the mean
        grad_pred = 2.0 * (pred - y) / pred.size
        grad_W2 = self._h.T @ grad_pred
        grad_b2 = grad_pred.sum(axis=0, keepdims=True)
        grad_z1 = (grad_pred @ self.W2.T) * (1.0 - self._h ** 2)
        grad_W1 = X.T @ grad_z1
        grad_b1 = grad_z1.sum(axis=0, keepdims=True)
        for param, grad in ((self.W1, grad_W1), (self.b1, grad_b1), (self.W2, grad_W2), (self.b2, grad_b2)):
            param -= self.learning_rate * grad
        return loss


if __name__ == "__main__":
    model = TinyRegressor(learning_rate=0.05)
    for epoch in range(3000):
        loss = model.train_step(X_demo, y_demo)
    print(f"mse {loss:.4f}")
