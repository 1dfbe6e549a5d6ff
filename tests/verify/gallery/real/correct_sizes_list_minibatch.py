"""A feed-forward network of any depth, trained by mini-batch stochastic gradient descent.

sizes[0] is the number of inputs and every later entry the width of a layer.
Layer l takes a column a of shape (n_in, 1) to sigmoid(weights[l] @ a + biases[l]);
weights[l] is (n_out, n_in) and biases[l] is (n_out, 1).
"""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - s)


class Network:
    def __init__(self, sizes):
        self.sizes = list(sizes)
        self.num_layers = len(self.sizes)
        self.biases = [np.random.randn(n, 1) for n in self.sizes[1:]]
        self.weights = [
            np.random.randn(n_out, n_in) / np.sqrt(n_in)
            for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])
        ]

    def feedforward(self, a):
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(w @ a + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta):
        training_data = list(training_data)
        for _ in range(epochs):
            order = np.random.permutation(len(training_data))
            shuffled = [training_data[k] for k in order]
            for start in range(0, len(shuffled), mini_batch_size):
                self.update_mini_batch(shuffled[start : start + mini_batch_size], eta)

    def update_mini_batch(self, mini_batch, eta):
        """One step down the mean quadratic cost of the (x, y) pairs in mini_batch."""
        sum_b = [np.zeros_like(b) for b in self.biases]
        sum_w = [np.zeros_like(w) for w in self.weights]
        for x, y in mini_batch:
            nabla_b, nabla_w = self.backprop(x, y)
            sum_b = [s + g for s, g in zip(sum_b, nabla_b)]
            sum_w = [s + g for s, g in zip(sum_w, nabla_w)]
        scale = eta / len(mini_batch)
        self.weights = [w - scale * g for w, g in zip(self.weights, sum_w)]
        self.biases = [b - scale * g for b, g in zip(self.biases, sum_b)]

    def backprop(self, x, y):
        """Gradient of C = 0.5 * ||a_L - y||^2 for one pair, as two lists (nabla_b, nabla_w)."""
        activation = x
        activations = [x]  # activations[l] is the input of weights[l]
        zs = []  # zs[l] = weights[l] @ activations[l] + biases[l]
        for w, b in zip(self.weights, self.biases):
            z = w @ activation + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)

        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        # delta_L = (a_L - y) * sigma'(z_L)
        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
        for l in range(len(self.weights) - 1, -1, -1):
            nabla_b[l] = delta
            nabla_w[l] = delta @ activations[l].T
            if l > 0:
                # delta_{l-1} = (W_l^T delta_l) * sigma'(z_{l-1})
                delta = (self.weights[l].T @ delta) * sigmoid_prime(zs[l - 1])
        return nabla_b, nabla_w

    def cost_derivative(self, output_activations, y):
        return output_activations - y


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    data = [(rng.random((4, 1)), np.eye(2)[:, [k % 2]]) for k in range(40)]
    net = Network([4, 6, 5, 2])
    net.SGD(data, epochs=30, mini_batch_size=8, eta=3.0)
    print(net.feedforward(data[0][0]).ravel(), data[0][1].ravel())
