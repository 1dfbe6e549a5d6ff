import numpy as np

np.random.seed(42)

# three binary inputs -> [majority, odd parity]
X = np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1],
              [1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1]], dtype=float)
Y = np.array([[0, 0], [0, 1], [0, 1], [1, 0],
              [0, 1], [1, 0], [1, 0], [1, 1]], dtype=float)

n_input, n_hidden, n_output = 3, 5, 2

W1 = np.random.randn(n_input, n_hidden) * 0.5
b1 = np.zeros((1, n_hidden))
W2 = np.random.randn(n_hidden, n_output) * 0.5
b2 = np.zeros((1, n_output))


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


for epoch in range(20000):
    total_error = 0.0
    for i in range(len(X)):
        x = X[i:i + 1]      # (1, 3)
        t = Y[i:i + 1]      # (1, 2)

        # forward
        h = sigmoid(x @ W1 + b1)
        o = sigmoid(h @ W2 + b2)
        total_error += 0.5 * np.sum((t - o) ** 2)

        # backward
        delta_o = (o - t) * o * (1 - o)
        delta_h = (delta_o @ W2.T) * h * (1 - h)

        # stochastic gradient descent, one sample at a time
        W2 -= 0.5 * h.T @ delta_o
        b2 -= 0.5 * delta_o
        W1 -= 0.5 * x.T @ delta_h
        b1 -= 0.5 * delta_h

    if epoch % 1000 == 0:
        print(f"epoch {epoch}: error {total_error:.5f}")
