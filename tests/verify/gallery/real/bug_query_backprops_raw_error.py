"""A three-layer network that learns record by record: the errors are split back over the links."""

import numpy as np


class NeuralNetwork:
    def __init__(self, inputnodes, hiddennodes, outputnodes, learningrate):
        self.wih = np.random.normal(0.0, hiddennodes ** -0.5, (hiddennodes, inputnodes))
        self.who = np.random.normal(0.0, outputnodes ** -0.5, (outputnodes, hiddennodes))
        self.lr = learningrate

    @staticmethod
    def activation_function(x):
        return 1.0 / (1.0 + np.exp(-x))

    def query(self, inputs_list):
        inputs = np.array(inputs_list, ndmin=2).T
        hidden_outputs = self.activation_function(self.wih @ inputs)
        return self.activation_function(self.who @ hidden_outputs)

    def train(self, inputs_list, targets_list):
        inputs = np.array(inputs_list, ndmin=2).T
        targets = np.array(targets_list, ndmin=2).T
        hidden_outputs = self.activation_function(self.wih @ inputs)
        final_outputs = self.activation_function(self.who @ hidden_outputs)

        # output layer error is (target - actual)
        output_errors = targets - final_outputs
        # hidden layer error is the output error, split by the weights
        hidden_errors = self.who.T @ output_errors

        self.who += self.lr * (output_errors * final_outputs * (1.0 - final_outputs)) @ hidden_outputs.T
        self.wih += self.lr * (hidden_errors * hidden_outputs * (1.0 - hidden_outputs)) @ inputs.T


if __name__ == "__main__":
    net = NeuralNetwork(4, 6, 3, 0.2)
    rng = np.random.default_rng(9)
    for _ in range(1000):
        x = rng.random(4)
        target = np.full(3, 0.01)
        target[int(x.sum()) % 3] = 0.99
        net.train(x, target)
    print(net.query([0.2, 0.4, 0.1, 0.3]).ravel())
