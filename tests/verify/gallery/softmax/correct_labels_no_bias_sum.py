"""A classifier without biases, samples in rows, taking integer labels and one-hot encoding them itself.

sigmoid hidden layer, softmax written plainly as exp(z) / sum(exp(z)) (not shifted: fine for
moderate scores), cross-entropy summed over the batch.
"""

import numpy as np


class Classifier:
    def __init__(self, n_features, n_hidden, n_classes):
        rng = np.random.default_rng(42)
        self.n_classes = n_classes
        self.w_hidden = rng.uniform(-1, 1, (n_features, n_hidden))
        self.w_out = rng.uniform(-1, 1, (n_hidden, n_classes))

    def feedforward(self, X):
        self.hidden = 1.0 / (1.0 + np.exp(-(X @ self.w_hidden)))
        scores = np.exp(self.hidden @ self.w_out)
        self.probabilities = scores / np.sum(scores, axis=1, keepdims=True)
        return self.probabilities

    def train(self, X, labels, lr):
        target = np.eye(self.n_classes)[labels]
        probs = self.feedforward(X)
        error_out = probs - target
        error_hidden = (error_out @ self.w_out.T) * self.hidden * (1.0 - self.hidden)
        self.w_out -= lr * self.hidden.T @ error_out
        self.w_hidden -= lr * X.T @ error_hidden


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 2))
    labels = (X[:, 0] > 0).astype(int) * 2 + (X[:, 1] > 0)
    clf = Classifier(2, 12, 4)
    for _ in range(3000):
        clf.train(X, labels, 0.01)
    print("accuracy", np.mean(clf.feedforward(X).argmax(axis=1) == labels))
