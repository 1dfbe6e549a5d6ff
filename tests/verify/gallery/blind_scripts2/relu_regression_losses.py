import numpy as np

np.random.seed(4)

# fit y = sin(3x) (positive and negative targets) with a ReLU net
x = np.linspace(-1, 1, 120).reshape(-1, 1)
y = np.sin(3 * x) + 0.05 * np.random.randn(120, 1)


def relu(z):
    return np.maximum(0, z)


def relu_grad(a):
    return (a > 0).astype(float)


w1 = np.random.randn(1, 16) * 1.0
b1 = np.random.uniform(-0.5, 0.5, (1, 16))
w2 = np.random.randn(16, 1) * 0.25
b2 = np.zeros((1, 1))
lr = 0.05

losses = []
for epoch in range(5000):
    z1 = x @ w1 + b1
    a1 = relu(z1)
    out = a1 @ w2 + b2          # linear output for regression
    loss = np.mean((out - y) ** 2)
    losses.append(loss)

    d_out = 2 * (out - y) / len(x) * relu_grad(out)
    dw2 = a1.T @ d_out
    db2 = d_out.sum(axis=0, keepdims=True)
    d_a1 = d_out @ w2.T
    d_z1 = d_a1 * relu_grad(a1)
    dw1 = x.T @ d_z1
    db1 = d_z1.sum(axis=0, keepdims=True)

    w1 -= lr * dw1
    b1 -= lr * db1
    w2 -= lr * dw2
    b2 -= lr * db2

print("loss went from", losses[0], "to", losses[-1])
