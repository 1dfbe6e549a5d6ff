# Fit a noisy sine with a one-hidden-layer ReLU network, plain sum of squared errors
import numpy as np

np.random.seed(0)
x = np.linspace(-3, 3, 100).reshape(-1, 1)
t = np.sin(x) + 0.1 * np.random.randn(*x.shape)

w1 = np.random.randn(1, 16) * 0.8
b1 = np.zeros(16)
w2 = np.random.randn(16, 1) * 0.3
b2 = np.zeros(1)
lr = 0.0002

for it in range(30000):
    # forward
    z = x @ w1 + b1
    h = np.maximum(0, z)
    pred = h @ w2 + b2

    err = pred - t
    loss = np.sum(err ** 2)

    # backward: d(loss)/d(pred) = 2 * (pred - t)
    dpred = 2 * err
    dw2 = h.T @ dpred
    db2 = dpred.sum(axis=0)
    dh = dpred @ w2.T
    dz = dh * (z > 0)
    dw1 = x.T @ dz
    db1 = dz.sum(axis=0)

    w1 -= lr * dw1
    b1 -= lr * db1
    w2 -= lr * dw2
    b2 -= lr * db2

    if it % 2000 == 0:
        print(it, loss)
