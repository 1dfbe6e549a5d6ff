"""Leaky-ReLU hidden layer, sigmoid output, log-loss summed over the batch."""

import numpy as np

LEAK = 0.01


def leaky_relu(z):
    return np.where(z > 0, z, LEAK * z)


def leaky_relu_grad(z):
    return np.where(z > 0, 1.0, LEAK)


class LeakyNet:
    def __init__(self, input_size, hidden_size, output_size, seed=None):
        rng = np.random.default_rng(seed)
        self.w_hidden = rng.normal(0, 1 / np.sqrt(input_size), (input_size, hidden_size))
        self.b_hidden = np.zeros(hidden_size)
        self.w_out = rng.normal(0, 1 / np.sqrt(hidden_size), (hidden_size, output_size))
        self.b_out = np.zeros(output_size)

    def forward(self, X):
        self.z_hidden = X @ self.w_hidden + self.b_hidden
        self.a_hidden = leaky_relu(self.z_hidden)
        logits = self.a_hidden @ self.w_out + self.b_out
        self.p = 1 / (1 + np.exp(-logits))
        return self.p

    def train_step(self, X, y, lr):
        p = self.forward(X)
        # summed log-loss through a sigmoid: dL/dlogits = p - y
        d_out = p - y
        d_hidden = (d_out @ self.w_out.T) * leaky_relu_grad(self.z_hidden)
        self.w_out -= lr * (self.a_hidden.T @ d_out)
        self.b_out -= lr * d_out.sum(axis=0)
        self.w_hidden -= lr * (X.T @ d_hidden)
        self.b_hidden -= lr * d_hidden.sum(axis=0)
        eps = 1e-12
        return -np.sum(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))


if __name__ == "__main__":
    rng = np.random.default_rng(5)
    X = rng.normal(size=(64, 4))
    y = (X @ np.array([[1.0], [-2.0], [0.5], [0.0]]) > 0).astype(float)
    net = LeakyNet(4, 10, 1, seed=0)
    for _ in range(300):
        loss = net.train_step(X, y, lr=0.01)
    print("loss", loss)
