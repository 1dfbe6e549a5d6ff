# Functions only; the training runs in main(), under the __main__ guard: nothing to drive, so it is run and watched.
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def main():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = (X[:, :1] > 0).astype(float)
    W1 = rng.normal(size=(3, 5)) * 0.5
    W2 = rng.normal(size=(5, 1)) * 0.5
    for epoch in range(10000):
        h = sigmoid(X @ W1)
        out = sigmoid(h @ W2)
        d2 = (out - y) * out * (1 - out)
        d1 = (d2 @ W2.T) * h * (1 - h)
        W2 -= 0.5 * h.T @ d2
        W1 -= 0.5 * X.T @ d1


if __name__ == "__main__":
    main()
