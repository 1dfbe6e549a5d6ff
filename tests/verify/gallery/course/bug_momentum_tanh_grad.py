"""A network class that returns its gradients, and SGD with momentum as a separate class.

tanh hidden layer, sigmoid output unit, binary cross-entropy averaged over the samples.
"""
import numpy as np


class Net:
    def __init__(self, n_in, n_hidden, seed=0):
        rng = np.random.RandomState(seed)
        self.params = {
            "W1": rng.uniform(-1, 1, size=(n_in, n_hidden)) / np.sqrt(n_in),
            "b1": np.zeros(n_hidden),
            "W2": rng.uniform(-1, 1, size=(n_hidden, 1)) / np.sqrt(n_hidden),
            "b2": np.zeros(1),
        }

    def forward(self, X):
        p = self.params
        self.X = X
        self.a1 = np.tanh(X @ p["W1"] + p["b1"])
        self.out = 1.0 / (1.0 + np.exp(-(self.a1 @ p["W2"] + p["b2"])))
        return self.out

    def loss(self, X, y):
        out = self.forward(X)
        return float(-np.mean(y * np.log(out) + (1 - y) * np.log(1 - out)))

    def backward(self, y):
        p = self.params
        n = len(y)
        dz2 = (self.out - y) / n
        da1 = dz2 @ p["W2"].T
        dz1 = da1 * (1 - self.a1)
        return {
            "W2": self.a1.T @ dz2,
            "b2": dz2.sum(axis=0),
            "W1": self.X.T @ dz1,
            "b1": dz1.sum(axis=0),
        }


class Momentum:
    def __init__(self, lr=0.1, beta=0.9):
        self.lr, self.beta = lr, beta
        self.velocity = {}

    def update(self, params, grads):
        for name, g in grads.items():
            v = self.velocity.get(name, np.zeros_like(g))
            v = self.beta * v - self.lr * g
            self.velocity[name] = v
            params[name] += v


if __name__ == "__main__":
    rng = np.random.RandomState(8)
    X = rng.randn(200, 3)
    y = ((X[:, 0] - X[:, 1]) * X[:, 2] > 0).astype(float).reshape(-1, 1)
    net, opt = Net(3, 16), Momentum(lr=0.5, beta=0.9)
    for it in range(1500):
        net.forward(X)
        opt.update(net.params, net.backward(y))
        if it % 500 == 0:
            print("iteration %d: loss %.4f" % (it, net.loss(X, y)))
