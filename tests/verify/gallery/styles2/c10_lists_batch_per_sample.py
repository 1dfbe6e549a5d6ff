import numpy as np


def sig(v):
    return 1.0 / (1.0 + np.exp(-v))


class Perceptron2:
    """Trained one example at a time; inputs come as plain Python lists."""

    def __init__(self, n_inputs, n_hidden, n_outputs):
        self.hidden_weights = np.random.rand(n_hidden, n_inputs) - 0.5
        self.hidden_bias = np.random.rand(n_hidden) - 0.5
        self.output_weights = np.random.rand(n_outputs, n_hidden) - 0.5
        self.output_bias = np.random.rand(n_outputs) - 0.5

    def _one(self, x):
        h = sig(self.hidden_weights.dot(x) + self.hidden_bias)
        o = sig(self.output_weights.dot(h) + self.output_bias)
        return h, o

    def predict(self, inputs):
        return np.array([self._one(np.asarray(x, float))[1] for x in inputs])

    def train(self, inputs, targets, rate):
        for x, t in zip(inputs, targets):
            x = np.asarray(x, float)
            t = np.asarray(t, float)
            h, o = self._one(x)
            out_err = (o - t) * o * (1 - o)
            hid_err = self.output_weights.T.dot(out_err) * h * (1 - h)
            self.output_weights -= rate * np.outer(out_err, h)
            self.output_bias -= rate * out_err
            self.hidden_weights -= rate * np.outer(hid_err, x)
            self.hidden_bias -= rate * hid_err
