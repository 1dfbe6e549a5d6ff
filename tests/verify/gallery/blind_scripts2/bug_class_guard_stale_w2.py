import numpy as np


class Regressor:
    """1 tanh hidden layer, linear output; loss = 0.5 * mean over samples of the squared error"""

    def __init__(self, n_in, n_hid, n_out, lr):
        self.W1 = np.random.randn(n_in, n_hid) * 0.5
        self.b1 = np.zeros((1, n_hid))
        self.W2 = np.random.randn(n_hid, n_out) * 0.5
        self.b2 = np.zeros((1, n_out))
        self.lr = lr

    def forward(self, X):
        self.X = X
        self.H = np.tanh(X @ self.W1 + self.b1)
        self.out = self.H @ self.W2 + self.b2
        return self.out

    def backward(self, T):
        m = T.shape[0]
        delta2 = (self.out - T) / m
        dW2 = self.H.T @ delta2
        db2 = delta2.sum(axis=0, keepdims=True)
        self.W2 -= self.lr * dW2
        self.b2 -= self.lr * db2

        delta1 = (delta2 @ self.W2.T) * (1 - self.H ** 2)
        self.W1 -= self.lr * (self.X.T @ delta1)
        self.b1 -= self.lr * delta1.sum(axis=0, keepdims=True)


def main():
    np.random.seed(8)
    X = np.random.uniform(-2, 2, (120, 1))
    T = np.hstack([np.sin(X), 0.5 * X ** 2 - 1])
    model = Regressor(1, 10, 2, lr=0.2)
    for epoch in range(4000):
        out = model.forward(X)
        loss = 0.5 * np.mean(np.sum((out - T) ** 2, axis=1))
        model.backward(T)
        if epoch % 400 == 0:
            print(f"{epoch}: {loss:.4f}")


if __name__ == "__main__":
    main()
