import numpy as np
from planar_utils import load_planar_dataset

X, y = load_planar_dataset()
y = y.reshape(-1, 1)

np.random.seed(0)
W1 = np.random.randn(2, 10) * 0.5
b1 = np.zeros((1, 10))
W2 = np.random.randn(10, 1) * 0.5
b2 = np.zeros((1, 1))
lr = 1.0

for epoch in range(10000):
    A1 = np.tanh(X @ W1 + b1)
    A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
    dZ2 = (A2 - y) / len(X)
    dZ1 = (dZ2 @ W2.T) * (1 - A1 ** 2)
    W2 -= lr * A1.T @ dZ2
    b2 -= lr * dZ2.sum(axis=0, keepdims=True)
    W1 -= lr * X.T @ dZ1
    b1 -= lr * dZ1.sum(axis=0, keepdims=True)
    if epoch % 1000 == 0:
        loss = -np.mean(y * np.log(A2) + (1 - y) * np.log(1 - A2))
        print(epoch, loss)
