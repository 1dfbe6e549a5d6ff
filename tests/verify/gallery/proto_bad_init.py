"""Not seed-style: the constructor takes no sizes."""


class Net:
    def __init__(self):
        pass

    def forward(self, X):
        return X

    def backward(self, X, y, learning_rate):
        pass
