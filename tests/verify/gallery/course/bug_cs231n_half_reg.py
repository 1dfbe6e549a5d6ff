"""A two-layer classifier written the way the Stanford-style assignment asks for it.

input -> fully connected -> ReLU -> fully connected -> softmax cross-entropy.
Parameters live in ``self.params``; ``loss`` returns the class scores when no labels are
given and ``(loss, grads)`` otherwise.
"""
import numpy as np


class TwoLayerNet(object):
    def __init__(self, input_size, hidden_size, output_size, std=1e-4):
        self.params = {}
        self.params['W1'] = std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)

    def loss(self, X, y=None, reg=0.0):
        W1, b1 = self.params['W1'], self.params['b1']
        W2, b2 = self.params['W2'], self.params['b2']
        N = X.shape[0]

        # forward pass
        hidden = np.maximum(0, X.dot(W1) + b1)
        scores = hidden.dot(W2) + b2
        if y is None:
            return scores

        # softmax cross-entropy, averaged over the N examples, plus L2 on the weights
        shifted = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(shifted)
        probs /= probs.sum(axis=1, keepdims=True)
        loss = -np.log(probs[np.arange(N), y]).sum() / N
        loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

        # backward pass
        grads = {}
        one_hot = np.zeros_like(probs)
        one_hot[np.arange(N), y] = 1
        dscores = (probs - one_hot) / N
        grads['W2'] = hidden.T.dot(dscores)
        grads['b2'] = dscores.sum(axis=0)
        dhidden = dscores.dot(W2.T)
        dhidden[hidden <= 0] = 0
        grads['W1'] = X.T.dot(dhidden)
        grads['b1'] = dhidden.sum(axis=0)
        for name in ('W1', 'W2'):
            grads[name] += reg * self.params[name]
        return loss, grads

    def train(self, X, y, X_val, y_val, learning_rate=1e-3, learning_rate_decay=0.95,
              reg=5e-6, num_iters=100, batch_size=200, verbose=False):
        num_train = X.shape[0]
        iterations_per_epoch = max(num_train // batch_size, 1)
        loss_history, train_acc_history, val_acc_history = [], [], []

        for it in range(num_iters):
            batch_idx = np.random.choice(num_train, batch_size, replace=True)
            X_batch, y_batch = X[batch_idx], y[batch_idx]

            loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
            loss_history.append(loss)
            for name in self.params:
                self.params[name] -= learning_rate * grads[name]

            if verbose and it % 100 == 0:
                print('iteration %d / %d: loss %f' % (it, num_iters, loss))

            # once per epoch: record accuracies and decay the learning rate
            if it % iterations_per_epoch == 0:
                train_acc_history.append((self.predict(X_batch) == y_batch).mean())
                val_acc_history.append((self.predict(X_val) == y_val).mean())
                learning_rate *= learning_rate_decay

        return {'loss_history': loss_history,
                'train_acc_history': train_acc_history,
                'val_acc_history': val_acc_history}

    def predict(self, X):
        return np.argmax(self.loss(X), axis=1)


def toy_data(num_inputs=5, num_classes=3, per_class=40):
    centers = 2.0 * np.random.randn(num_classes, num_inputs)
    X = np.concatenate([c + np.random.randn(per_class, num_inputs) for c in centers])
    y = np.repeat(np.arange(num_classes), per_class)
    return X, y


if __name__ == '__main__':
    np.random.seed(0)
    X, y = toy_data()
    order = np.random.permutation(len(y))
    X_train, y_train = X[order[:90]], y[order[:90]]
    X_val, y_val = X[order[90:]], y[order[90:]]
    net = TwoLayerNet(5, 16, 3, std=1e-1)
    stats = net.train(X_train, y_train, X_val, y_val, learning_rate=0.1,
                      learning_rate_decay=0.95, reg=1e-3, num_iters=300,
                      batch_size=32, verbose=True)
    print('final training loss: %.4f' % stats['loss_history'][-1])
    print('validation accuracy: %.2f' % (net.predict(X_val) == y_val).mean())
