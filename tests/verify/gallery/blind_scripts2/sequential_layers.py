"""A tiny layer framework: Linear / Tanh / Sigmoid layers, an MSE loss and plain SGD."""
import numpy as np

rng = np.random.default_rng(123)


class Linear:
    def __init__(self, n_in, n_out):
        self.W = rng.normal(0.0, 1.0 / np.sqrt(n_in), (n_in, n_out))
        self.b = np.zeros(n_out)
        self.grad_W = np.zeros_like(self.W)
        self.grad_b = np.zeros_like(self.b)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.grad_W = self.x.T @ grad
        self.grad_b = grad.sum(axis=0)
        return grad @ self.W.T

    def parameters(self):
        return [(self, "W", "grad_W"), (self, "b", "grad_b")]


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, grad):
        return grad * (1 - self.out ** 2)

    def parameters(self):
        return []


class Sigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, grad):
        return grad * self.out * (1 - self.out)

    def parameters(self):
        return []


class MSELoss:
    def forward(self, pred, target):
        self.diff = pred - target
        return np.mean(self.diff ** 2)

    def backward(self):
        return 2 * self.diff / self.diff.size


class SGD:
    def __init__(self, params, lr):
        self.params = params
        self.lr = lr

    def step(self):
        for owner, name, grad_name in self.params:
            setattr(owner, name, getattr(owner, name) - self.lr * getattr(owner, grad_name))


def forward(layers, x):
    for layer in layers:
        x = layer.forward(x)
    return x


def backward(layers, grad):
    for layer in reversed(layers):
        grad = layer.backward(grad)


# data: inside / outside a circle of radius 0.7
X = rng.uniform(-1, 1, (200, 2))
y = (np.sum(X ** 2, axis=1, keepdims=True) < 0.49).astype(float)

layers = [Linear(2, 10), Tanh(), Linear(10, 1), Sigmoid()]
criterion = MSELoss()
params = [p for layer in layers for p in layer.parameters()]
optimizer = SGD(params, lr=2.0)

for step in range(4000):
    out = forward(layers, X)
    loss = criterion.forward(out, y)
    backward(layers, criterion.backward())
    optimizer.step()
    if step % 500 == 0:
        print(step, round(loss, 5))
