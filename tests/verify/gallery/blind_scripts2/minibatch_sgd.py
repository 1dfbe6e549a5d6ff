import numpy as np

np.random.seed(42)

# two gaussian blobs
n = 240
X = np.vstack([np.random.randn(n // 2, 2) + [1.5, 1.0],
               np.random.randn(n // 2, 2) - [1.5, 1.0]])
Y = np.concatenate([np.ones(n // 2), np.zeros(n // 2)]).reshape(-1, 1)

hidden = 10
W1 = np.random.randn(2, hidden) * np.sqrt(1.0 / 2)
b1 = np.zeros((1, hidden))
W2 = np.random.randn(hidden, 1) * np.sqrt(1.0 / hidden)
b2 = np.zeros((1, 1))

lr = 0.3
batch_size = 32
epochs = 200


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


for epoch in range(epochs):
    perm = np.random.permutation(n)
    epoch_loss = 0.0
    for start in range(0, n, batch_size):
        idx = perm[start:start + batch_size]
        xb, yb = X[idx], Y[idx]
        bs = xb.shape[0]

        h = np.tanh(xb @ W1 + b1)
        p = sigmoid(h @ W2 + b2)
        loss = -np.mean(yb * np.log(p) + (1 - yb) * np.log(1 - p))
        epoch_loss += loss * bs

        dlogits = (p - yb) / bs
        dW2 = h.T @ dlogits
        db2 = dlogits.sum(axis=0, keepdims=True)
        dh = dlogits @ W2.T
        dpre = dh * (1 - h * h)
        dW1 = xb.T @ dpre
        db1 = dpre.sum(axis=0, keepdims=True)

        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2

    if epoch % 20 == 0:
        print(epoch, epoch_loss / n)
