"""Not seed-style: the output weights are called W_out."""

import numpy as np


class Net:
    def __init__(self, i, h, o):
        self.W1, self.b1 = np.zeros((h, i)), np.zeros((h, 1))
        self.W_out, self.b2 = np.zeros((o, h)), np.zeros((o, 1))

    def forward(self, X):
        return X

    def backward(self, X, y, learning_rate):
        pass
