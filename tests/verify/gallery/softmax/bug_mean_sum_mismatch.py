"""A two-layer network in the style of the deeplearning.ai course: examples in columns, a parameters dict.

ReLU hidden layer, softmax output, the cost J = -(1/m) sum Y log A2; Y one-hot columns. The
gradients are averaged over the m examples in the output layer, summed in the hidden one.
"""

import numpy as np


def relu(Z):
    return np.maximum(0, Z)


def softmax(Z):
    T = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return T / np.sum(T, axis=0, keepdims=True)


class NeuralNetwork:
    def __init__(self, n_x, n_h, n_y):
        np.random.seed(2)
        self.parameters = {
            "W1": np.random.randn(n_h, n_x) * 0.01,
            "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h) * 0.01,
            "b2": np.zeros((n_y, 1)),
        }

    def forward_propagation(self, X):
        W1, b1, W2, b2 = (self.parameters[k] for k in ("W1", "b1", "W2", "b2"))
        Z1 = W1 @ X + b1
        A1 = relu(Z1)
        A2 = softmax(W2 @ A1 + b2)
        self.cache = {"Z1": Z1, "A1": A1, "A2": A2}
        return A2

    def backward_propagation(self, X, Y):
        m = X.shape[1]
        W2 = self.parameters["W2"]
        Z1, A1, A2 = self.cache["Z1"], self.cache["A1"], self.cache["A2"]
        dZ2 = A2 - Y
        dW2 = (1 / m) * dZ2 @ A1.T
        db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
        dZ1 = (W2.T @ dZ2) * (Z1 > 0)
        dW1 = dZ1 @ X.T
        db1 = np.sum(dZ1, axis=1, keepdims=True)
        return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}

    def update_parameters(self, grads, learning_rate=1.2):
        for k in ("W1", "b1", "W2", "b2"):
            self.parameters[k] = self.parameters[k] - learning_rate * grads["d" + k]

    def train_step(self, X, Y, learning_rate):
        self.forward_propagation(X)
        grads = self.backward_propagation(X, Y)
        self.update_parameters(grads, learning_rate)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 400))
    labels = (X[0] > 0).astype(int) + (X[1] > 0).astype(int)
    Y = np.eye(3)[:, labels]
    net = NeuralNetwork(2, 8, 3)
    for _ in range(2000):
        net.train_step(X, Y, 0.5)
    print("accuracy", np.mean(net.forward_propagation(X).argmax(axis=0) == labels))
