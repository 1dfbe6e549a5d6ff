import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(s):
    # derivative of the sigmoid written with its output s = sigmoid(x)
    return s * (1 - s)


inputs = np.array([[0, 0, 1],
                   [0, 1, 1],
                   [1, 0, 1],
                   [1, 1, 1],
                   [0, 0, 0],
                   [1, 1, 0]])
targets = np.array([[0], [1], [1], [0], [0], [0]])

np.random.seed(3)
w_ih = np.random.uniform(-1, 1, (3, 5))
w_ho = np.random.uniform(-1, 1, (5, 1))

for epoch in range(100000):
    hidden_in = inputs @ w_ih
    hidden_out = sigmoid(hidden_in)
    final_in = hidden_out @ w_ho
    final_out = sigmoid(final_in)

    error = targets - final_out
    if epoch % 5000 == 0:
        print("epoch", epoch, "mean abs error", np.mean(np.abs(error)))

    d_final = error * sigmoid_derivative(final_in)
    d_hidden = d_final.dot(w_ho.T) * sigmoid_derivative(hidden_in)

    w_ho += hidden_out.T.dot(d_final)
    w_ih += inputs.T.dot(d_hidden)

print(final_out)
