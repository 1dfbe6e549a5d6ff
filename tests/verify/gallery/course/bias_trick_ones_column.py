"""Regression with the bias trick: a column of ones is appended to the inputs (and to the
hidden activations), so each weight matrix carries its bias as an extra last row.

Sigmoid hidden layer, linear output, loss = mean squared error over all entries of Y.
"""
import numpy as np


def add_ones(A):
    return np.hstack([A, np.ones((A.shape[0], 1))])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def init(n_in, n_hidden, n_out, seed=0):
    rng = np.random.RandomState(seed)
    W1 = rng.randn(n_in + 1, n_hidden) * 0.5
    W2 = rng.randn(n_hidden + 1, n_out) * 0.5
    return W1, W2


def forward(W1, W2, X):
    Xb = add_ones(X)
    H = sigmoid(Xb @ W1)
    Hb = add_ones(H)
    return Xb, H, Hb, Hb @ W2


def mse(W1, W2, X, Y):
    return np.mean((forward(W1, W2, X)[3] - Y) ** 2)


def step(W1, W2, X, Y, lr):
    Xb, H, Hb, out = forward(W1, W2, X)
    d_out = 2 * (out - Y) / Y.size
    dW2 = Hb.T @ d_out
    dH = (d_out @ W2[:-1].T) * H * (1 - H)
    dW1 = Xb.T @ dH
    return W1 - lr * dW1, W2 - lr * dW2


def train(X, Y, n_hidden=10, lr=0.5, epochs=500):
    W1, W2 = init(X.shape[1], n_hidden, Y.shape[1])
    history = []
    for _ in range(epochs):
        W1, W2 = step(W1, W2, X, Y, lr)
        history.append(mse(W1, W2, X, Y))
    return W1, W2, history


if __name__ == "__main__":
    rng = np.random.RandomState(3)
    X = rng.uniform(-2, 2, size=(80, 2))
    Y = np.column_stack([np.sin(X[:, 0]), 0.5 * X[:, 0] * X[:, 1]])
    W1, W2, history = train(X, Y, n_hidden=12, lr=0.5, epochs=1000)
    print("mse: %.4f -> %.4f" % (history[0], history[-1]))
