"""Two synapse matrices, no biases; the brain learns by nudging both after every look at the data."""

import numpy as np


def nonlin(x, deriv=False):
    if deriv:
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))


class Brain:
    def __init__(self, n_in=3, n_hidden=4, n_out=1):
        np.random.seed(1)
        self.syn0 = 2 * np.random.random((n_in, n_hidden)) - 1
        self.syn1 = 2 * np.random.random((n_hidden, n_out)) - 1

    def think(self, X):
        return nonlin(nonlin(X.dot(self.syn0)).dot(self.syn1))

    def train(self, X, y):
        l1 = nonlin(X.dot(self.syn0))
        l2 = nonlin(l1.dot(self.syn1))

        l2_delta = (y - l2) * nonlin(l2, deriv=True)
        self.syn1 += l1.T.dot(l2_delta)

        l1_delta = l2_delta.dot(self.syn1.T) * nonlin(l1, deriv=True)
        self.syn0 += X.T.dot(l1_delta)


if __name__ == "__main__":
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    y = np.array([[0], [1], [1], [0]])
    brain = Brain()
    for _ in range(60000):
        brain.train(X, y)
    print(brain.think(X))
