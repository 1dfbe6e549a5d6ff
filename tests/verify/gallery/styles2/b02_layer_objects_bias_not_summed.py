import numpy as np


class FullyConnected:
    def __init__(self, n_in, n_out, activation):
        self.weights = np.random.uniform(-1, 1, (n_in, n_out))
        self.bias = np.zeros((1, n_out))
        self.activation = activation

    def forward(self, x):
        self.x = x
        z = x @ self.weights + self.bias
        if self.activation == "tanh":
            self.y = np.tanh(z)
        else:
            self.y = 1 / (1 + np.exp(-z))
        return self.y

    def backward(self, dy, lr):
        if self.activation == "tanh":
            delta = dy * (1 - self.y ** 2)
        else:
            delta = dy * self.y * (1 - self.y)
        dx = delta @ self.weights.T
        self.weights -= lr * self.x.T @ delta
        self.bias -= lr * delta
        return dx


class TwoLayerNet:
    def __init__(self, input_dim, hidden_dim, output_dim):
        self.hidden = FullyConnected(input_dim, hidden_dim, "tanh")
        self.output = FullyConnected(hidden_dim, output_dim, "sigmoid")

    def forward(self, x):
        return self.output.forward(self.hidden.forward(x))

    def backward(self, x, target, lr):
        y = self.forward(x)
        d = self.output.backward(y - target, lr)
        self.hidden.backward(d, lr)
