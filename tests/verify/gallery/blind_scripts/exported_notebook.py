#!/usr/bin/env python
# coding: utf-8

# # Three blobs, one hidden layer, softmax output
# 
# Exported from Jupyter.

# In[1]:


import numpy as np
get_ipython().run_line_magic('matplotlib', 'inline')


# In[2]:


rng = np.random.RandomState(5)
centers = np.array([[2.0, 0.0, 0.0, 1.0], [-1.0, 2.0, 0.5, 0.0], [0.0, -2.0, -1.0, 0.5]])
X_train = np.vstack([c + 0.8 * rng.randn(30, 4) for c in centers])
labels = np.repeat(np.arange(3), 30)
Y_train = np.eye(3)[labels]
X_train.shape, Y_train.shape


# In[3]:


W1 = rng.randn(4, 6) * 0.3
b1 = np.zeros((1, 6))
W2 = rng.randn(6, 3) * 0.3
b2 = np.zeros((1, 3))
alpha = 0.5


# In[4]:


def softmax(s):
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)


# In[5]:


losses = []
m = X_train.shape[0]
for epoch in range(3000):
    H = np.tanh(X_train @ W1 + b1)
    P = softmax(H @ W2 + b2)
    losses.append(-np.sum(Y_train * np.log(P)) / m)

    dS = (P - Y_train) / m
    dW2 = H.T @ dS
    db2 = dS.sum(axis=0, keepdims=True)
    dH = dS @ W2.T
    dA = dH * (1 - H ** 2)
    dW1 = X_train.T @ dA
    db1 = dA.sum(axis=0, keepdims=True)

    W1 -= alpha * dW1
    b1 -= alpha * db1
    W2 -= alpha * dW2
    b2 -= alpha * db2

print(losses[0], losses[-1])


# In[6]:


import matplotlib.pyplot as plt
plt.plot(losses)
plt.xlabel("epoch")
plt.ylabel("cross-entropy")
plt.show()

