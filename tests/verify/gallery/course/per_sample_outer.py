"""Online learning, one example per call: x is a 1-D vector and the weight gradients are
outer products.  tanh hidden layer, sigmoid outputs, loss 0.5 * sum((out - y)**2) for the one
example."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class OnlineNet:
    def __init__(self, n_in, n_hidden, n_out, lr=0.5, seed=0):
        rng = np.random.default_rng(seed)
        self.W1 = rng.normal(0.0, 0.5, size=(n_hidden, n_in))
        self.b1 = np.zeros(n_hidden)
        self.W2 = rng.normal(0.0, 0.5, size=(n_out, n_hidden))
        self.b2 = np.zeros(n_out)
        self.lr = lr

    def forward(self, x):
        self.h = np.tanh(self.W1 @ x + self.b1)
        self.out = sigmoid(self.W2 @ self.h + self.b2)
        return self.out

    def train(self, x, y):
        out = self.forward(x)
        err = out - y
        d_out = err * out * (1 - out)
        d_h = (self.W2.T @ d_out) * (1 - self.h ** 2)
        self.W2 -= self.lr * np.outer(d_out, self.h)
        self.b2 -= self.lr * d_out
        self.W1 -= self.lr * np.outer(d_h, x)
        self.b1 -= self.lr * d_h
        return 0.5 * np.sum(err ** 2)


if __name__ == "__main__":
    rng = np.random.default_rng(7)
    X = rng.uniform(-1, 1, size=(64, 3))
    Y = np.stack([X[:, 0] * X[:, 1] > 0, X.sum(axis=1) > 0], axis=1).astype(float)
    net = OnlineNet(3, 8, 2)
    for epoch in range(200):
        total = sum(net.train(x, y) for x, y in zip(X, Y))
        if epoch % 50 == 0:
            print("epoch", epoch, "mean loss", round(total / len(X), 4))
