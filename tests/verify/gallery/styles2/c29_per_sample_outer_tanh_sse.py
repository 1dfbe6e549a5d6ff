import numpy as np


class OnlineRegressor:
    def __init__(self, n_in, n_hidden, n_out):
        self.W_h = np.random.randn(n_hidden, n_in) * 0.3
        self.b_h = np.zeros(n_hidden)
        self.W_o = np.random.randn(n_out, n_hidden) * 0.3
        self.b_o = np.zeros(n_out)

    def predict(self, X):
        H = np.tanh(X @ self.W_h.T + self.b_h)
        return H @ self.W_o.T + self.b_o

    def train(self, X, Y, lr=0.01):
        for x, y in zip(X, Y):
            h = np.tanh(self.W_h @ x + self.b_h)
            o = self.W_o @ h + self.b_o
            e = 2 * (o - y)  # squared error, not halved
            dh = (self.W_o.T @ e) * (1 - h ** 2)
            self.W_o -= lr * np.outer(e, h)
            self.b_o -= lr * e
            self.W_h -= lr * np.outer(dh, x)
            self.b_h -= lr * dh
