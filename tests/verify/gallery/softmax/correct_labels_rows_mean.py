"""A two-layer net in the style of the CS231n assignment: samples in rows, parameters in a dict.

X is (samples, features), W1 (features, hidden), biases (n,), ReLU hidden layer, a softmax
over the class scores, the mean cross-entropy over the batch, and integer class labels y:
the gradient of the scores is the probabilities with 1 taken off at each sample's label.
"""

import numpy as np


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, std=1e-1):
        rng = np.random.default_rng(0)
        self.params = {
            "W1": std * rng.standard_normal((input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": std * rng.standard_normal((hidden_size, output_size)),
            "b2": np.zeros(output_size),
        }

    def forward(self, X):
        p = self.params
        hidden = np.maximum(0, X @ p["W1"] + p["b1"])
        scores = hidden @ p["W2"] + p["b2"]
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=1, keepdims=True)
        return probs, hidden

    def loss(self, X, y):
        probs, _ = self.forward(X)
        return -np.log(probs[np.arange(len(y)), y]).mean()

    def train_step(self, X, y, learning_rate=1e-3):
        p = self.params
        N = X.shape[0]
        probs, hidden = self.forward(X)
        # d(mean cross-entropy)/d scores: softmax minus the one-hot labels, over N
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
        grads = {"W2": hidden.T @ dscores, "b2": dscores.sum(axis=0)}
        dhidden = dscores @ p["W2"].T
        dhidden[hidden <= 0] = 0
        grads["W1"] = X.T @ dhidden
        grads["b1"] = dhidden.sum(axis=0)
        for name in p:
            p[name] -= learning_rate * grads[name]


if __name__ == "__main__":
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 4))
    y = np.argmax(X[:, :3], axis=1)
    net = TwoLayerNet(4, 20, 3)
    for it in range(2000):
        net.train_step(X, y, learning_rate=0.5)
    print("loss", net.loss(X, y), "accuracy", np.mean(net.forward(X)[0].argmax(axis=1) == y))
