import numpy as np


class NeuralNetwork:
    def _init_(self, n_in, n_hidden, n_out):
        np.random.seed(2)
        self.W1 = np.random.randn(n_in, n_hidden) * 0.5
        self.W2 = np.random.randn(n_hidden, n_out) * 0.5

    def sigmoid(self, z):
        return 1 / (1 + np.exp(-z))

    def feedforward(self, X):
        self.h = self.sigmoid(X @ self.W1)
        self.out = self.sigmoid(self.h @ self.W2)
        return self.out

    def backprop(self, X, y, lr):
        d_out = (self.out - y) * self.out * (1 - self.out)
        d_h = d_out @ self.W2.T * self.h * (1 - self.h)
        self.W2 -= lr * self.h.T @ d_out
        self.W1 -= lr * X.T @ d_h


X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)

nn = NeuralNetwork(3, 4, 1)
for i in range(10000):
    nn.feedforward(X)
    nn.backprop(X, y, 1.0)
print(nn.out)
