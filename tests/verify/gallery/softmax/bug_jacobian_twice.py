"""A multilayer perceptron in the style of a PyTorch tutorial, by hand: nn.Linear-like layers.

Layer sizes as a list, weights (out, in) applied as x @ W.T + b, samples in rows, ReLU hidden
layers, softmax output, the mean cross-entropy over the batch, one-hot targets.
"""

import numpy as np


class MLP:
    def __init__(self, sizes):
        rng = np.random.default_rng(7)
        self.weights = [rng.normal(0, np.sqrt(2 / n_in), (n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros(n_out) for n_out in sizes[1:]]

    def forward(self, x):
        self.activations = [x]
        for k, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = self.activations[-1] @ W.T + b
            if k < len(self.weights) - 1:
                a = np.maximum(z, 0)
            else:
                z = z - z.max(axis=1, keepdims=True)
                a = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
            self.activations.append(a)
        return self.activations[-1]

    def backward(self, x, targets, lr=0.1):
        probs = self.forward(x)
        n = x.shape[0]
        # cross-entropy gradient, then through the softmax's derivative
        grad = (probs - targets) / n
        grad = grad * probs * (1 - probs)
        for k in range(len(self.weights) - 1, -1, -1):
            a_prev = self.activations[k]
            dW = grad.T @ a_prev
            db = grad.sum(axis=0)
            if k > 0:
                grad = (grad @ self.weights[k]) * (a_prev > 0)
            self.weights[k] -= lr * dW
            self.biases[k] -= lr * db


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 5))
    labels = np.argmax(x[:, :3], axis=1)
    targets = np.eye(3)[labels]
    net = MLP([5, 32, 3])
    for _ in range(500):
        net.backward(x, targets, lr=0.5)
    print("accuracy", np.mean(net.forward(x).argmax(axis=1) == labels))
