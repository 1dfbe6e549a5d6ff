"""A classifier in the style of PyTorch's nn.CrossEntropyLoss, by hand: the forward pass returns logits.

X is (samples, features), weights (in, out), tanh hidden layer, a linear output layer whose
scores (logits) are what `forward` returns; the training step applies the softmax itself,
inside the loss: the mean cross-entropy over the batch with integer class labels, whose
gradient with respect to the logits is softmax(scores) with 1 taken off at the label, over N.
"""

import numpy as np


def log_softmax(s):
    s = s - s.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


class LogitNet:
    def __init__(self, n_in, n_hidden, n_classes):
        rng = np.random.default_rng(3)
        self.W1 = rng.normal(0, 0.5, (n_in, n_hidden))
        self.b1 = np.zeros(n_hidden)
        self.W2 = rng.normal(0, 0.5, (n_hidden, n_classes))
        self.b2 = np.zeros(n_classes)

    def forward(self, X):
        self.h = np.tanh(X @ self.W1 + self.b1)
        return self.h @ self.W2 + self.b2  # logits

    def loss(self, X, labels):
        return -log_softmax(self.forward(X))[np.arange(len(labels)), labels].mean()

    def step(self, X, labels, lr=0.1):
        logits = self.forward(X)
        n = X.shape[0]
        dlogits = np.exp(log_softmax(logits))
        dlogits[np.arange(n), labels] -= 1
        dlogits /= n
        dW2 = self.h.T @ dlogits
        db2 = dlogits.sum(axis=0)
        dh = (dlogits @ self.W2.T) * (1 - self.h ** 2)
        dW1 = X.T @ dh
        db1 = dh.sum(axis=0)
        self.W2 -= lr * dW2
        self.b2 -= lr * db2
        self.W1 -= lr * dW1
        self.b1 -= lr * db1


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    labels = np.argmax(X[:, :3], axis=1)
    net = LogitNet(4, 16, 3)
    for _ in range(500):
        net.step(X, labels, lr=0.5)
    print("loss", net.loss(X, labels), "accuracy", np.mean(net.forward(X).argmax(axis=1) == labels))
