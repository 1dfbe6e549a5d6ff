# Multi-label toy problem, examples stored as columns: X is (3, m), Y is (4, m)
import numpy as np

np.random.seed(17)
m = 40
X = np.random.randn(3, m)
Y = np.vstack([X[0] > 0, X[1] > 0, X[0] + X[2] > 0, X[1] * X[2] > 0]).astype(float)

Wh = np.random.randn(4, 3) * 0.6
bh = np.zeros((4, 1))
Wo = np.random.randn(4, 4) * 0.6
bo = np.zeros((4, 1))
learning_rate = 0.8


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


for it in range(15000):
    Ah = np.tanh(Wh @ X + bh)
    Ao = sigmoid(Wo @ Ah + bo)
    cost = -np.mean(np.sum(Y * np.log(Ao) + (1 - Y) * np.log(1 - Ao), axis=0))

    dZo = Ao - Y
    dWo = dZo @ Ah.T / m
    dbo = dZo.sum(axis=1, keepdims=True) / m
    dZh = (Wo @ dZo) * (1 - Ah ** 2)
    dWh = dZh @ X.T / m
    dbh = dZh.sum(axis=1, keepdims=True) / m

    Wo -= learning_rate * dWo
    bo -= learning_rate * dbo
    Wh -= learning_rate * dWh
    bh -= learning_rate * dbh

    if it % 1500 == 0:
        print(f"iteration {it}: cost {cost:.4f}")
