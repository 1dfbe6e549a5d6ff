"""Binary classifier class: tanh hidden layer, sigmoid output.  ``loss`` reports the binary
cross-entropy averaged over the samples; ``update`` takes one full-batch gradient step."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class BinaryClassifier:
    def __init__(self, n_in, n_hidden, lr=1.0, seed=0):
        rng = np.random.RandomState(seed)
        self.W1 = rng.randn(n_in, n_hidden) * 0.5
        self.b1 = np.zeros((1, n_hidden))
        self.W2 = rng.randn(n_hidden, 1) * 0.5
        self.b2 = np.zeros((1, 1))
        self.lr = lr

    def forward(self, X):
        self.A1 = np.tanh(X @ self.W1 + self.b1)
        self.A2 = sigmoid(self.A1 @ self.W2 + self.b2)
        return self.A2

    def loss(self, X, y):
        p = self.forward(X)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    def update(self, X, y):
        N = X.shape[0]
        out = self.forward(X)
        delta2 = (out - y) * out * (1 - out) / N
        dW2 = self.A1.T @ delta2
        db2 = delta2.sum(axis=0, keepdims=True)
        delta1 = (delta2 @ self.W2.T) * (1 - self.A1 ** 2)
        dW1 = X.T @ delta1
        db1 = delta1.sum(axis=0, keepdims=True)
        self.W1 -= self.lr * dW1
        self.b1 -= self.lr * db1
        self.W2 -= self.lr * dW2
        self.b2 -= self.lr * db2


if __name__ == "__main__":
    rng = np.random.RandomState(4)
    X = rng.randn(150, 2)
    y = (X[:, :1] ** 2 + X[:, 1:] ** 2 < 1.2).astype(float)
    clf = BinaryClassifier(2, 10, lr=2.0)
    print("loss before: %.4f" % clf.loss(X, y))
    for epoch in range(2000):
        clf.update(X, y)
    print("loss after:  %.4f" % clf.loss(X, y))
    print("accuracy: %.2f" % np.mean((clf.forward(X) > 0.5) == y))
