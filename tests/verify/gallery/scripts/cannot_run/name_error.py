import numpy as np
W = np.ones((3, 2))
for i in range(10):
    W = W - 0.1 * scipy.special.expit(W)
