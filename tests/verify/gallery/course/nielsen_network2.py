"""A sigmoid network in the style of an online deep-learning book's second chapter program.

Every sample is a pair of column vectors (x, y).  Cost classes expose ``fn`` (the cost of one
sample) and ``delta`` (the output error of one sample).  Mini-batch SGD averages the per-sample
gradients and applies L2 weight decay, (1 - eta * lmbda / n) * w, where n is the size of the
whole training set; the biases are not decayed.
"""
import random

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1 - s)


class QuadraticCost(object):
    @staticmethod
    def fn(a, y):
        return 0.5 * np.linalg.norm(a - y) ** 2

    @staticmethod
    def delta(z, a, y):
        return (a - y) * sigmoid_prime(z)


class CrossEntropyCost(object):
    @staticmethod
    def fn(a, y):
        return np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))

    @staticmethod
    def delta(z, a, y):
        return a - y


class Network(object):
    def __init__(self, sizes, cost=CrossEntropyCost):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.cost = cost
        self.biases = [np.random.randn(rows, 1) for rows in sizes[1:]]
        self.weights = [np.random.randn(rows, cols) / np.sqrt(cols)
                        for cols, rows in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta, lmbda=0.0, evaluation_data=None):
        training_data = list(training_data)
        n = len(training_data)
        evaluation_cost, evaluation_accuracy = [], []
        for j in range(epochs):
            random.shuffle(training_data)
            mini_batches = [training_data[k:k + mini_batch_size]
                            for k in range(0, n, mini_batch_size)]
            for mini_batch in mini_batches:
                self.update_mini_batch(mini_batch, eta, lmbda, n)
            if evaluation_data:
                evaluation_cost.append(self.total_cost(evaluation_data, lmbda))
                evaluation_accuracy.append(self.accuracy(evaluation_data))
        return evaluation_cost, evaluation_accuracy

    def update_mini_batch(self, mini_batch, eta, lmbda, n):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [(1 - eta * (lmbda / n)) * w - (eta / len(mini_batch)) * nw
                        for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch)) * nb
                       for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = self.cost.delta(zs[-1], activations[-1], y)
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sigmoid_prime(zs[-l])
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return nabla_b, nabla_w

    def accuracy(self, data):
        return sum(int(np.argmax(self.feedforward(x)) == np.argmax(y)) for x, y in data)

    def total_cost(self, data, lmbda):
        cost = sum(self.cost.fn(self.feedforward(x), y) for x, y in data) / len(data)
        cost += 0.5 * (lmbda / len(data)) * sum(np.linalg.norm(w) ** 2 for w in self.weights)
        return cost


def make_data(n, rng):
    data = []
    for _ in range(n):
        x = rng.uniform(-1, 1, size=(2, 1))
        label = int(x[0, 0] * x[1, 0] > 0)
        data.append((x, np.eye(2)[:, [label]]))
    return data


if __name__ == "__main__":
    random.seed(2)
    np.random.seed(2)
    rng = np.random.RandomState(2)
    training_data, evaluation_data = make_data(200, rng), make_data(50, rng)
    net = Network([2, 12, 2], cost=CrossEntropyCost)
    costs, accuracies = net.SGD(training_data, 40, 10, 1.0, lmbda=0.1,
                                evaluation_data=evaluation_data)
    print("evaluation cost: %.4f -> %.4f" % (costs[0], costs[-1]))
    print("evaluation accuracy: %d / %d" % (accuracies[-1], len(evaluation_data)))
