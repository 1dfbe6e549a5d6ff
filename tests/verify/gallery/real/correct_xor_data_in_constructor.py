"""XOR-like toy problem: the network keeps its training data and trains on it in place."""

import numpy as np

# four samples, three inputs (the third one is always on), one target each
X_train = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
y_train = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_derivative(s):
    # s is a value that already went through sigmoid()
    return s * (1.0 - s)


class NeuralNetwork:
    def __init__(self, x, y):
        self.input = x
        self.y = y
        self.weights1 = np.random.rand(self.input.shape[1], 4)
        self.weights2 = np.random.rand(4, 1)
        self.output = np.zeros(self.y.shape)

    def feedforward(self):
        self.layer1 = sigmoid(np.dot(self.input, self.weights1))
        self.output = sigmoid(np.dot(self.layer1, self.weights2))

    def backprop(self):
        # loss = sum((y - output)^2); the chain rule brings down the 2
        out_term = 2 * (self.y - self.output) * sigmoid_derivative(self.output)
        d_weights2 = np.dot(self.layer1.T, out_term)
        hidden_term = np.dot(out_term, self.weights2.T) * sigmoid_derivative(self.layer1)
        d_weights1 = np.dot(self.input.T, hidden_term)
        self.weights1 += d_weights1
        self.weights2 += d_weights2


if __name__ == "__main__":
    nn = NeuralNetwork(X_train, y_train)
    for _ in range(1500):
        nn.feedforward()
        nn.backprop()
    print(np.round(nn.output, 3))
