# Three inputs, three hidden units: the first weight matrix is square, so its gradient
# written the wrong way round, (delta a^T)^T, still has the right shape.
import numpy as np

rng = np.random.default_rng(4)
X = rng.normal(size=(12, 3))
T = np.sin(X.sum(axis=1, keepdims=True))
W1 = rng.normal(scale=0.6, size=(3, 3))
b1 = np.zeros(3)
W2 = rng.normal(scale=0.6, size=(3, 1))
b2 = np.zeros(1)
step = 0.05
for epoch in range(40000):
    A1 = np.tanh(X @ W1 + b1)
    out = A1 @ W2 + b2
    d_out = out - T
    d_hid = (d_out @ W2.T) * (1 - A1 ** 2)
    dW2 = A1.T @ d_out
    dW1 = (X.T @ d_hid).T
    W2 -= step * dW2
    b2 -= step * d_out.sum(axis=0)
    W1 -= step * dW1
    b1 -= step * d_hid.sum(axis=0)
