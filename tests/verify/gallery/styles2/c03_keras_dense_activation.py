import numpy as np

rng = np.random.default_rng(42)


class Dense:
    def __init__(self, n_in, n_out):
        self.weights = rng.normal(0, 1 / np.sqrt(n_in), (n_out, n_in))
        self.bias = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.weights.T + self.bias

    def backward(self, grad, lr):
        gw = grad.T @ self.x
        gb = grad.sum(axis=0)
        gx = grad @ self.weights
        self.weights -= lr * gw
        self.bias -= lr * gb
        return gx


class Tanh:
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad, lr):
        return grad * (1 - self.y ** 2)


class Sigmoid:
    def forward(self, x):
        self.y = 1 / (1 + np.exp(-x))
        return self.y

    def backward(self, grad, lr):
        return grad * self.y * (1 - self.y)


class Sequential:
    def __init__(self, n_inputs, n_hidden, n_outputs):
        self.layers = [Dense(n_inputs, n_hidden), Tanh(), Dense(n_hidden, n_outputs), Sigmoid()]

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def train_step(self, x, y, learning_rate):
        out = self.predict(x)
        loss = np.mean((out - y) ** 2)
        grad = 2 * (out - y) / out.size
        for layer in reversed(self.layers):
            grad = layer.backward(grad, learning_rate)
        return loss
