"""A small regression MLP whose hidden activation is chosen by name in the constructor.

MLP([n_in, h1, h2, n_out], activation="relu" or "tanh"): the hidden layers use that
activation, the output layer is linear, and the loss is the mean squared error averaged
over all entries of Y.  Weights are (fan_in, fan_out) lists; biases are (1, fan_out).
"""
import numpy as np


def relu(z):
    return np.maximum(z, 0.0)


def relu_grad(z):
    return (z > 0).astype(z.dtype)


def tanh_grad(z):
    return 1.0 - np.tanh(z) ** 2


ACTIVATIONS = {"relu": (relu, relu_grad), "tanh": (np.tanh, tanh_grad)}


class MLP:
    def __init__(self, sizes, activation="relu", lr=0.05, seed=0):
        if activation not in ACTIVATIONS:
            raise ValueError("activation must be 'relu' or 'tanh'")
        self.act, self.act_grad = ACTIVATIONS[activation]
        self.lr = lr
        rng = np.random.default_rng(seed)
        self.weights = [rng.normal(0, np.sqrt(2.0 / m), size=(m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros((1, n)) for n in sizes[1:]]

    def forward(self, X):
        self.zs, self.activations = [], [X]
        a = X
        last = len(self.weights) - 1
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ W + b
            self.zs.append(z)
            a = z if i == last else self.act(z)
            self.activations.append(a)
        return a

    def loss(self, X, Y):
        return np.mean((self.forward(X) - Y) ** 2)

    def backward(self, X, Y):
        out = self.forward(X)
        delta = 2.0 * (out - Y) / Y.size
        grads_W, grads_b = [None] * len(self.weights), [None] * len(self.biases)
        for i in reversed(range(len(self.weights))):
            grads_W[i] = self.activations[i].T @ delta
            grads_b[i] = delta.sum(axis=0, keepdims=True)
            if i > 0:
                delta = (delta @ self.weights[i].T) * self.act_grad(self.zs[i - 1])
        return grads_W, grads_b

    def step(self, X, Y):
        grads_W, grads_b = self.backward(X, Y)
        for i in range(len(self.weights)):
            self.weights[i] -= self.lr * grads_W[i]
            self.biases[i] -= self.lr * grads_b[i]

    def fit(self, X, Y, epochs=500):
        history = []
        for _ in range(epochs):
            self.step(X, Y)
            history.append(self.loss(X, Y))
        return history


if __name__ == "__main__":
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(100, 2))
    Y = (X[:, :1] ** 2 - X[:, 1:]) * 0.5
    for name in ("relu", "tanh"):
        model = MLP([2, 16, 16, 1], activation=name, lr=0.1)
        history = model.fit(X, Y, epochs=800)
        print("%s: mse %.4f -> %.5f" % (name, history[0], history[-1]))
