import numpy as np


class TwoLayerNet:
    """sigmoid hidden layer, sigmoid output, binary cross-entropy (mean)"""

    def __init__(self, n_in, n_hidden, lr=1.0, seed=0):
        rng = np.random.RandomState(seed)
        self.W1 = rng.normal(0, 1, size=(n_in, n_hidden))
        self.b1 = np.zeros(n_hidden)
        self.W2 = rng.normal(0, 1, size=(n_hidden, 1))
        self.b2 = np.zeros(1)
        self.lr = lr

    @staticmethod
    def _sig(z):
        return 1.0 / (1.0 + np.exp(-z))

    def forward(self, X):
        self.X = X
        self.h = self._sig(X @ self.W1 + self.b1)
        self.p = self._sig(self.h @ self.W2 + self.b2)
        return self.p

    def loss(self, t):
        return float(-np.mean(t * np.log(self.p) + (1 - t) * np.log(1 - self.p)))

    def backward(self, t):
        n = len(t)
        g_out = (self.p - t) / n
        self.gW2 = self.h.T @ g_out
        self.gb2 = g_out.sum(axis=0)
        g_h = (g_out @ self.W2.T) * self.h * (1 - self.h)
        self.gW1 = self.X.T @ g_h
        self.gb1 = g_h.sum(axis=0)

    def update(self):
        self.W1 = self.W1 - self.lr * self.gW1
        self.b1 = self.b1 - self.lr * self.gb1
        self.W2 = self.W2 - self.lr * self.gW2
        self.b2 = self.b2 - self.lr * self.gb2


if __name__ == "__main__":
    np.random.seed(3)
    X = np.random.uniform(-1, 1, size=(150, 3))
    t = ((X[:, 0] * X[:, 1] + 0.5 * X[:, 2]) > 0).astype(float).reshape(-1, 1)

    net = TwoLayerNet(3, 6, lr=1.5)
    losses = []
    for it in range(5000):
        net.forward(X)
        losses.append(net.loss(t))
        net.backward(t)
        net.update()

    print("first/last loss", losses[0], losses[-1])
