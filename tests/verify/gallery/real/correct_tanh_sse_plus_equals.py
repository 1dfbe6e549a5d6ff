"""tanh everywhere, squared error without the 1/2, updates written with +=."""

import numpy as np


class TanhNet:
    def __init__(self, input_size=2, hidden_size=3, output_size=1):
        self.w1 = np.random.uniform(-0.5, 0.5, (input_size, hidden_size))
        self.b1 = np.zeros((1, hidden_size))
        self.w2 = np.random.uniform(-0.5, 0.5, (hidden_size, output_size))
        self.b2 = np.zeros((1, output_size))

    def feedforward(self, X):
        self.hidden = np.tanh(X @ self.w1 + self.b1)
        self.output = np.tanh(self.hidden @ self.w2 + self.b2)
        return self.output

    def backprop(self, X, y, lr):
        # loss = sum((y - output)^2), so -dloss/doutput = 2 (y - output)
        d_output = 2 * (y - self.output) * (1 - self.output ** 2)
        d_hidden = d_output @ self.w2.T * (1 - self.hidden ** 2)
        self.w2 += lr * self.hidden.T @ d_output
        self.b2 += lr * np.sum(d_output, axis=0, keepdims=True)
        self.w1 += lr * X.T @ d_hidden
        self.b1 += lr * np.sum(d_hidden, axis=0, keepdims=True)


if __name__ == "__main__":
    X = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=float)
    y = np.array([[-0.9], [0.9], [0.9], [-0.9]])
    net = TanhNet()
    for _ in range(2000):
        net.feedforward(X)
        net.backprop(X, y, lr=0.05)
    print("loss", np.sum((y - net.feedforward(X)) ** 2))
