import numpy as np

rng = np.random.default_rng(7)

# points in the square, label 1 inside a circle
points = rng.uniform(-1, 1, size=(60, 2))
labels = (np.sum(points ** 2, axis=1) < 0.5).astype(float)

hidden = 8
W1 = rng.normal(0, 0.5, size=(hidden, 2))
b1 = np.zeros(hidden)
W2 = rng.normal(0, 0.5, size=(1, hidden))
b2 = np.zeros(1)


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


for epoch in range(5000):
    loss = 0
    for i in range(len(points)):
        x = points[i]
        target = labels[i]
        h = np.tanh(W1 @ x + b1)
        p = sigmoid(W2 @ h + b2)
        loss += -(target * np.log(p[0]) + (1 - target) * np.log(1 - p[0]))
        # sigmoid + cross-entropy: the gradient at the output pre-activation is p - target
        g_out = p - target
        g_hidden = (W2.T @ g_out) * (1 - h ** 2)
        W2 -= 0.1 * np.outer(g_out, h)
        b2 -= 0.1 * g_out
        W1 -= 0.1 * np.outer(g_hidden, x)
        b1 -= 0.1 * g_hidden
    if epoch % 500 == 0:
        print(epoch, loss / len(points))
