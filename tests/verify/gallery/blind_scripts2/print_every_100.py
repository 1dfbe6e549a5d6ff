# relu hidden layer, sigmoid output, binary cross entropy averaged over the samples
import numpy as np

np.random.seed(2)
m = 180
X = np.random.randn(m, 4)
true_w = np.array([1.0, -2.0, 0.5, 0.0])
Y = (np.tanh(X @ true_w) + 0.3 * np.random.randn(m) > 0).astype(np.float64)[:, None]

W1 = np.random.randn(4, 9) * np.sqrt(2 / 4)
b1 = np.full((1, 9), 0.1)
W2 = np.random.randn(9, 1) * np.sqrt(1 / 9)
b2 = np.zeros((1, 1))
lr = 0.2

for epoch in range(1001):
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ W2 + b2
    a2 = 1 / (1 + np.exp(-z2))
    loss = -np.mean(Y * np.log(a2) + (1 - Y) * np.log(1 - a2))

    dz2 = a2 - Y
    dW2 = a1.T @ dz2 / m
    db2 = dz2.mean(axis=0, keepdims=True)
    dz1 = (dz2 @ W2.T) * (z1 > 0)
    dW1 = X.T @ dz1 / m
    db1 = dz1.mean(axis=0, keepdims=True)

    W2 -= lr * dW2
    b2 -= lr * db2
    W1 -= lr * dW1
    b1 -= lr * db1

    if epoch % 100 == 0:
        print(f"{epoch}: {loss:.4f}")
