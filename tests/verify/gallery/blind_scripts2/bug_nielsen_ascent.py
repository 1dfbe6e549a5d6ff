"""Network as two lists of column-vector arrays, trained by mini-batch SGD.

Cost: C = 1/(2n) * sum_x ||a(x) - y(x)||^2 (averaged over each mini-batch).
"""
import numpy as np

np.random.seed(21)
layer_sizes = [2, 8, 1]
num_layers = len(layer_sizes)
biases = [np.random.randn(n, 1) for n in layer_sizes[1:]]
weights = [np.random.randn(n_out, n_in) / np.sqrt(n_in) for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def backprop(x, y):
    # x: (2, 1) column, y: (1, 1)
    acts = [x]
    a = x
    for b, w in zip(biases, weights):
        a = sigmoid(w @ a + b)
        acts.append(a)
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    delta = (acts[-1] - y) * acts[-1] * (1 - acts[-1])
    nabla_b[-1] = delta
    nabla_w[-1] = delta @ acts[-2].T
    for l in range(2, num_layers):
        delta = (weights[-l + 1].T @ delta) * acts[-l] * (1 - acts[-l])
        nabla_b[-l] = delta
        nabla_w[-l] = delta @ acts[-l - 1].T
    return nabla_b, nabla_w


# data: label 1 inside the unit disc
pts = np.random.uniform(-1.5, 1.5, size=(100, 2))
lab = (np.sum(pts ** 2, axis=1) < 1.0).astype(float).reshape(-1, 1)
data = [(p.reshape(2, 1), t.reshape(1, 1)) for p, t in zip(pts, lab)]

eta = 2.0
batch = 20
for epoch in range(100):
    order = np.random.permutation(len(data))
    for k in range(0, len(data), batch):
        chunk = [data[i] for i in order[k:k + batch]]
        nabla_b = [np.zeros(b.shape) for b in biases]
        nabla_w = [np.zeros(w.shape) for w in weights]
        for x, y in chunk:
            d_b, d_w = backprop(x, y)
            nabla_b = [nb + db for nb, db in zip(nabla_b, d_b)]
            nabla_w = [nw + dw for nw, dw in zip(nabla_w, d_w)]
        weights = [w + (eta / len(chunk)) * nw for w, nw in zip(weights, nabla_w)]
        biases = [b + (eta / len(chunk)) * nb for b, nb in zip(biases, nabla_b)]
    if epoch % 10 == 0:
        out = sigmoid(sigmoid(pts @ weights[0].T + biases[0].T) @ weights[1].T + biases[1].T)
        cost = 0.5 * np.sum((out - lab) ** 2) / len(data)
        print("epoch", epoch, "cost", round(cost, 4))
