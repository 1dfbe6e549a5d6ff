import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class NN:
    def __init__(self, inputs, hidden, outputs, alpha=0.1):
        self.alpha = alpha
        self.w_ih = np.random.randn(inputs, hidden)
        self.b_h = np.zeros(hidden)
        self.w_ho = np.random.randn(hidden, outputs)
        self.b_o = np.zeros(outputs)

    def feed_forward(self, X):
        self.h = np.tanh(np.dot(X, self.w_ih) + self.b_h)
        self.o = sigmoid(np.dot(self.h, self.w_ho) + self.b_o)
        return self.o

    def back_prop(self, X, y):
        o = self.feed_forward(X)
        d_o = o - y  # cross-entropy with a sigmoid output
        d_h = np.dot(d_o, self.w_ho.T) * (1 - self.h ** 2)
        self.w_ho -= self.alpha * np.dot(self.h.T, d_o)
        self.b_o -= self.alpha * d_o.sum(axis=0)
        self.w_ih -= self.alpha * np.dot(X.T, d_h)
        self.b_h += self.alpha * d_h.sum(axis=0)
