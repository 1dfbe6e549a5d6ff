# Notebook habits in a script: a progress bar, cleared output, a plot at the end (display only).
import numpy as np
from tqdm import tqdm
from IPython.display import clear_output, display
import matplotlib.pyplot as plt

rng = np.random.default_rng(0)
X = rng.normal(size=(16, 2))
y = (X[:, :1] > 0).astype(float)
W1 = rng.normal(size=(2, 4)); b1 = np.zeros(4)
W2 = rng.normal(size=(4, 1)); b2 = np.zeros(1)
losses = []
for epoch in tqdm(range(5000)):
    h = np.tanh(X @ W1 + b1)
    p = 1 / (1 + np.exp(-(h @ W2 + b2)))
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    losses.append(loss)
    g2 = (p - y) / len(X)
    g1 = (g2 @ W2.T) * (1 - h ** 2)
    W2 -= 0.5 * h.T @ g2; b2 -= 0.5 * g2.sum(0)
    W1 -= 0.5 * X.T @ g1; b1 -= 0.5 * g1.sum(0)
    if epoch % 100 == 0:
        clear_output(wait=True)
        display(loss)
plt.plot(losses)
plt.show()
