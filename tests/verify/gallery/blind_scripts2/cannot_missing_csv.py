import numpy as np

np.random.seed()

raw = np.loadtxt("data.csv", delimiter=",")
X, y = raw[:, :-1], raw[:, -1:]

W1 = np.random.randn(X.shape[1], 6)
W2 = np.random.randn(6, 1)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


for i in range(20000):
    l1 = sigmoid(X @ W1)
    l2 = sigmoid(l1 @ W2)
    l2_delta = (y - l2) * l2 * (1 - l2)
    l1_delta = l2_delta @ W2.T * l1 * (1 - l1)
    W2 += 0.1 * l1.T @ l2_delta
    W1 += 0.1 * X.T @ l1_delta
