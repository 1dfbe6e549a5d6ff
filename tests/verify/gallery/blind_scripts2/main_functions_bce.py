"""Two-layer net for two concentric rings, written as plain functions."""
import numpy as np


def make_rings(n, rng):
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(np.arange(n) % 2 == 0, 0.5, 1.0) + 0.1 * rng.standard_normal(n)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    y = (np.arange(n) % 2).reshape(-1, 1).astype(float)
    return X, y


def init_params(n_in, n_hidden, n_out, rng):
    W1 = rng.standard_normal((n_in, n_hidden)) * 0.5
    b1 = np.zeros((1, n_hidden))
    W2 = rng.standard_normal((n_hidden, n_out)) * 0.5
    b2 = np.zeros((1, n_out))
    return W1, b1, W2, b2


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(X, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    Z2 = A1 @ W2 + b2
    A2 = sigmoid(Z2)
    return A1, A2


def bce(A2, y):
    eps = 1e-12
    return -np.mean(y * np.log(A2 + eps) + (1 - y) * np.log(1 - A2 + eps))


def backward(X, y, A1, A2, W2):
    m = X.shape[0]
    dZ2 = (A2 - y) / m
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0, keepdims=True)
    dZ1 = (dZ2 @ W2.T) * (1 - A1 ** 2)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0, keepdims=True)
    return dW1, db1, dW2, db2


def main():
    rng = np.random.default_rng(7)
    X, y = make_rings(200, rng)
    W1, b1, W2, b2 = init_params(2, 8, 1, rng)
    lr = 0.5
    for epoch in range(3000):
        A1, A2 = forward(X, W1, b1, W2, b2)
        loss = bce(A2, y)
        dW1, db1, dW2, db2 = backward(X, y, A1, A2, W2)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
        if epoch % 100 == 0:
            print(f"{epoch}: {loss:.4f}")
    acc = np.mean((A2 > 0.5) == y)
    print("accuracy", acc)


if __name__ == "__main__":
    main()
