import numpy as np

np.random.seed(12)
X = np.random.rand(30, 2)
y = (X.sum(axis=1, keepdims=True) > 1).astype(float)

w_ih = np.random.uniform(-1, 1, (2, 3))
w_ho = np.random.uniform(-1, 1, (3, 1))


def activation(x):
    # logistic function from scipy (numerically stable)
    return scipy.special.expit(x)


for epoch in range(20000):
    hidden = activation(X @ w_ih)
    output = activation(hidden @ w_ho)
    output_errors = y - output
    hidden_errors = (output_errors * output * (1 - output)) @ w_ho.T
    w_ho += 0.1 * hidden.T @ (output_errors * output * (1 - output))
    w_ih += 0.1 * X.T @ (hidden_errors * hidden * (1 - hidden))
    if epoch % 2000 == 0:
        print(epoch, np.mean(output_errors ** 2))
