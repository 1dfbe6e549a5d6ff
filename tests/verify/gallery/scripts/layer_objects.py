# Layer objects composed by a script: each dense layer stores its gradients, an optimizer applies them.
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.weights = 0.5 * np.random.randn(n_in, n_out)
        self.biases = np.zeros((1, n_out))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = inputs @ self.weights + self.biases

    def backward(self, dvalues):
        self.dweights = self.inputs.T @ dvalues
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        self.dinputs = dvalues @ self.weights.T


class Sigmoid:
    def forward(self, inputs):
        self.output = 1 / (1 + np.exp(-inputs))

    def backward(self, dvalues):
        self.dinputs = dvalues * self.output * (1 - self.output)


class SGD:
    def __init__(self, learning_rate=1.0):
        self.learning_rate = learning_rate

    def update(self, layer):
        layer.weights += -self.learning_rate * layer.dweights
        layer.biases += -self.learning_rate * layer.dbiases


np.random.seed(2)
inputs = np.random.randn(5, 3)
targets = np.random.uniform(0.2, 0.8, size=(5, 2))
dense1, act1 = Dense(3, 4), Sigmoid()
dense2, act2 = Dense(4, 2), Sigmoid()
optimizer = SGD(0.2)

for epoch in range(50001):
    dense1.forward(inputs)
    act1.forward(dense1.output)
    dense2.forward(act1.output)
    act2.forward(dense2.output)
    error = act2.output - targets
    act2.backward(error)
    dense2.backward(act2.dinputs)
    act1.backward(dense2.dinputs)
    dense1.backward(act1.dinputs)
    optimizer.update(dense1)
    optimizer.update(dense2)
