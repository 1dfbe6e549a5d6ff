import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class Layer:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros((1, n_out))

    def forward(self, inp):
        self.inp = inp
        self.out = sigmoid(inp @ self.W + self.b)
        return self.out

    def backward(self, grad_out, lr):
        dz = grad_out * self.out * (1 - self.out)
        grad_in = dz @ self.W.T
        self.W -= lr * self.inp.T @ dz
        self.b -= lr * dz.sum(axis=0, keepdims=True)
        return grad_in


class Network:
    def __init__(self, n_input, n_hidden, n_output):
        self.layers = [Layer(n_input, n_hidden), Layer(n_hidden, n_output)]

    def forward(self, X):
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def train(self, X, y, lr=0.1):
        out = self.forward(X)
        grad = out - y  # derivative of 0.5 * sum((out - y)**2)
        for layer in reversed(self.layers):
            grad = layer.backward(grad, lr)
        return 0.5 * np.sum((out - y) ** 2)


if __name__ == "__main__":
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([[0], [1], [1], [0]], float)
    net = Network(2, 4, 1)
    for i in range(5000):
        net.train(X, y, 0.5)
    print(net.forward(X))
