import numpy as np


class Network:
    def __init__(self, sizes, learning_rate=0.05):
        self.learning_rate = learning_rate
        self.weights = [np.random.randn(a, b) * 0.5 for a, b in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros(b) for b in sizes[1:]]

    def forward(self, X):
        self.activations = [X]
        a = X
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ W + b
            a = 1 / (1 + np.exp(-z)) if i == len(self.weights) - 1 else np.tanh(z)
            self.activations.append(a)
        return a

    def backward(self, X, Y):
        out = self.forward(X)
        n = X.shape[0]
        delta = (out - Y) / n  # mean BCE with a sigmoid output
        for l in reversed(range(len(self.weights))):
            a_prev = self.activations[l]
            dW = a_prev.T @ delta
            db = delta.sum(axis=0)
            if l > 0:
                delta = (delta @ self.weights[l]) * (1 - a_prev ** 2)
            self.weights[l] -= self.learning_rate * dW
            self.biases[l] -= self.learning_rate * db
