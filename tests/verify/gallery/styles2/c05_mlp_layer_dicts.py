import numpy as np


def relu(z):
    return np.maximum(0, z)


class MLP:
    def __init__(self, sizes, lr=0.01):
        self.lr = lr
        self.layers = []
        for m, n in zip(sizes[:-1], sizes[1:]):
            self.layers.append({"W": np.random.randn(m, n) * np.sqrt(2 / m), "b": np.zeros(n)})

    def forward(self, X):
        self.acts = [X]
        self.zs = []
        a = X
        for i, layer in enumerate(self.layers):
            z = a @ layer["W"] + layer["b"]
            self.zs.append(z)
            a = relu(z) if i < len(self.layers) - 1 else z
            self.acts.append(a)
        return a

    def backward(self, X, Y):
        out = self.forward(X)
        g = 2 * (out - Y)  # d/d out of sum((out - Y)**2)
        for i in reversed(range(len(self.layers))):
            layer = self.layers[i]
            dW = self.acts[i].T @ g
            db = g.sum(axis=0)
            if i > 0:
                g = (g @ layer["W"].T) * (self.zs[i - 1] > 0)
            layer["W"] -= self.lr * dW
            layer["b"] -= self.lr * db
        return np.sum((out - Y) ** 2)
