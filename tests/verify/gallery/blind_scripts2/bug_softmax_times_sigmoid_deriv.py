import numpy as np

rng = np.random.RandomState(17)

# 3 classes, 4 features, integer labels
n_per = 50
means = rng.randn(3, 4) * 2
X = np.vstack([m + rng.randn(n_per, 4) for m in means])
labels = np.repeat([0, 1, 2], n_per)

W1 = rng.randn(4, 12) * 0.3
b1 = np.zeros((1, 12)) + 0.01
W2 = rng.randn(12, 3) * 0.3
b2 = np.zeros((1, 3))
lr = 0.5
n = X.shape[0]


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


for epoch in range(1000):
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    probs = softmax(h @ W2 + b2)

    onehot = np.eye(3)[labels]
    loss = -np.mean(np.sum(onehot * np.log(probs), axis=1))

    # gradient of the loss w.r.t. the logits, through the softmax
    d_logits = (probs - onehot) * probs * (1 - probs) / n
    dW2 = h.T @ d_logits
    db2 = d_logits.sum(axis=0, keepdims=True)
    dh = d_logits @ W2.T
    dz1 = dh * (z1 > 0)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0, keepdims=True)

    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2

    if epoch % 100 == 0:
        acc = (probs.argmax(axis=1) == labels).mean()
        print(f"epoch {epoch} loss {loss:.4f} acc {acc:.3f}")
