import numpy as np

np.random.seed(8)
m = 64
X = np.random.rand(m, 3) * 2 - 1
Y = np.c_[np.sin(X[:, 0] + X[:, 1]), X[:, 2] ** 2]

W1 = np.random.randn(3, 7) * 0.5
b1 = np.zeros((1, 7))
W2 = np.random.randn(7, 2) * 0.5
b2 = np.zeros((1, 2))
lr = 0.3

for epoch in range(40000):
    # forward pass
    H = np.tanh(X @ W1 + b1)
    out = H @ W2 + b2
    err = out - Y
    cost = 0.5 * np.sum(err ** 2) / m

    # output layer: gradient and update
    g_out = err / m
    W2 -= lr * H.T @ g_out
    b2 -= lr * g_out.sum(axis=0, keepdims=True)

    # hidden layer: gradient and update
    g_hid = (g_out @ W2.T) * (1 - H ** 2)
    W1 -= lr * X.T @ g_hid
    b1 -= lr * g_hid.sum(axis=0, keepdims=True)

    if epoch % 4000 == 0:
        print("epoch", epoch, "cost", cost)
