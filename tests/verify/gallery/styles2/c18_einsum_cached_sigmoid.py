import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class EinsumMLP:
    def __init__(self, n_in, n_hid, n_out):
        self.W1 = np.random.randn(n_in, n_hid) * 0.5
        self.b1 = np.zeros(n_hid)
        self.W2 = np.random.randn(n_hid, n_out) * 0.5
        self.b2 = np.zeros(n_out)

    def forward(self, X):
        self.s1 = sigmoid(np.einsum("ni,ij->nj", X, self.W1) + self.b1)
        self.s2 = sigmoid(np.einsum("nj,jk->nk", self.s1, self.W2) + self.b2)
        return self.s2

    def sgd_step(self, X, Y, lr):
        s2 = self.forward(X)
        s1 = self.s1
        d2 = (s2 - Y) * s2 * (1 - s2)
        d1 = np.einsum("nk,jk->nj", d2, self.W2) * s1 * (1 - s1)
        self.W2 -= lr * np.einsum("nj,nk->jk", s1, d2)
        self.b2 -= lr * np.einsum("nk->k", d2)
        self.W1 -= lr * np.einsum("ni,nj->ij", X, d1)
        self.b1 -= lr * np.einsum("nj->j", d1)
