"""Gradients in a dict, an optimizer object that consumes them.

Softmax classifier with one ReLU hidden layer; loss = cross-entropy averaged over the batch
plus 0.5 * weight_decay * (sum(W1**2) + sum(W2**2)).  ``Adam.step`` updates the params dict
in place from the grads dict.
"""
import numpy as np


def init_params(n_in, n_hidden, n_classes, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(0, np.sqrt(2.0 / n_in), size=(n_in, n_hidden)),
        "b1": np.zeros(n_hidden),
        "W2": rng.normal(0, np.sqrt(1.0 / n_hidden), size=(n_hidden, n_classes)),
        "b2": np.zeros(n_classes),
    }


def forward(params, X):
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.maximum(z1, 0)
    logits = a1 @ params["W2"] + params["b2"]
    logits = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    return (z1, a1), probs


def loss_fn(params, X, y, weight_decay=0.0):
    _, probs = forward(params, X)
    data = -np.mean(np.log(probs[np.arange(len(y)), y]))
    return data + 0.5 * weight_decay * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))


def backward(params, cache, probs, X, y, weight_decay=0.0):
    z1, a1 = cache
    n = X.shape[0]
    dlogits = probs.copy()
    dlogits[np.arange(n), y] -= 1.0
    dlogits /= n
    grads = {"W2": a1.T @ dlogits + weight_decay * params["W2"], "b2": dlogits.sum(axis=0)}
    da1 = dlogits @ params["W2"].T
    dz1 = da1 * (z1 > 0)
    grads["W1"] = X.T @ dz1 + weight_decay * params["W1"]
    grads["b1"] = dz1.sum(axis=0)
    return grads


class Adam:
    def __init__(self, params, lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        for k in params:
            self.m[k] = self.beta1 * self.m[k] + (1 - self.beta1) * grads[k]
            self.v[k] = self.beta2 * self.v[k] + (1 - self.beta2) * grads[k] ** 2
            m_hat = self.m[k] / (1 - self.beta1 ** self.t)
            v_hat = self.v[k] / (1 - self.beta2 ** self.t)
            params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def train(X, y, n_hidden=32, epochs=300, lr=1e-2, weight_decay=1e-3, batch_size=32, seed=0):
    params = init_params(X.shape[1], n_hidden, int(y.max()) + 1, seed)
    opt = Adam(params, lr=lr)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            idx = order[start:start + batch_size]
            cache, probs = forward(params, X[idx])
            grads = backward(params, cache, probs, X[idx], y[idx], weight_decay)
            opt.step(params, grads)
    return params


if __name__ == "__main__":
    rng = np.random.default_rng(5)
    X = rng.normal(size=(240, 4))
    y = (X[:, 0] > 0).astype(int) + 2 * (X[:, 1] + X[:, 2] > 0).astype(int)
    params = train(X, y, epochs=60)
    _, probs = forward(params, X)
    print("loss %.4f, accuracy %.3f" % (loss_fn(params, X, y, 1e-3), np.mean(probs.argmax(axis=1) == y)))
