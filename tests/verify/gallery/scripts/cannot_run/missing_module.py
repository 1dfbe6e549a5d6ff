import numpy as np
import course_utils
W = np.zeros((3, 2))
for i in range(10):
    W += 1
