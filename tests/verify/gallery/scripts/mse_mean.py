# Full batch, the mean squared error over samples and outputs, tanh hidden, sigmoid output.
import numpy as np

np.random.seed(0)
X = np.random.randn(8, 2)
y = (X[:, :1] * X[:, 1:] > 0).astype(float)
W1 = np.random.randn(2, 6) * 0.5
b1 = np.zeros(6)
W2 = np.random.randn(6, 1) * 0.5
b2 = np.zeros(1)
learning_rate = 0.3

for epoch in range(1000000):
    z1 = X.dot(W1) + b1
    a1 = np.tanh(z1)
    z2 = a1.dot(W2) + b2
    a2 = 1 / (1 + np.exp(-z2))
    loss = np.mean((a2 - y) ** 2)
    dz2 = 2 * (a2 - y) / y.size * a2 * (1 - a2)
    dW2 = a1.T.dot(dz2)
    db2 = dz2.sum(axis=0)
    dz1 = dz2.dot(W2.T) * (1 - a1 ** 2)
    dW1 = X.T.dot(dz1)
    db1 = dz1.sum(axis=0)
    W1 -= learning_rate * dW1
    b1 -= learning_rate * db1
    W2 -= learning_rate * dW2
    b2 -= learning_rate * db2
    if epoch % 100000 == 0:
        print(epoch, loss)
