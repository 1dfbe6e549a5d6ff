"""Three layers of synapses (no biases), a step size alpha, errors taken as l - y."""

import numpy as np

print("three-layer net, numpy", np.__version__)


def sig(x):
    return 1 / (1 + np.exp(-x))


def sig_slope(out):
    return out * (1 - out)


class DeepThinker:
    def __init__(self, n_in=3, n_h1=4, n_h2=4, n_out=1):
        self.syn0 = 2 * np.random.random((n_in, n_h1)) - 1
        self.syn1 = 2 * np.random.random((n_h1, n_h2)) - 1
        self.syn2 = 2 * np.random.random((n_h2, n_out)) - 1

    def think(self, X):
        l1 = sig(X.dot(self.syn0))
        l2 = sig(l1.dot(self.syn1))
        return sig(l2.dot(self.syn2))

    def train(self, X, y, alpha):
        l0 = X
        l1 = sig(l0.dot(self.syn0))
        l2 = sig(l1.dot(self.syn1))
        l3 = sig(l2.dot(self.syn2))

        l3_delta = (l3 - y) * sig_slope(l3)
        l2_delta = l3_delta.dot(self.syn2.T) * sig_slope(l2)
        l1_delta = l2_delta.dot(self.syn1.T) * sig_slope(l1)

        self.syn2 -= alpha * l2.T.dot(l3_delta)
        self.syn1 -= alpha * l1.T.dot(l2_delta)
        self.syn0 -= alpha * l0.T.dot(l1_delta)


if __name__ == "__main__":
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    y = np.array([[0], [1], [1], [0]])
    for alpha in (0.1, 1, 10):
        net = DeepThinker()
        for _ in range(20000):
            net.train(X, y, alpha)
        print(alpha, net.think(X).ravel().round(3))
