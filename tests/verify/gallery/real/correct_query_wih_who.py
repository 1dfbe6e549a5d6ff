"""A three-layer network (input, hidden, output) that is trained and then queried."""

import numpy as np


class neuralNetwork:
    def __init__(self, inputnodes, hiddennodes, outputnodes, learningrate):
        self.inodes = inputnodes
        self.hnodes = hiddennodes
        self.onodes = outputnodes
        # wih[j, i] is the link from input node i to hidden node j; who likewise
        self.wih = np.random.normal(0.0, self.hnodes ** -0.5, (self.hnodes, self.inodes))
        self.who = np.random.normal(0.0, self.onodes ** -0.5, (self.onodes, self.hnodes))
        self.lr = learningrate
        self.activation_function = lambda x: 1.0 / (1.0 + np.exp(-x))

    def train(self, inputs_list, targets_list):
        inputs = np.array(inputs_list, ndmin=2).T
        targets = np.array(targets_list, ndmin=2).T

        hidden_outputs = self.activation_function(np.dot(self.wih, inputs))
        final_outputs = self.activation_function(np.dot(self.who, hidden_outputs))

        # output error, scaled by the sigmoid's slope at the output nodes
        output_errors = targets - final_outputs
        output_signal = output_errors * final_outputs * (1.0 - final_outputs)
        # the scaled error, split back along the links into the hidden layer
        hidden_errors = np.dot(self.who.T, output_signal)
        hidden_signal = hidden_errors * hidden_outputs * (1.0 - hidden_outputs)

        self.who += self.lr * np.dot(output_signal, hidden_outputs.T)
        self.wih += self.lr * np.dot(hidden_signal, inputs.T)

    def query(self, inputs_list):
        inputs = np.array(inputs_list, ndmin=2).T
        hidden_outputs = self.activation_function(np.dot(self.wih, inputs))
        return self.activation_function(np.dot(self.who, hidden_outputs))


if __name__ == "__main__":
    n = neuralNetwork(3, 5, 2, 0.3)
    records = [([0.1, 0.9, 0.4], [0.99, 0.01]), ([0.8, 0.2, 0.5], [0.01, 0.99])]
    for epoch in range(500):
        for inputs, targets in records:
            n.train(inputs, targets)
    print(n.query([0.1, 0.9, 0.4]).ravel())
