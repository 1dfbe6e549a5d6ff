"""Stochastic training on one 1-D sample vector at a time; weights stored (out, in)."""

import numpy as np


class Perceptron2:
    def __init__(self, n_inputs, n_hidden, n_outputs, learning_rate=0.05):
        self.W_ih = np.random.normal(scale=0.5, size=(n_hidden, n_inputs))
        self.b_h = np.zeros(n_hidden)
        self.W_ho = np.random.normal(scale=0.5, size=(n_outputs, n_hidden))
        self.b_o = np.zeros(n_outputs)
        self.learning_rate = learning_rate

    def _forward(self, x):
        h = np.tanh(self.W_ih @ x + self.b_h)
        o = 1.0 / (1.0 + np.exp(-(self.W_ho @ h + self.b_o)))
        return h, o

    def query(self, X):
        X = np.atleast_2d(X)
        return np.array([self._forward(x)[1] for x in X])

    def train(self, X, Y):
        """Visit the rows in order; update right after each one."""
        for x, t in zip(np.atleast_2d(X), np.atleast_2d(Y)):
            h, o = self._forward(x)
            err_o = (t - o) * o * (1 - o)
            err_h = (self.W_ho.T @ err_o) * (1 - h ** 2)
            self.W_ho += self.learning_rate * np.outer(err_o, h)
            self.b_o += self.learning_rate * err_o
            self.W_ih += self.learning_rate * np.outer(err_h, x)
            self.b_h += self.learning_rate * err_h


if __name__ == "__main__":
    rng = np.random.default_rng(2)
    X = rng.uniform(-1, 1, (30, 3))
    Y = (X[:, :2] > 0).astype(float) * 0.8 + 0.1
    p = Perceptron2(3, 6, 2, learning_rate=0.2)
    for _ in range(200):
        p.train(X, Y)
    print(np.abs(p.query(X) - Y).mean())
