import numpy as np


class NeuralNetwork:
    def __init__(self, X, y, hidden=5, learning_rate=0.5):
        self.X = X
        self.y = y
        self.lr = learning_rate
        self.W1 = np.random.randn(X.shape[1], hidden)
        self.b1 = np.zeros((1, hidden))
        self.W2 = np.random.randn(hidden, 1)
        self.b2 = np.zeros((1, 1))

    def sigmoid(self, s):
        return 1 / (1 + np.exp(-s))

    def feedforward(self):
        self.hidden = self.sigmoid(self.X @ self.W1 + self.b1)
        self.output = self.sigmoid(self.hidden @ self.W2 + self.b2)

    def backprop(self):
        # squared error 0.5 * sum((output - y)**2)
        d_output = (self.output - self.y) * self.output * (1 - self.output)
        d_hidden = (d_output @ self.W2.T) * self.hidden * (1 - self.hidden)

        dW2 = self.hidden.T @ d_output
        db2 = np.sum(d_output)
        dW1 = self.X.T @ d_hidden
        db1 = np.sum(d_hidden)

        self.W2 -= self.lr * dW2
        self.b2 -= self.lr * db2
        self.W1 -= self.lr * dW1
        self.b1 -= self.lr * db1


np.random.seed(10)
X = np.random.rand(40, 3)
y = (X[:, :1] + X[:, 1:2] > X[:, 2:3] + 0.5).astype(float)

nn = NeuralNetwork(X, y)
for i in range(1500):
    nn.feedforward()
    nn.backprop()
    if i % 300 == 0:
        print(i, 0.5 * np.sum((nn.output - y) ** 2))
