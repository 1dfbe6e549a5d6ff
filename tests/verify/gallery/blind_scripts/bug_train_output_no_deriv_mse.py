import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def train(X, y, epochs, lr):
    """Two-layer sigmoid network trained on the mean squared error."""
    rng = np.random.default_rng(5)
    W1 = rng.normal(0, 1, (X.shape[1], 6))
    b1 = np.zeros((1, 6))
    W2 = rng.normal(0, 1, (6, 1))
    b2 = np.zeros((1, 1))
    n = len(X)

    for epoch in range(epochs):
        a1 = sigmoid(X @ W1 + b1)
        y_hat = sigmoid(a1 @ W2 + b2)
        mse = np.mean((y - y_hat) ** 2)

        # dL/dz2 for the mean squared error
        d_out = 2 * (y_hat - y) / n
        d_hid = (d_out @ W2.T) * a1 * (1 - a1)

        W2 -= lr * a1.T @ d_out
        b2 -= lr * d_out.sum(axis=0, keepdims=True)
        W1 -= lr * X.T @ d_hid
        b1 -= lr * d_hid.sum(axis=0, keepdims=True)

        if epoch % 1000 == 0:
            print(f"{epoch}: mse={mse:.5f}")
    return W1, b1, W2, b2


rng = np.random.default_rng(0)
X = rng.normal(size=(80, 3))
y = ((X[:, :1] + X[:, 1:2] * X[:, 2:3]) > 0).astype(float)

W1, b1, W2, b2 = train(X, y, 10000, 0.5)
