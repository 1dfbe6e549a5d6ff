import numpy as np


class BinaryClassifier:
    def __init__(self, n_features, n_hidden, learning_rate=0.1):
        self.learning_rate = learning_rate
        self.W1 = np.random.randn(n_features, n_hidden) * 0.1
        self.b1 = np.zeros(n_hidden)
        self.w2 = np.random.randn(n_hidden) * 0.1
        self.b2 = 0.0

    def forward(self, X):
        self.z1 = X @ self.W1 + self.b1
        self.a1 = np.where(self.z1 > 0, self.z1, 0.01 * self.z1)
        self.p = 1 / (1 + np.exp(-(self.a1 @ self.w2 + self.b2)))
        return self.p

    def train_step(self, X, y):
        # y: 1-D array of 0/1 labels
        p = self.forward(X)
        n = len(y)
        dz2 = (p - y) / n  # mean binary cross-entropy
        dw2 = self.a1.T @ dz2
        db2 = dz2.sum()
        dz1 = np.outer(dz2, self.w2) * np.where(self.z1 > 0, 1.0, 0.01)
        dW1 = X.T @ dz1
        db1 = dz1.sum(axis=0)
        self.w2 -= self.learning_rate * dw2
        self.b2 -= self.learning_rate * db2
        self.W1 -= self.learning_rate * dW1
        self.b1 -= self.learning_rate * db1
