import numpy as np

rng = np.random.default_rng(2024)

# three gaussian classes in 2-D, integer labels
means = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
X = np.concatenate([mu + rng.normal(size=(40, 2)) for mu in means])
labels = np.repeat([0, 1, 2], 40)
m = X.shape[0]
Y = np.zeros((m, 3))
Y[np.arange(m), labels] = 1


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    ez = np.exp(z - z.max(axis=1, keepdims=True))
    return ez / ez.sum(axis=1, keepdims=True)


def cross_entropy(probs, onehot):
    return -np.sum(onehot * np.log(probs)) / len(probs)


W1 = rng.normal(0, 0.5, (2, 10))
b1 = np.zeros((1, 10))
W2 = rng.normal(0, 0.5, (10, 3))
b2 = np.zeros((1, 3))
step_size = 1.0

for epoch in range(5000):
    hidden = sigmoid(X @ W1 + b1)
    probs = softmax(hidden @ W2 + b2)
    loss = cross_entropy(probs, Y)

    # gradient of the mean cross-entropy wrt the scores
    dscores = (probs - Y) / m
    dW2 = hidden.T @ dscores / m
    db2 = np.sum(dscores, axis=0, keepdims=True) / m
    dhidden = dscores @ W2.T
    dhidden = dhidden * hidden * (1 - hidden)
    dW1 = X.T @ dhidden / m
    db1 = np.sum(dhidden, axis=0, keepdims=True) / m

    W1 += -step_size * dW1
    b1 += -step_size * db1
    W2 += -step_size * dW2
    b2 += -step_size * db2

    if epoch % 500 == 0:
        print("epoch %d: loss %f" % (epoch, loss))
