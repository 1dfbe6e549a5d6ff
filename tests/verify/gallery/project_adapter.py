"""The project's own trainer, impl.Network, behind the seed-style protocol."""

from impl import Network


def _layer_property(kind, index):
    def get(self):
        if kind == "W":
            return self.net.weights[index]
        return self.net.biases[index][:, None]  # a (n, 1) view of the (n,) bias

    def set(self, value):
        if kind == "W":
            self.net.weights[index] = value.astype(float).copy()
        else:
            self.net.biases[index] = value.astype(float).reshape(-1).copy()

    return property(get, set)


class ProjectNet:
    activation, loss, reduction = "sigmoid", "mse", "sum"

    def __init__(self, input_size, hidden_size, output_size):
        sizes = (input_size, hidden_size, output_size)
        self.net = Network(sizes, self.activation, self.activation, self.loss, self.reduction, seed=0)

    W1 = _layer_property("W", 0)
    b1 = _layer_property("b", 0)
    W2 = _layer_property("W", 1)
    b2 = _layer_property("b", 1)

    def forward(self, X):
        # seed-style X is (features, samples); impl takes (samples, features)
        return self.net.forward(X.T).T

    def backward(self, X, y, learning_rate):
        self.net.step(X.T, y.T, learning_rate)


class ProjectNetTanhMean(ProjectNet):
    activation, loss, reduction = "tanh", "mse", "mean"


class ProjectNetBCE(ProjectNet):
    activation, loss, reduction = "sigmoid", "bce", "sum"
