"""Two layers of synapses, no biases: the network 'thinks' about a batch of examples."""

import numpy as np

np.random.seed(1)


def nonlin(x, deriv=False):
    if deriv:
        # x is already the output of the sigmoid here
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))


class TwoLayerNet:
    def __init__(self, n_inputs=3, n_hidden=4, n_outputs=1):
        self.syn0 = 2 * np.random.random((n_inputs, n_hidden)) - 1
        self.syn1 = 2 * np.random.random((n_hidden, n_outputs)) - 1

    def think(self, X):
        l1 = nonlin(np.dot(X, self.syn0))
        return nonlin(np.dot(l1, self.syn1))

    def train(self, X, y):
        l0 = X
        l1 = nonlin(np.dot(l0, self.syn0))
        l2 = nonlin(np.dot(l1, self.syn1))

        # how much did we miss, and in which direction
        l2_error = y - l2
        l2_delta = l2_error * nonlin(l2, deriv=True)

        # how much each hidden unit contributed to that miss
        l1_error = l2_delta.dot(self.syn1.T)
        l1_delta = l1_error * nonlin(l1, deriv=True)

        self.syn1 += l1.T.dot(l2_delta)
        self.syn0 += l0.T.dot(l1_delta)
        return np.mean(np.abs(l2_error))


if __name__ == "__main__":
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    y = np.array([[0, 0, 1, 1]]).T
    net = TwoLayerNet()
    for j in range(10000):
        err = net.train(X, y)
        if j % 2000 == 0:
            print("Error:", err)
    print(net.think(X))
