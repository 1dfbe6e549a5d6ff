import numpy as np

np.random.seed(0)

# three clusters in the plane, integer labels 0, 1, 2
N = 60
centers = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
X = np.concatenate([c + 0.8 * np.random.randn(N, 2) for c in centers])
y = np.repeat(np.arange(3), N)

D, H, K = 2, 16, 3
W1 = 0.1 * np.random.randn(D, H)
b1 = 0.05 * np.ones((1, H))
W2 = 0.1 * np.random.randn(H, K)
b2 = np.zeros((1, K))
step_size = 0.5

num_examples = X.shape[0]
for epoch in range(2000):
    hidden = np.maximum(0, X @ W1 + b1)
    scores = hidden @ W2 + b2
    scores -= scores.max(axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)

    Y = np.eye(3)[y]
    loss = -np.sum(Y * np.log(probs)) / num_examples
    if epoch % 100 == 0:
        print(f"{epoch}: {loss:.4f}")

    dscores = (probs - Y) / num_examples
    dW2 = hidden.T @ dscores
    db2 = dscores.sum(axis=0, keepdims=True)
    dhidden = dscores @ W2.T
    dhidden[hidden <= 0] = 0
    dW1 = X.T @ dhidden
    db1 = dhidden.sum(axis=0, keepdims=True)

    W1 += -step_size * dW1
    b1 += -step_size * db1
    W2 += -step_size * dW2
    b2 += -step_size * db2

pred = np.argmax(np.maximum(0, X @ W1 + b1) @ W2 + b2, axis=1)
print("training accuracy: %.2f" % np.mean(pred == y))
