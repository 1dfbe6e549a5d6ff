# A tanh network trained inside main(); the biases' gradient is summed without an axis.
import numpy as np


def train(X, Y, hidden=6, epochs=20000, rate=0.05):
    gen = np.random.default_rng(3)
    W1 = gen.normal(scale=0.5, size=(X.shape[1], hidden))
    b1 = np.zeros(hidden)
    W2 = gen.normal(scale=0.5, size=(hidden, Y.shape[1]))
    b2 = np.zeros(Y.shape[1])
    for _ in range(epochs):
        H = np.tanh(X @ W1 + b1)
        P = 1 / (1 + np.exp(-(H @ W2 + b2)))
        # binary cross-entropy, summed: dL/dz at the output is P - Y
        G2 = P - Y
        G1 = (G2 @ W2.T) * (1 - H ** 2)
        W2 -= rate * H.T @ G2
        b2 -= rate * G2.sum(axis=0)
        W1 -= rate * X.T @ G1
        # the mistake: no axis, so every unit gets the same total
        gb1 = np.sum(G1)
        b1 -= rate * gb1
    return W1, b1, W2, b2


def main():
    gen = np.random.default_rng(0)
    X = gen.normal(size=(30, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    train(X, Y)


if __name__ == "__main__":
    main()
