import numpy as np


def relu(z):
    return np.maximum(z, 0)


def train(X, y, epochs=1000, learning_rate=0.01):
    rng = np.random.default_rng(3)
    W1 = rng.normal(0, 0.5, (X.shape[1], 8))
    b1 = np.zeros(8)
    W2 = rng.normal(0, 0.5, (8, 1))
    b2 = np.zeros(1)
    for epoch in range(epochs):
        z = X @ W1 + b1
        h = relu(z)
        pred = h @ W2 + b2
        grad_pred = (pred - y) / len(X)
        grad_W2 = h.T @ grad_pred
        grad_b2 = grad_pred.sum(axis=0)
        grad_z = (grad_pred @ W2.T) * (z > 0)
        grad_W1 = X.T @ grad_z
        grad_b1 = grad_z.sum(axis=0)
        W2 -= leraning_rate * grad_W2
        b2 -= learning_rate * grad_b2
        W1 -= learning_rate * grad_W1
        b1 -= learning_rate * grad_b1
        if epoch % 100 == 0:
            print(epoch, float(np.mean((pred - y) ** 2)))
    return W1, b1, W2, b2


rng = np.random.default_rng(1)
X = rng.uniform(-1, 1, (100, 2))
y = X[:, :1] ** 2 + 0.5 * X[:, 1:]
params = train(X, y, epochs=2000, learning_rate=0.05)
