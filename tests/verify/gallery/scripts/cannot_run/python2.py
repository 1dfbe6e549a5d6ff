import numpy as np
X = np.zeros((4, 3))
for i in xrange(10):
    print "epoch", i
