"""The 2-2-2 network of the step-by-step blog posts, every weight a separate number.

Inputs i1, i2; hidden h1, h2; outputs o1, o2; all sigmoid.  w1..w4 go into the hidden layer,
w5..w8 into the output layer; b1 and b2 are shared biases that are kept fixed.  The error is
E = 0.5 * (t1 - o1)**2 + 0.5 * (t2 - o2)**2, summed over the examples of a call.
"""
import math


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


class ScalarNet:
    def __init__(self):
        self.w1, self.w2, self.w3, self.w4 = 0.12, 0.27, 0.31, 0.18
        self.w5, self.w6, self.w7, self.w8 = 0.42, 0.46, 0.53, 0.57
        self.b1, self.b2 = 0.35, 0.60

    def forward(self, i1, i2):
        h1 = sigmoid(self.w1 * i1 + self.w2 * i2 + self.b1)
        h2 = sigmoid(self.w3 * i1 + self.w4 * i2 + self.b1)
        o1 = sigmoid(self.w5 * h1 + self.w6 * h2 + self.b2)
        o2 = sigmoid(self.w7 * h1 + self.w8 * h2 + self.b2)
        return h1, h2, o1, o2

    def total_error(self, examples):
        E = 0.0
        for i1, i2, t1, t2 in examples:
            _, _, o1, o2 = self.forward(i1, i2)
            E += 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2
        return E

    def train(self, examples, learning_rate=0.5):
        g = [0.0] * 9
        for i1, i2, t1, t2 in examples:
            h1, h2, o1, o2 = self.forward(i1, i2)
            # output layer: dE/dnet_o = dE/do * do/dnet_o
            delta_o1 = (o1 - t1) * o1 * (1 - o1)
            delta_o2 = (o2 - t2) * o2 * (1 - o2)
            g[5] += delta_o1 * h1
            g[6] += delta_o1 * h2
            g[7] += delta_o2 * h1
            g[8] += delta_o2 * h2
            # hidden layer, with the output weights as they were in the forward pass
            delta_h1 = (delta_o1 * self.w5 + delta_o2 * self.w7) * h1 * (1 - h1)
            delta_h2 = (delta_o1 * self.w6 + delta_o2 * self.w8) * h2 * (1 - h2)
            g[1] += delta_h1 * i1
            g[2] += delta_h1 * i2
            g[3] += delta_h2 * i1
            g[4] += delta_h2 * i2
        # apply all eight updates only after every gradient is known
        self.w1 -= learning_rate * g[1]
        self.w2 -= learning_rate * g[2]
        self.w3 -= learning_rate * g[3]
        self.w4 -= learning_rate * g[4]
        self.w5 -= learning_rate * g[5]
        self.w6 -= learning_rate * g[6]
        self.w7 -= learning_rate * g[7]
        self.w8 -= learning_rate * g[8]


if __name__ == "__main__":
    examples = [(0.05, 0.10, 0.02, 0.98), (0.90, 0.20, 0.95, 0.10), (0.40, 0.70, 0.30, 0.60)]
    net = ScalarNet()
    print("error before: %.6f" % net.total_error(examples))
    for step in range(5000):
        net.train(examples, learning_rate=0.5)
    print("error after:  %.6f" % net.total_error(examples))
