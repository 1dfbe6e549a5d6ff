import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class DeepNet:
    def __init__(self, layer_sizes, lr=0.1):
        self.lr = lr
        self.W = [np.random.randn(n, m) / np.sqrt(m) for m, n in zip(layer_sizes[:-1], layer_sizes[1:])]
        self.B = [np.zeros((n, 1)) for n in layer_sizes[1:]]

    def predict(self, X):
        # X: (features, samples)
        self.A = [X]
        for W, b in zip(self.W, self.B):
            self.A.append(sigmoid(W @ self.A[-1] + b))
        return self.A[-1]

    def train_on_batch(self, X, Y):
        m = X.shape[1]
        A = self.predict(X)
        delta = (A - Y) * A * (1 - A) / m  # 0.5 * mean over samples of squared error
        for l in range(len(self.W) - 1, -1, -1):
            dW = delta @ self.A[l].T
            db = delta.sum(axis=1, keepdims=True)
            if l > 0:
                delta = (self.W[l].T @ delta) * self.A[l] * (1 - self.A[l])
            self.W[l] -= self.lr * dW
            self.B[l] -= self.lr * db
