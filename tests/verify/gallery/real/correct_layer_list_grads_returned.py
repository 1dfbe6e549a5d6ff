"""An MLP of any depth: ReLU hidden layers, sigmoid output, mean binary cross-entropy.

backprop() only computes the gradients; apply_gradients() takes the step, so an
optimizer could sit in between.
"""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class MLP:
    def __init__(self, layer_sizes, seed=0):
        rng = np.random.default_rng(seed)
        self.weights = [
            rng.normal(0.0, np.sqrt(2.0 / m), (m, n)) for m, n in zip(layer_sizes[:-1], layer_sizes[1:])
        ]
        self.biases = [np.zeros((1, n)) for n in layer_sizes[1:]]

    def forward(self, X):
        a = X
        last = len(self.weights) - 1
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ W + b
            a = sigmoid(z) if i == last else np.maximum(z, 0.0)
        return a

    def backprop(self, X, Y):
        """Return (nabla_b, nabla_w) for the mean cross-entropy over the rows of X."""
        zs, acts = [], [X]
        last = len(self.weights) - 1
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = acts[-1] @ W + b
            zs.append(z)
            acts.append(sigmoid(z) if i == last else np.maximum(z, 0.0))

        n = X.shape[0]
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        delta = (acts[-1] - Y) / n
        for l in reversed(range(len(self.weights))):
            nabla_w[l] = acts[l].T @ delta
            nabla_b[l] = delta.sum(axis=0, keepdims=True)
            if l > 0:
                delta = (delta @ self.weights[l].T) * (zs[l - 1] > 0)
        return nabla_b, nabla_w

    def apply_gradients(self, nabla_b, nabla_w, lr):
        for l in range(len(self.weights)):
            self.weights[l] -= lr * nabla_w[l]
            self.biases[l] -= lr * nabla_b[l]


if __name__ == "__main__":
    rng = np.random.default_rng(1)
    X = rng.normal(size=(128, 5))
    Y = (X[:, :1] + X[:, 1:2] ** 2 > 0.5).astype(float)
    net = MLP([5, 16, 8, 1])
    for _ in range(500):
        net.apply_gradients(*net.backprop(X, Y), lr=0.1)
    print("accuracy", np.mean((net.forward(X) > 0.5) == Y))
