"""A tanh network of any depth; batches are lists of (x, y) column pairs; summed squared error."""

import numpy as np


def tanh_prime(z):
    return 1.0 - np.tanh(z) ** 2


class Network:
    def __init__(self, sizes):
        self.sizes = sizes
        self.weights = [np.random.randn(y, x) * 0.5 for x, y in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.random.randn(y, 1) * 0.1 for y in sizes[1:]]

    def feedforward(self, a):
        for w, b in zip(self.weights, self.biases):
            a = np.tanh(np.dot(w, a) + b)
        return a

    def backprop(self, x, y):
        """(nabla_b, nabla_w) of 0.5 * ||a - y||^2 for a single example."""
        activations, zs = [x], []
        for w, b in zip(self.weights, self.biases):
            zs.append(np.dot(w, activations[-1]) + b)
            activations.append(np.tanh(zs[-1]))
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        delta = activations[-1] - y
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].T)
        for l in range(2, len(self.sizes)):
            delta = np.dot(self.weights[-l + 1].T, delta) * tanh_prime(zs[-l])
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].T)
        return nabla_b, nabla_w

    def train_batch(self, batch, eta):
        """One step on the summed error of every (x, y) pair in batch."""
        total_b = [np.zeros(b.shape) for b in self.biases]
        total_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in batch:
            nb, nw = self.backprop(x, y)
            total_b = [t + n for t, n in zip(total_b, nb)]
            total_w = [t + n for t, n in zip(total_w, nw)]
        self.weights = [w - eta * g for w, g in zip(self.weights, total_w)]
        self.biases = [b - eta * g for b, g in zip(self.biases, total_b)]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    pairs = [(rng.uniform(-1, 1, (3, 1)), rng.uniform(-0.5, 0.5, (2, 1))) for _ in range(20)]
    net = Network([3, 6, 2])
    for _ in range(200):
        net.train_batch(pairs, eta=0.01)
    print(sum(0.5 * np.sum((net.feedforward(x) - y) ** 2) for x, y in pairs))
