import numpy as np

rng = np.random.default_rng(1)

# learn (sin(x0 + x1), cos(x0 - x1)) on [-1.5, 1.5]^2
x = rng.uniform(-1.5, 1.5, size=(250, 2))
t = np.column_stack([np.sin(x[:, 0] + x[:, 1]), np.cos(x[:, 0] - x[:, 1])])

n_hidden = 14
w_in = rng.normal(0, 0.7, size=(2, n_hidden))
b_in = rng.normal(0, 0.1, size=n_hidden)
w_out = rng.normal(0, 0.3, size=(n_hidden, 2))
b_out = np.zeros(2)

alpha = 0.1
losses = []

for epoch in range(10000):
    # forward
    h = np.tanh(x @ w_in + b_in)
    pred = h @ w_out + b_out
    loss = np.mean((pred - t) ** 2)
    losses.append(loss)

    # backward: loss = mean over the 250 x 2 entries
    g_pred = 2.0 * (pred - t) / pred.size
    g_w_out = h.T @ g_pred
    g_b_out = g_pred.sum(0)
    g_h = g_pred @ w_out.T
    g_z = g_h * (1.0 - h ** 2)
    g_w_in = x.T @ g_z
    g_b_in = g_z.sum(0)

    w_out = w_out - alpha * g_w_out
    b_out = b_out - alpha * g_b_out
    w_in = w_in - alpha * g_w_in
    b_in = b_in - alpha * g_b_in

print("final MSE:", losses[-1])
