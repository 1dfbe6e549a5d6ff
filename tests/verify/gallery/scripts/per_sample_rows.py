# One sample at a time; biases kept as rows (1, n); a learning rate of 0.5; 1/2 * squared error.
import numpy as np

rng = np.random.default_rng(3)
X = rng.normal(size=(6, 3))
Y = rng.uniform(0.1, 0.9, size=(6, 2))
W1 = rng.normal(size=(3, 5))
b1 = rng.normal(size=(1, 5))
W2 = rng.normal(size=(5, 2))
b2 = rng.normal(size=(1, 2))
lr = 0.5


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


for epoch in range(100000):
    for i in range(len(X)):
        x = X[i:i + 1]
        t = Y[i:i + 1]
        h = sigmoid(x @ W1 + b1)
        out = sigmoid(h @ W2 + b2)
        d2 = (out - t) * out * (1 - out)
        d1 = (d2 @ W2.T) * h * (1 - h)
        W2 -= lr * h.T @ d2
        b2 -= lr * d2
        W1 -= lr * x.T @ d1
        b1 -= lr * d1
