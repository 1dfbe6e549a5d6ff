"""Sigmoid MLP of any depth; rows are samples, weights (in, out); layers updated on the way back."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class MultiLayerPerceptron:
    def __init__(self, sizes):
        self.weights = [np.random.randn(m, n) / np.sqrt(m) for m, n in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros(n) for n in sizes[1:]]

    def forward(self, X):
        for W, b in zip(self.weights, self.biases):
            X = sigmoid(X @ W + b)
        return X

    def train(self, X, y, lr):
        acts = [X]
        for W, b in zip(self.weights, self.biases):
            acts.append(sigmoid(acts[-1] @ W + b))
        # half the summed squared error
        delta = (acts[-1] - y) * acts[-1] * (1 - acts[-1])
        for l in reversed(range(len(self.weights))):
            self.weights[l] -= lr * acts[l].T @ delta
            self.biases[l] -= lr * delta.sum(axis=0)
            if l > 0:
                delta = (delta @ self.weights[l].T) * acts[l] * (1 - acts[l])


if __name__ == "__main__":
    rng = np.random.default_rng(6)
    X = rng.random((40, 4))
    y = np.column_stack([X[:, 0] > 0.5, X[:, 1] + X[:, 2] > 1]).astype(float)
    mlp = MultiLayerPerceptron([4, 8, 6, 2])
    for _ in range(3000):
        mlp.train(X, y, lr=0.2)
    print(0.5 * np.sum((mlp.forward(X) - y) ** 2))
