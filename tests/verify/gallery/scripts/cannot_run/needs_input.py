import numpy as np
epochs = int(input("epochs? "))
W = np.zeros((3, 2))
for i in range(epochs):
    W += 1
