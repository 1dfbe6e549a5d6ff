import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def dsigmoid(s):
    # derivative of the sigmoid, written in terms of its output s
    return s * (1.0 - s)


def init(sizes, seed=0):
    rng = np.random.default_rng(seed)
    W1 = rng.normal(size=(sizes[0], sizes[1])) / np.sqrt(sizes[0])
    b1 = np.zeros((1, sizes[1]))
    W2 = rng.normal(size=(sizes[1], sizes[2])) / np.sqrt(sizes[1])
    b2 = np.zeros((1, sizes[2]))
    return W1, b1, W2, b2


def train(X, Y, W1, b1, W2, b2, lr, epochs):
    m = len(X)
    for epoch in range(epochs):
        Z1 = X @ W1 + b1
        A1 = sigmoid(Z1)
        Z2 = A1 @ W2 + b2
        A2 = sigmoid(Z2)
        cost = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m

        dZ2 = (A2 - Y) / m
        dW2 = A1.T @ dZ2
        db2 = dZ2.sum(axis=0, keepdims=True)
        dA1 = dZ2 @ W2.T
        dZ1 = dA1 * dsigmoid(Z1)
        dW1 = X.T @ dZ1
        db1 = dZ1.sum(axis=0, keepdims=True)

        W1 = W1 - lr * dW1
        b1 = b1 - lr * db1
        W2 = W2 - lr * dW2
        b2 = b2 - lr * db2
        if epoch % 250 == 0:
            print("epoch", epoch, "cost", cost)
    return W1, b1, W2, b2


def main():
    rng = np.random.default_rng(99)
    X = rng.normal(size=(100, 2))
    Y = (X[:, [0]] ** 2 + X[:, [1]] ** 2 < 1.2).astype(float)
    W1, b1, W2, b2 = init([2, 7, 1])
    W1, b1, W2, b2 = train(X, Y, W1, b1, W2, b2, lr=2.0, epochs=5000)


if __name__ == "__main__":
    main()
