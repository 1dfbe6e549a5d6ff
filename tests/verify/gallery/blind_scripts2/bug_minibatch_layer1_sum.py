import numpy as np

np.random.seed(1234)

# regression: y = x0 * x1 + noise, 3 features (the third is noise)
N = 200
X = np.random.uniform(-1, 1, (N, 3))
Y = (X[:, 0] * X[:, 1]).reshape(N, 1) + 0.05 * np.random.randn(N, 1)

W1 = np.random.randn(3, 12) * 0.5
b1 = np.zeros(12)
W2 = np.random.randn(12, 1) * 0.5
b2 = np.zeros(1)

learning_rate = 0.05
batch_size = 25

for epoch in range(300):
    perm = np.random.permutation(N)
    running = 0.0
    for start in range(0, N, batch_size):
        idx = perm[start:start + batch_size]
        xb, yb = X[idx], Y[idx]

        z1 = xb @ W1 + b1
        a1 = 1.0 / (1.0 + np.exp(-z1))
        pred = a1 @ W2 + b2

        err = pred - yb
        running += np.mean(err ** 2)

        # MSE averaged over the batch: d/dpred = 2 * err / batch
        B = xb.shape[0]
        dpred = 2 * err
        dW2 = a1.T @ dpred / B
        db2 = dpred.sum(axis=0) / B
        dz1 = (dpred @ W2.T) * a1 * (1 - a1)
        dW1 = xb.T @ dz1
        db1 = dz1.sum(axis=0)

        W1 -= learning_rate * dW1
        b1 -= learning_rate * db1
        W2 -= learning_rate * dW2
        b2 -= learning_rate * db2

    if epoch % 30 == 0:
        print(epoch, running / (N // batch_size))
