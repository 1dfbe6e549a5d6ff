import numpy as np

# learn the product of two numbers, one example at a time
np.random.seed(21)
samples = np.random.uniform(-1, 1, (40, 2))
products = (samples[:, 0] * samples[:, 1]).reshape(-1, 1)

weights_input_hidden = np.random.normal(0, 0.7, (2, 6))
bias_hidden = np.zeros((1, 6))
weights_hidden_output = np.random.normal(0, 0.7, (6, 1))
bias_output = np.zeros((1, 1))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


for epoch in range(3000):
    sq_err = 0.0
    for i in range(len(samples)):
        inp = samples[i].reshape(1, -1)
        tgt = products[i].reshape(1, -1)

        hidden = sigmoid(inp @ weights_input_hidden + bias_hidden)
        out = hidden @ weights_hidden_output + bias_output   # linear output

        out_error = out - tgt
        sq_err += 0.5 * float(out_error[0, 0] ** 2)
        hidden_error = out_error @ weights_hidden_output.T

        weights_hidden_output -= 0.05 * hidden.T @ out_error
        bias_output -= 0.05 * out_error
        weights_input_hidden -= 0.05 * inp.T @ hidden_error
        bias_hidden -= 0.05 * hidden_error

    if epoch % 300 == 0:
        print("epoch %d  error %.5f" % (epoch, sq_err))
