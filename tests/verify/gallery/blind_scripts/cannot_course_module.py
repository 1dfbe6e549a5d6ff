import numpy as np
from dnn_utils import sigmoid, sigmoid_backward, relu, relu_backward

np.random.seed(1)
X = np.random.randn(2, 50)
Y = (X[0:1] * X[1:2] > 0).astype(float)

W1 = np.random.randn(4, 2) * 0.1
b1 = np.zeros((4, 1))
W2 = np.random.randn(1, 4) * 0.1
b2 = np.zeros((1, 1))
m = X.shape[1]

for i in range(3000):
    Z1 = W1 @ X + b1
    A1, cache1 = relu(Z1)
    Z2 = W2 @ A1 + b2
    A2, cache2 = sigmoid(Z2)
    dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
    dZ2 = sigmoid_backward(dA2, cache2)
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dA1 = W2.T @ dZ2
    dZ1 = relu_backward(dA1, cache1)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    W1 -= 0.5 * dW1
    b1 -= 0.5 * db1
    W2 -= 0.5 * dW2
    b2 -= 0.5 * db2
    if i % 500 == 0:
        print(i, float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))))
