import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)

np.random.seed(1)
W1 = np.random.uniform(-1, 1, (2, 4))
W2 = np.random.uniform(-1, 1, (4, 1))

for epoch in range(10000):
    hidden = sigmoid(X @ W1)
    output = sigmoid(hidden @ W2)
    error = y - output
    d_output = error * output * (1 - output)
	d_hidden = d_output @ W2.T * hidden * (1 - hidden)
    W2 += hidden.T @ d_output
    W1 += X.T @ d_hidden
    if epoch % 1000 == 0:
        print(epoch, np.mean(np.abs(error)))
