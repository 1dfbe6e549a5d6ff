import numpy as np

# concentric rings, features x samples layout
np.random.seed(4)
m = 120
angle = np.random.uniform(0, 2 * np.pi, m)
radius = np.r_[np.random.uniform(0.0, 1.0, m // 2), np.random.uniform(1.5, 2.5, m // 2)]
X = np.vstack([radius * np.cos(angle), radius * np.sin(angle)])   # (2, m)
Y = np.r_[np.zeros(m // 2), np.ones(m // 2)].reshape(1, m)        # (1, m)

W1 = np.random.randn(5, 2) * np.sqrt(2 / 2)
b1 = np.full((5, 1), 0.01)
W2 = np.random.randn(1, 5) * np.sqrt(1 / 5)
b2 = np.zeros((1, 1))
alpha = 0.5

for i in range(20000):
    Z1 = W1 @ X + b1
    A1 = np.maximum(0, Z1)
    Z2 = W2 @ A1 + b2
    A2 = 1 / (1 + np.exp(-Z2))
    J = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m

    dZ2 = A2 - Y
    dW2 = (dZ2 @ A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = (W2.T @ dZ2) * (Z1 > 0)
    dW1 = (dZ1 @ X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True)

    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2

    if i % 2000 == 0:
        print("iter", i, "J =", J)
