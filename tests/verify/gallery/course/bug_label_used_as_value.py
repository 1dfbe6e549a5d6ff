"""Three-class classifier written as plain functions: sigmoid hidden layer, softmax output,
cross-entropy averaged over the samples; labels are integers 0, 1, 2."""
import numpy as np


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def init(n_in, n_hidden, n_out, seed=0):
    rng = np.random.RandomState(seed)
    return {"W1": rng.randn(n_in, n_hidden) * 0.3, "b1": np.zeros(n_hidden),
            "W2": rng.randn(n_hidden, n_out) * 0.3, "b2": np.zeros(n_out)}


def predict_proba(p, X):
    h = 1.0 / (1.0 + np.exp(-(X @ p["W1"] + p["b1"])))
    return h, softmax(h @ p["W2"] + p["b2"])


def cross_entropy(p, X, y):
    _, probs = predict_proba(p, X)
    return -np.mean(np.log(probs[np.arange(len(y)), y]))


def gradients(p, X, y):
    n = X.shape[0]
    h, probs = predict_proba(p, X)
    dlogits = (probs - y[:, None]) / n
    dh = dlogits @ p["W2"].T * h * (1 - h)
    return {"W2": h.T @ dlogits, "b2": dlogits.sum(axis=0),
            "W1": X.T @ dh, "b1": dh.sum(axis=0)}


def train(X, y, n_hidden=12, lr=1.0, epochs=1000):
    p = init(X.shape[1], n_hidden, int(y.max()) + 1)
    for epoch in range(epochs):
        g = gradients(p, X, y)
        for k in p:
            p[k] = p[k] - lr * g[k]
    return p


if __name__ == "__main__":
    rng = np.random.RandomState(6)
    centers = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    y = rng.randint(0, 3, size=150)
    X = centers[y] + 0.8 * rng.randn(150, 2)
    p = train(X, y)
    print("loss %.4f" % cross_entropy(p, X, y))
    print("accuracy %.3f" % np.mean(predict_proba(p, X)[1].argmax(axis=1) == y))
