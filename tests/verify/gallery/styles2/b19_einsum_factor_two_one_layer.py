import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class EinsumNet:
    def __init__(self, n_in, n_hid, n_out, lr=0.1):
        self.lr = lr
        self.A = np.random.randn(n_in, n_hid) * 0.5
        self.a = np.zeros(n_hid)
        self.B = np.random.randn(n_hid, n_out) * 0.5
        self.b = np.zeros(n_out)

    def forward(self, X):
        self.h = sigmoid(np.einsum("ni,ij->nj", X, self.A) + self.a)
        self.o = sigmoid(np.einsum("nj,jk->nk", self.h, self.B) + self.b)
        return self.o

    def train(self, X, Y):
        o = self.forward(X)
        err = o - Y
        d_out = 2 * err * o * (1 - o)  # loss = sum((o - Y)**2)
        d_hid = np.einsum("nk,jk->nj", err * o * (1 - o), self.B) * self.h * (1 - self.h)
        self.B -= self.lr * np.einsum("nj,nk->jk", self.h, d_out)
        self.b -= self.lr * d_out.sum(0)
        self.A -= self.lr * np.einsum("ni,nj->ij", X, d_hid)
        self.a -= self.lr * d_hid.sum(0)
