import numpy as np

np.random.seed(99)

# 2-bit inputs (+ noise) to a 2-unit one-hot-ish output: [AND, OR]
base = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
data = np.repeat(base, 5, axis=0) + np.random.normal(0, 0.05, (20, 2))
goal = np.repeat(np.array([[0, 0], [0, 1], [0, 1], [1, 1]], dtype=float), 5, axis=0)

W1 = np.random.uniform(-0.5, 0.5, (2, 4))
b1 = np.zeros(4)
W2 = np.random.uniform(-0.5, 0.5, (4, 2))
b2 = np.zeros(2)


def sig(v):
    return 1.0 / (1.0 + np.exp(-v))


for epoch in range(10000):
    for k in range(len(data)):
        x = data[k]
        target = goal[k]
        hid = sig(x @ W1 + b1)
        out = sig(hid @ W2 + b2)

        err = out - target                      # squared error 0.5 * sum(err**2)
        d_out = err * out * (1 - out)
        d_hid = (W2 @ d_out) * hid * (1 - hid)

        W2 += 0.3 * np.outer(hid, d_out)
        b2 += 0.3 * d_out
        W1 += 0.3 * np.outer(x, d_hid)
        b1 += 0.3 * d_hid

    if epoch % 1000 == 0:
        total = 0.5 * np.sum((sig(sig(data @ W1 + b1) @ W2 + b2) - goal) ** 2)
        print(epoch, total)
