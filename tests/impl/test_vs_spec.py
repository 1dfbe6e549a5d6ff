"""impl.Network against the spec: the lambdified oracles and finite differences.

Hypothesis draws the architecture (1 to 4 weight layers, widths 1 to 6), the
activations, the loss and reduction, the weights, the inputs and the targets.
"""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import impl
from spec import activations as spec_activations
from spec import losses as spec_losses
from spec.oracle import DirectOracle, Oracle

ACTIVATIONS = [name for name in spec_activations.names()]
REL = 1e-10


def _losses_for(output):
    """Every registered loss that accepts this output activation (loops over spec.losses.names())."""
    act = spec_activations.get(output)
    return [name for name in spec_losses.names() if spec_losses.get(name).accepts(act)]


def _close(actual, expected, rel=REL):
    """|actual - expected| <= rel * max(|expected| over the whole gradient, 1e-300), entrywise.

    Entries of a gradient can be exact cancellations near zero, so the scale is the
    largest entry of all the arrays compared, not each entry's own size.
    """
    scale = max(float(np.max(np.abs(e))) for e in expected)
    worst = max(float(np.max(np.abs(a_ - e))) for a_, e in zip(actual, expected))
    # plus 1e-14 absolute: the oracle's textbook e^z - 1 (ELU, SELU) is exact only to eps (1.1e-16)
    # in absolute terms near z = 0, where impl's expm1 keeps tiny values the oracle rounds, and
    # that error reaches a gradient times inputs and weights of size up to 2, and SELU's
    # lambda alpha = 1.76 (measured: 6.7e-17 on an ELU gradient of 2.2e-8; 1.8e-15 on a SELU
    # output's gradient of 5.9e-6, sizes 1-1-1-3-2, X = 0, which 1e-15 failed at the base commit
    # too); a real error is a fraction of the gradient, far above 1e-14
    assert worst <= rel * scale + 1e-14, f"worst absolute difference {worst:.3e} > {rel:.0e} x {scale:.3e}"


@st.composite
def problems(draw):
    depth = draw(st.integers(1, 4))
    sizes = list(draw(st.lists(st.integers(1, 6), min_size=depth + 1, max_size=depth + 1)))
    hidden = draw(st.sampled_from(ACTIVATIONS))
    output = draw(st.sampled_from(ACTIVATIONS))
    if spec_activations.get(output).output_set == "simplex":
        # a probability vector of one entry is the constant 1: at least two outputs
        sizes[-1] = max(2, sizes[-1])
    sizes = tuple(sizes)
    loss = draw(st.sampled_from(_losses_for(output)))
    requires = spec_losses.get(loss).requires
    reduction = draw(st.sampled_from(["sum", "mean"]))
    n = draw(st.integers(1, 5))
    unit = st.floats(-1, 1, allow_nan=False, allow_infinity=False)
    # Weights scaled by 2 / fan-in keep every |z| moderate even through identity layers,
    # where the textbook expressions the oracle lambdifies are accurate.
    weights = [
        draw(arrays(np.float64, (sizes[l], sizes[l - 1]), elements=unit)) * 2.0 / sizes[l - 1]
        for l in range(1, len(sizes))
    ]
    biases = [draw(arrays(np.float64, (sizes[l],), elements=unit)) for l in range(1, len(sizes))]
    X = draw(arrays(np.float64, (n, sizes[0]), elements=unit)) * 2.0
    if requires == "simplex":
        # probability rows (cross-entropy), one-hot or soft, from positive weights
        w = draw(arrays(np.float64, (n, sizes[-1]), elements=st.floats(0, 1)))
        w[:, 0] += 1e-3
        Y = w / w.sum(axis=1, keepdims=True)
    elif requires == "unit_interval":
        Y = draw(arrays(np.float64, (n, sizes[-1]), elements=st.floats(0, 1)))
    else:
        Y = draw(arrays(np.float64, (n, sizes[-1]), elements=unit)) * 2.0
    net = impl.Network(sizes, hidden, output, loss, reduction, seed=0)
    net.weights, net.biases = weights, biases
    return net, X, Y


@given(problems())
def test_gradients_equal_the_spec_oracle(problem):
    net, X, Y = problem
    oracle = Oracle(net.sizes, net.activation, net.output_activation, net.loss, net.reduction)
    np.testing.assert_allclose(
        net.forward(X), oracle.forward(net.weights, net.biases, X), rtol=1e-13, atol=1e-15
    )
    assert net.loss_value(X, Y) == pytest.approx(oracle.loss_value(net.weights, net.biases, X, Y), rel=1e-12, abs=1e-14)
    dW, db = net.gradients(X, Y)
    dW_spec, db_spec = oracle.gradients(net.weights, net.biases, X, Y)
    _close(dW + db, dW_spec + db_spec)


def central_differences(net, X, Y):
    """Every partial derivative by (L(theta + h) - L(theta - h)) / 2h, evaluated with the spec's loss.

    Row p of the stacked parameter array is theta with parameter p perturbed.
    """
    params = np.concatenate([np.concatenate([W.ravel(), b]) for W, b in zip(net.weights, net.biases)])
    P = params.size
    # h = eps^(1/3) * max(1, |theta|) balances truncation error O(h^2 f''') against
    # rounding error O(eps |L| / h): both end up near eps^(2/3) ~ 4e-11 relative.
    h = np.finfo(float).eps ** (1 / 3) * np.maximum(1.0, np.abs(params))
    totals = []
    for sign in (+1, -1):
        stacked = np.tile(params, (P, 1))
        stacked[np.arange(P), np.arange(P)] += sign * h
        totals.append(_stacked_loss(net, stacked, X, Y))
    return (totals[0] - totals[1]) / (2 * h)


def _stacked_loss(net, stacked, X, Y):
    """Loss of P networks (one per row of ``stacked``) on the same data."""
    oracle = Oracle(net.sizes, net.activation, net.output_activation, net.loss, net.reduction)
    losses = np.empty(stacked.shape[0])
    sizes = net.sizes
    for p, row in enumerate(stacked):
        weights, biases, k = [], [], 0
        for l in range(1, len(sizes)):
            n_w = sizes[l] * sizes[l - 1]
            weights.append(row[k : k + n_w].reshape(sizes[l], sizes[l - 1]))
            biases.append(row[k + n_w : k + n_w + sizes[l]])
            k += n_w + sizes[l]
        losses[p] = oracle.loss_value(weights, biases, X, Y)
    return losses


def _distance_to_kinks(net, X):
    """How close any pre-activation comes to a piece boundary of its layer's activation (inf if none).

    Piece boundaries, not only kinks: elu is C1 at 0 (both one-sided slopes are 1) but
    its second derivative jumps there, so a central difference across 0 is only O(h)
    accurate, not O(h^2) as the tolerance below assumes.
    """
    z, _ = net._forward(X)
    L = len(z) - 1
    nearest = np.inf
    for l in range(1, L + 1):
        name = net.output_activation if l == L else net.activation
        for kink in spec_activations.get(name).piece_boundaries:
            nearest = min(nearest, float(np.min(np.abs(z[l] - float(kink)))))
    return nearest


@given(problems())
def test_gradients_equal_central_finite_differences(problem):
    net, X, Y = problem
    # A finite difference straddling a kink (ReLU at 0) measures neither one-sided
    # derivative: such draws are avoided, not papered over with a looser tolerance.
    assume(_distance_to_kinks(net, X) > 1e-3)
    dW, db = net.gradients(X, Y)
    analytic = np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(dW, db)])
    numeric = central_differences(net, X, Y)
    # Central differences are accurate to about eps^(2/3) |L| / |theta| (see above);
    # 1e-6 of the largest gradient entry (plus 1e-8 absolute for |L| ~ 1) leaves a
    # margin of 10^4 over that, while a wrong gradient is off by O(1).
    scale = max(np.max(np.abs(numeric)), 1.0)
    assert np.max(np.abs(analytic - numeric)) <= 1e-6 * scale


@pytest.mark.parametrize(
    "sizes, hidden, output, loss, reduction",
    [
        ((2, 2, 1), "sigmoid", "sigmoid", "mse", "sum"),
        ((3, 4, 2), "tanh", "sigmoid", "bce", "mean"),
        ((2, 3, 3, 1), "identity", "tanh", "mse", "sum"),
        ((1, 2, 2, 2), "tanh", "identity", "mse", "mean"),
        ((3, 4, 3), "tanh", "softmax", "ce", "sum"),
        ((2, 3, 4), "sigmoid", "softmax", "ce", "mean"),
        ((2, 3, 3), "softmax", "sigmoid", "mse", "sum"),
    ],
)
def test_gradients_equal_sympy_diff_of_the_whole_network(sizes, hidden, output, loss, reduction):
    """The direct symbolic derivative, with no backprop recurrence anywhere."""
    rng = np.random.default_rng(7)
    net = impl.Network(sizes, hidden, output, loss, reduction, seed=3)
    X = rng.normal(size=(6, sizes[0]))
    Y = rng.uniform(size=(6, sizes[-1]))
    if spec_losses.get(loss).requires == "simplex":
        Y /= Y.sum(axis=1, keepdims=True)
    direct = DirectOracle(sizes, hidden, output, loss, reduction)
    assert net.loss_value(X, Y) == pytest.approx(direct.loss_value(net.weights, net.biases, X, Y), rel=1e-12)
    dW, db = net.gradients(X, Y)
    dW_spec, db_spec = direct.gradients(net.weights, net.biases, X, Y)
    _close(dW + db, dW_spec + db_spec)


def test_tutorial_loop_takes_the_same_steps_as_the_spec():
    """The tutorial's XOR loop, written out as it is (one sample per column, W1 of shape (hidden, input),
    the sigmoid's slope as a (1 - a) of the outputs), steps by -lr dL/dW for L the half squared error summed
    over the samples, with the gradients from the spec's recurrence (`spec.oracle.Oracle`)."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float).T  # (features, samples), as the tutorial stores it
    y = np.array([[0, 1, 1, 0]], float)
    rng = np.random.default_rng(5)
    W1, b1 = rng.normal(size=(2, 2)), rng.normal(size=(2, 1))
    W2, b2 = rng.normal(size=(1, 2)), rng.normal(size=(1, 1))
    lr = 0.5
    oracle = Oracle((2, 2, 1))

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    def sigmoid_derivative(x):
        return x * (1 - x)

    for _ in range(20):
        # the spec's step from the current parameters (rows = samples on its side)
        dW, db = oracle.gradients([W1, W2], [b1[:, 0], b2[:, 0]], X.T, y.T)
        expected = [W1 - lr * dW[0], b1[:, 0] - lr * db[0], W2 - lr * dW[1], b2[:, 0] - lr * db[1]]
        # the tutorial: forward, then the updates
        a1 = sigmoid(np.dot(W1, X) + b1)
        a2 = sigmoid(np.dot(W2, a1) + b2)
        err2 = (a2 - y) * sigmoid_derivative(a2)
        err1 = np.dot(W2.T, err2) * sigmoid_derivative(a1)
        W2 -= lr * np.dot(err2, a1.T)
        b2 -= lr * np.sum(err2, axis=1, keepdims=True)
        W1 -= lr * np.dot(err1, X.T)
        b1 -= lr * np.sum(err1, axis=1, keepdims=True)
        _close([W1, b1[:, 0], W2, b2[:, 0]], expected, rel=1e-14)


def _every_pairing():
    """(hidden, output, loss): each registered activation as the hidden and as the output layer, with every loss."""
    cases = []
    for name in spec_activations.names():
        outputs = ["softmax", "sigmoid"] if spec_activations.get(name).output_set != "simplex" else ["sigmoid"]
        for output in outputs:
            cases += [(name, output, loss) for loss in _losses_for(output)]
        cases += [("tanh", name, loss) for loss in _losses_for(name)]
    return sorted(set(cases))


PAIRINGS = _every_pairing()


def test_the_pairings_cover_every_activation_and_loss():
    assert {h for h, _, _ in PAIRINGS} == {o for _, o, _ in PAIRINGS} == set(spec_activations.names())
    assert {loss for _, _, loss in PAIRINGS} == set(spec_losses.names())


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("hidden, output, loss", PAIRINGS, ids=["-".join(c) for c in PAIRINGS])
def test_gradients_step_and_fit_follow_the_spec_recurrence(hidden, output, loss, reduction):
    """Network.gradients, the trainer's step (Network.step) and fit's loop of mini-batches against
    -lr times the gradients of the spec's shared recurrence (spec.numeric through Oracle)."""
    sizes = (3, 4, 3)
    rng = np.random.default_rng(8)
    X = rng.uniform(-2, 2, size=(5, 3))
    requires = spec_losses.get(loss).requires
    Y = rng.uniform(0.05, 1, size=(5, 3))
    if requires == "simplex":
        Y /= Y.sum(axis=1, keepdims=True)
    elif requires is None:
        Y = 2 * Y - 1
    net = impl.Network(sizes, hidden, output, loss, reduction, seed=1)
    oracle = Oracle(sizes, hidden, output, loss, reduction)
    lr = 0.1

    def spec_step(weights, biases, X, Y):
        dW, db = oracle.gradients(weights, biases, X, Y)
        return [w - lr * g for w, g in zip(weights, dW)] + [b - lr * g for b, g in zip(biases, db)]

    dW, db = net.gradients(X, Y)
    dW_spec, db_spec = oracle.gradients(net.weights, net.biases, X, Y)
    _close(dW + db, dW_spec + db_spec)
    # one step on the whole batch
    expected = spec_step(net.weights, net.biases, X, Y)
    net.step(X, Y, lr)
    _close(net.weights + net.biases, expected, rel=1e-10)
    # one epoch of fit in batches of 3 and 2, in order
    weights, biases = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    for rows in (slice(0, 3), slice(3, 5)):
        params = spec_step(weights, biases, X[rows], Y[rows])
        weights, biases = params[:2], params[2:]
    net.fit(X, Y, epochs=1, lr=lr, batch_size=3, shuffle=False)
    _close(net.weights + net.biases, weights + biases, rel=1e-10)
