# Mini-batch stochastic gradient descent, network as lists of arrays (after Nielsen, ch. 1-2)
import random

import numpy as np

random.seed(5)
np.random.seed(5)

sizes = [3, 6, 2]
biases = [np.random.randn(y, 1) for y in sizes[1:]]
weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def feedforward(a):
    for b, w in zip(biases, weights):
        a = sigmoid(np.dot(w, a) + b)
    return a


def backprop(x, y, weights, biases):
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    activation = x
    activations = [x]
    zs = []
    for b, w in zip(biases, weights):
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
    nabla_b[-1] = delta
    nabla_w[-1] = np.dot(delta, activations[-2].transpose())
    for l in range(2, len(sizes)):
        z = zs[-l]
        sp = sigmoid_prime(z)
        delta = np.dot(weights[-l + 1].transpose(), delta) * sp
        nabla_b[-l] = delta
        nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
    return nabla_b, nabla_w


def update_mini_batch(mini_batch, eta, weights, biases):
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    for x, y in mini_batch:
        delta_nabla_b, delta_nabla_w = backprop(x, y, weights, biases)
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
    weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(weights, nabla_w)]
    biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(biases, nabla_b)]
    return weights, biases


# toy data: 2 outputs in (0, 1) from 3 inputs
inputs = np.random.uniform(-1, 1, (120, 3))
targets = np.stack([(inputs[:, 0] > inputs[:, 1]).astype(float),
                    (inputs.sum(axis=1) > 0).astype(float)], axis=1)
training_data = [(inputs[i].reshape(-1, 1), targets[i].reshape(-1, 1)) for i in range(len(inputs))]

epochs = 30
mini_batch_size = 10
eta = 3.0
n = len(training_data)
for j in range(epochs):
    random.shuffle(training_data)
    mini_batches = [training_data[k:k + mini_batch_size] for k in range(0, n, mini_batch_size)]
    for mini_batch in mini_batches:
        weights, biases = update_mini_batch(mini_batch, eta, weights, biases)
    correct = sum(int(np.all((feedforward(x) > 0.5) == (y > 0.5))) for x, y in training_data)
    print("Epoch {0}: {1} / {2}".format(j, correct, n))
