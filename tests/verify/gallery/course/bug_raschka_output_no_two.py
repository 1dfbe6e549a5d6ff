"""A one-hidden-layer multilayer perceptron in the layout of a popular ML textbook.

Weights are stored (out_features, in_features) and applied as ``x @ W.T``; both layers use
the logistic sigmoid, the targets are one-hot, and the loss is the mean squared error
averaged over every entry of the (n_examples, n_classes) output.
"""
import numpy as np


def sigmoid(z):
    return 1. / (1. + np.exp(-z))


def int_to_onehot(y, num_labels):
    onehot = np.zeros((y.shape[0], num_labels))
    onehot[np.arange(y.shape[0]), y] = 1.
    return onehot


class NeuralNetMLP:
    def __init__(self, num_features, num_hidden, num_classes, random_seed=123):
        self.num_classes = num_classes
        rng = np.random.RandomState(random_seed)
        self.weight_h = rng.normal(loc=0.0, scale=0.1, size=(num_hidden, num_features))
        self.bias_h = np.zeros(num_hidden)
        self.weight_out = rng.normal(loc=0.0, scale=0.1, size=(num_classes, num_hidden))
        self.bias_out = np.zeros(num_classes)

    def forward(self, x):
        z_h = np.dot(x, self.weight_h.T) + self.bias_h
        a_h = sigmoid(z_h)
        z_out = np.dot(a_h, self.weight_out.T) + self.bias_out
        a_out = sigmoid(z_out)
        return a_h, a_out

    def backward(self, x, a_h, a_out, y):
        y_onehot = int_to_onehot(y, self.num_classes)

        # chain rule pieces for the output layer
        d_loss__d_a_out = 2. * (a_out - y_onehot) / y_onehot.size
        d_a_out__d_z_out = a_out * (1. - a_out)
        delta_out = (a_out - y_onehot) / y_onehot.size * d_a_out__d_z_out
        d_loss__dw_out = np.dot(delta_out.T, a_h)
        d_loss__db_out = np.sum(delta_out, axis=0)

        # hidden layer: go back through weight_out
        d_z_out__a_h = self.weight_out
        d_loss__a_h = np.dot(d_loss__d_a_out * d_a_out__d_z_out, d_z_out__a_h)
        d_a_h__d_z_h = a_h * (1. - a_h)
        delta_h = d_loss__a_h * d_a_h__d_z_h
        d_loss__dw_h = np.dot(delta_h.T, x)
        d_loss__db_h = np.sum(delta_h, axis=0)

        return d_loss__dw_out, d_loss__db_out, d_loss__dw_h, d_loss__db_h


def minibatch_generator(X, y, minibatch_size):
    indices = np.arange(X.shape[0])
    np.random.shuffle(indices)
    for start in range(0, indices.shape[0] - minibatch_size + 1, minibatch_size):
        batch = indices[start:start + minibatch_size]
        yield X[batch], y[batch]


def mse_loss(targets, probas, num_labels):
    return np.mean((int_to_onehot(targets, num_labels) - probas) ** 2)


def compute_mse_and_acc(nnet, X, y):
    _, probas = nnet.forward(X)
    mse = mse_loss(y, probas, nnet.num_classes)
    acc = np.mean(np.argmax(probas, axis=1) == y)
    return mse, acc


def train(model, X_train, y_train, X_valid, y_valid, num_epochs, learning_rate=0.1,
          minibatch_size=100):
    epoch_loss, epoch_train_acc, epoch_valid_acc = [], [], []
    for e in range(num_epochs):
        for X_mini, y_mini in minibatch_generator(X_train, y_train, minibatch_size):
            a_h, a_out = model.forward(X_mini)
            d_loss__d_w_out, d_loss__d_b_out, d_loss__d_w_h, d_loss__d_b_h = \
                model.backward(X_mini, a_h, a_out, y_mini)
            model.weight_h -= learning_rate * d_loss__d_w_h
            model.bias_h -= learning_rate * d_loss__d_b_h
            model.weight_out -= learning_rate * d_loss__d_w_out
            model.bias_out -= learning_rate * d_loss__d_b_out

        train_mse, train_acc = compute_mse_and_acc(model, X_train, y_train)
        _, valid_acc = compute_mse_and_acc(model, X_valid, y_valid)
        epoch_loss.append(train_mse)
        epoch_train_acc.append(train_acc)
        epoch_valid_acc.append(valid_acc)
    return epoch_loss, epoch_train_acc, epoch_valid_acc


if __name__ == "__main__":
    np.random.seed(123)
    X = np.random.uniform(-1, 1, size=(300, 4))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
    model = NeuralNetMLP(num_features=4, num_hidden=20, num_classes=3)
    losses, train_acc, valid_acc = train(model, X[:240], y[:240], X[240:], y[240:],
                                         num_epochs=40, learning_rate=2.0, minibatch_size=20)
    print("epoch 1 mse %.4f, epoch %d mse %.4f" % (losses[0], len(losses), losses[-1]))
    print("train acc %.2f, valid acc %.2f" % (train_acc[-1], valid_acc[-1]))
