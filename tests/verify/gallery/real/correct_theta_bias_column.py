"""Neural network in the style of the classic course exercise.

Bias units are prepended as a column of ones, so theta1 is (hidden, inputs + 1) and
theta2 is (labels, hidden + 1). Gradients are accumulated one example at a time.
"""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_gradient(z):
    g = sigmoid(z)
    return g * (1.0 - g)


def add_ones(A):
    return np.hstack([np.ones((A.shape[0], 1)), A])


class ThetaNet:
    def __init__(self, input_layer_size, hidden_layer_size, num_labels, epsilon_init=0.12):
        rng = np.random.default_rng(1)
        self.theta1 = rng.uniform(-epsilon_init, epsilon_init, (hidden_layer_size, input_layer_size + 1))
        self.theta2 = rng.uniform(-epsilon_init, epsilon_init, (num_labels, hidden_layer_size + 1))

    def predict(self, X):
        """Output-unit activations h_theta(x), one row per example."""
        a2 = add_ones(sigmoid(add_ones(X) @ self.theta1.T))
        return sigmoid(a2 @ self.theta2.T)

    def cost(self, X, y):
        m = X.shape[0]
        h = self.predict(X)
        return np.sum(-y * np.log(h) - (1 - y) * np.log(1 - h)) / m

    def gradients(self, X, y):
        m = X.shape[0]
        Delta1 = np.zeros_like(self.theta1)
        Delta2 = np.zeros_like(self.theta2)
        for t in range(m):
            a1 = np.concatenate(([1.0], X[t]))
            z2 = self.theta1 @ a1
            a2 = np.concatenate(([1.0], sigmoid(z2)))
            a3 = sigmoid(self.theta2 @ a2)
            d3 = a3 - y[t]
            # skip the bias unit's column when sending the error back
            d2 = (self.theta2[:, 1:].T @ d3) * sigmoid_gradient(z2)
            Delta1 += np.outer(d2, a1)
            Delta2 += np.outer(d3, a2)
        return Delta1 / m, Delta2 / m

    def gradient_step(self, X, y, alpha):
        theta1_grad, theta2_grad = self.gradients(X, y)
        self.theta1 -= alpha * theta1_grad
        self.theta2 -= alpha * theta2_grad


if __name__ == "__main__":
    rng = np.random.default_rng(3)
    X = rng.random((50, 4))
    labels = (X.sum(axis=1) > 2).astype(int)
    y = np.eye(2)[labels]
    net = ThetaNet(4, 5, 2)
    for _ in range(400):
        net.gradient_step(X, y, alpha=2.0)
    print("cost J =", net.cost(X, y))
