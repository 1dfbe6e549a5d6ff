import numpy as np


def softplus(z):
    return np.logaddexp(0, z)


def elu(z):
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))


class Regressor:
    """torch-style weights (out, in), used as x @ W.T"""

    def __init__(self, d_in, d_h1, d_h2, d_out):
        self.fc1_w = np.random.randn(d_h1, d_in) * 0.3
        self.fc1_b = np.zeros(d_h1)
        self.fc2_w = np.random.randn(d_h2, d_h1) * 0.3
        self.fc2_b = np.zeros(d_h2)
        self.fc3_w = np.random.randn(d_out, d_h2) * 0.3
        self.fc3_b = np.zeros(d_out)

    def forward(self, x):
        self.x = x
        self.z1 = x @ self.fc1_w.T + self.fc1_b
        self.h1 = softplus(self.z1)
        self.z2 = self.h1 @ self.fc2_w.T + self.fc2_b
        self.h2 = elu(self.z2)
        return self.h2 @ self.fc3_w.T + self.fc3_b

    def backward(self, x, y, lr):
        out = self.forward(x)
        g3 = out - y
        g2 = (g3 @ self.fc3_w) * np.where(self.z2 > 0, 1.0, np.exp(np.minimum(self.z2, 0)))
        g1 = (g2 @ self.fc2_w) * (1 / (1 + np.exp(-self.z1)))
        self.fc3_w -= lr * g3.T @ self.h2
        self.fc3_b -= lr * g3.sum(0)
        self.fc2_w -= lr * g2.T @ self.h1
        self.fc2_b -= lr * g2.sum(0)
        self.fc1_w -= lr * g1.T @ x
        self.fc1_b -= lr * g1.sum(0)
