"""Small regression MLP: parameters kept in a dict, ReLU hidden layer, linear output."""

import numpy as np


class MLPRegressor:
    def __init__(self, input_dim, hidden_dim, output_dim, seed=0):
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": rng.normal(0.0, np.sqrt(2.0 / input_dim), (input_dim, hidden_dim)),
            "b1": np.zeros((1, hidden_dim)),
            "W2": rng.normal(0.0, np.sqrt(1.0 / hidden_dim), (hidden_dim, output_dim)),
            "b2": np.zeros((1, output_dim)),
        }
        self.cache = {}

    def forward(self, X):
        p = self.params
        z1 = X @ p["W1"] + p["b1"]
        h = np.maximum(0, z1)
        out = h @ p["W2"] + p["b2"]
        self.cache = {"X": X, "z1": z1, "h": h, "out": out}
        return out

    def loss(self, X, y):
        # mean over samples of the squared error summed over outputs
        return np.mean(np.sum((self.forward(X) - y) ** 2, axis=1))

    def backward(self, y):
        c = self.cache
        n = y.shape[0]
        dout = 2.0 * (c["out"] - y) / n
        grads = {
            "W2": c["h"].T @ dout,
            "b2": dout.sum(axis=0, keepdims=True),
        }
        dh = dout @ self.params["W2"].T
        dz1 = dh * (c["z1"] > 0)
        grads["W1"] = c["X"].T @ dz1
        grads["b1"] = dz1.sum(axis=0, keepdims=True)
        return grads

    def update(self, grads, lr):
        for name in self.params:
            self.params[name] -= lr * grads[name]


if __name__ == "__main__":
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (200, 3))
    y = (X[:, :1] * 2 - X[:, 1:2] ** 2) + 0.1 * rng.standard_normal((200, 1))
    model = MLPRegressor(3, 32, 1)
    for epoch in range(300):
        model.forward(X)
        model.update(model.backward(y), lr=0.05)
    print("final loss", model.loss(X, y))
