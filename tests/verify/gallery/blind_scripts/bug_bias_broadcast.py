import numpy as np

# y = |x1| - x2 on 50 random points, ReLU hidden layer, linear output, MSE
rng = np.random.default_rng(31)
X = rng.uniform(-2, 2, size=(50, 2))
y = (np.abs(X[:, 0]) - X[:, 1]).reshape(-1, 1)

W1 = rng.normal(0, 0.8, size=(2, 8))
b1 = np.full((1, 8), 0.1)
W2 = rng.normal(0, 0.5, size=(8, 1))
b2 = np.zeros((1, 1))
learning_rate = 0.01

for epoch in range(25000):
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0)
    y_pred = a1 @ W2 + b2

    loss = ((y_pred - y) ** 2).mean()

    delta_out = 2 * (y_pred - y) / len(X)
    delta_hidden = (delta_out @ W2.T) * (z1 > 0)

    W2 = W2 - learning_rate * a1.T @ delta_out
    b2 = b2 - learning_rate * delta_out
    W1 = W1 - learning_rate * X.T @ delta_hidden
    b1 = b1 - learning_rate * delta_hidden

    if epoch % 2500 == 0:
        print(epoch, loss)
