import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_prime(a):
    # derivative written in terms of the activation a = sigmoid(x)
    return a * (1.0 - a)


def train(X, y, epochs, lr):
    np.random.seed(10)
    n_in, n_hidden, n_out = X.shape[1], 8, y.shape[1]
    W1 = np.random.uniform(-1, 1, size=(n_in, n_hidden))
    W2 = np.random.uniform(-1, 1, size=(n_hidden, n_out))
    m = X.shape[0]

    for epoch in range(epochs):
        hidden = sigmoid(X @ W1)
        output = sigmoid(hidden @ W2)

        error = output - y
        loss = 0.5 * np.sum(error ** 2) / m

        delta_out = error * sigmoid_prime(output) / m
        delta_hidden = delta_out @ W2.T * sigmoid_prime(hidden)

        W2 = W2 - lr * hidden.T @ delta_out
        W1 = W1 - lr * X.T @ delta_hidden

        if epoch % 5000 == 0:
            print("epoch", epoch, "loss", loss)

    return W1, W2


# 4-bit inputs plus a constant column; target: are at least two bits set?
bits = np.array([[(k >> j) & 1 for j in range(4)] for k in range(16)], dtype=float)
X = np.hstack([bits, np.ones((16, 1))])
y = (bits.sum(axis=1, keepdims=True) >= 2).astype(float)

W1, W2 = train(X, y, 50000, 2.0)
print(np.round(sigmoid(sigmoid(X @ W1) @ W2), 2).ravel())
