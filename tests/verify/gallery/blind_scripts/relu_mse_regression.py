import numpy as np

# synthetic regression: 3 features -> 2 targets
rng = np.random.default_rng(123)
N = 150
features = rng.normal(size=(N, 3))
targets = np.stack([features[:, 0] * features[:, 1],
                    np.abs(features[:, 2]) - 0.5 * features[:, 0]], axis=1)

# network 3 -> 10 (ReLU) -> 2 (linear)
W1 = rng.normal(scale=np.sqrt(2 / 3), size=(3, 10))
b1 = np.zeros((1, 10))
W2 = rng.normal(scale=np.sqrt(1 / 10), size=(10, 2))
b2 = np.zeros((1, 2))

learning_rate = 0.05
history = []

for epoch in range(20000):
    hidden_pre = features @ W1 + b1
    hidden = np.maximum(hidden_pre, 0)
    Y_hat = hidden @ W2 + b2

    mse = np.mean((Y_hat - targets) ** 2)
    history.append(mse)

    # gradient of the mean over every entry of the (N, 2) error matrix
    dY_hat = 2 * (Y_hat - targets) / Y_hat.size
    dW2 = hidden.T @ dY_hat
    db2 = dY_hat.sum(axis=0, keepdims=True)
    dhidden = dY_hat @ W2.T
    dhidden_pre = dhidden * (hidden_pre > 0)
    dW1 = features.T @ dhidden_pre
    db1 = dhidden_pre.sum(axis=0, keepdims=True)

    W1 -= learning_rate * dW1
    b1 -= learning_rate * db1
    W2 -= learning_rate * dW2
    b2 -= learning_rate * db2

    if epoch % 1000 == 0:
        print(f"epoch {epoch:5d}  mse {mse:.4f}")
