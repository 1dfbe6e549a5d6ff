# Mini "torch-like" framework: each layer has forward/backward, Linear keeps its gradients
import numpy as np


class Linear:
    def __init__(self, fan_in, fan_out, rng):
        self.W = rng.standard_normal((fan_in, fan_out)) * np.sqrt(1.0 / fan_in)
        self.b = np.zeros((1, fan_out))

    def forward(self, x):
        self.inp = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.grad_W = grad.T @ self.inp
        self.grad_b = grad.sum(axis=0, keepdims=True)
        return grad @ self.W.T

    def step(self, lr):
        self.W -= lr * self.grad_W
        self.b -= lr * self.grad_b


class Tanh:
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad):
        return grad * (1 - self.y ** 2)

    def step(self, lr):
        pass


class MSE:
    def forward(self, pred, target):
        self.pred, self.target = pred, target
        return ((pred - target) ** 2).mean()

    def backward(self):
        return 2 * (self.pred - self.target) / self.pred.size


rng = np.random.default_rng(3)

# learn a fixed nonlinear map R^4 -> R^4
data = rng.normal(size=(128, 4))
M = rng.normal(size=(4, 4)) / 2
labels = np.tanh(data @ M) + 0.1 * data

model = [Linear(4, 4, rng), Tanh(), Linear(4, 4, rng)]
loss_fn = MSE()
lr = 0.1

for it in range(3000):
    h = data
    for layer in model:
        h = layer.forward(h)
    loss = loss_fn.forward(h, labels)
    g = loss_fn.backward()
    for layer in reversed(model):
        g = layer.backward(g)
    for layer in model:
        layer.step(lr)
    if it % 300 == 0:
        print(it, loss)
