"""Correct, written differently again: einsum, expit, parameters kept in a dict behind properties."""

import numpy as np
from scipy.special import expit


class EinsumNet:
    def __init__(self, i, h, o):
        self.p = {"W1": np.ones((h, i)), "b1": np.ones((h, 1)), "W2": np.ones((o, h)), "b2": np.ones((o, 1))}

    W1 = property(lambda self: self.p["W1"], lambda self, v: self.p.__setitem__("W1", v))
    b1 = property(lambda self: self.p["b1"], lambda self, v: self.p.__setitem__("b1", v))
    W2 = property(lambda self: self.p["W2"], lambda self, v: self.p.__setitem__("W2", v))
    b2 = property(lambda self: self.p["b2"], lambda self, v: self.p.__setitem__("b2", v))

    def forward(self, X):
        self.a1 = expit(np.einsum("hi,in->hn", self.W1, X) + self.b1)
        self.a2 = expit(np.einsum("oh,hn->on", self.W2, self.a1) + self.b2)
        return self.a2

    def backward(self, X, y, learning_rate):
        d2 = (self.a2 - y) * self.a2 * (1 - self.a2)
        d1 = np.einsum("oh,on->hn", self.W2, d2) * self.a1 * (1 - self.a1)
        new = {
            "W2": self.W2 - learning_rate * np.einsum("on,hn->oh", d2, self.a1),
            "b2": self.b2 - learning_rate * d2.sum(1, keepdims=True),
            "W1": self.W1 - learning_rate * np.einsum("hn,in->hi", d1, X),
            "b1": self.b1 - learning_rate * d1.sum(1, keepdims=True),
        }
        self.p.update(new)
