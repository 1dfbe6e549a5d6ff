"""impl.Network: forward and gradients against independent truths, training semantics."""

import copy
import itertools
import math
import re
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from scipy.special import ndtr

import impl
from impl import _validate, activations
from impl.activations import Activation

ROOT = Path(__file__).resolve().parents[2]
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
XOR_Y = np.array([0, 1, 1, 0])


# --- a hand-computed 2-2-1 case ---------------------------------------------

W1 = [[0.1, -0.2], [0.3, 0.4]]
B1 = [0.05, -0.1]
W2 = [[0.5, -0.6]]
B2 = [0.2]
SAMPLES = [((1.0, 0.0), 1.0), ((0.5, 2.0), 0.0)]


def _sig(x):
    return 1.0 / (1.0 + math.exp(-x))


def _by_hand(x, y):
    """Forward pass and gradients of L = 1/2 (a2 - y)^2 for one sample, scalar by scalar."""
    z1 = [W1[j][0] * x[0] + W1[j][1] * x[1] + B1[j] for j in range(2)]
    a1 = [_sig(v) for v in z1]
    z2 = W2[0][0] * a1[0] + W2[0][1] * a1[1] + B2[0]
    a2 = _sig(z2)
    loss = 0.5 * (a2 - y) ** 2
    # dL/dz2 = (a2 - y) sigma'(z2), sigma' = sigma (1 - sigma)
    d2 = (a2 - y) * a2 * (1 - a2)
    # dL/dz1_j = dL/dz2 * W2_j * sigma'(z1_j)
    d1 = [d2 * W2[0][j] * a1[j] * (1 - a1[j]) for j in range(2)]
    dW2 = [[d2 * a1[0], d2 * a1[1]]]
    db2 = [d2]
    dW1 = [[d1[j] * x[k] for k in range(2)] for j in range(2)]
    db1 = [d1[0], d1[1]]
    return a2, loss, (dW1, dW2), (db1, db2)


def _tutorial_net():
    net = impl.Network([2, 2, 1])
    net.weights = [np.array(W1), np.array(W2)]
    net.biases = [np.array(B1), np.array(B2)]
    return net


def _hand_totals():
    per_sample = [_by_hand(x, y) for x, y in SAMPLES]
    loss = sum(r[1] for r in per_sample)
    dW = [np.sum([np.array(r[2][i]) for r in per_sample], axis=0) for i in range(2)]
    db = [np.sum([np.array(r[3][i]) for r in per_sample], axis=0) for i in range(2)]
    return per_sample, loss, dW, db


def test_hand_computed_forward_loss_and_gradients():
    net = _tutorial_net()
    X = np.array([x for x, _ in SAMPLES])
    Y = np.array([y for _, y in SAMPLES])
    per_sample, loss, dW, db = _hand_totals()

    np.testing.assert_allclose(net.forward(X)[:, 0], [r[0] for r in per_sample], rtol=1e-15)
    assert net.loss_value(X, Y) == pytest.approx(loss, rel=1e-14)
    got_dW, got_db = net.gradients(X, Y)
    for got, want in zip(got_dW + got_db, dW + db):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-17)

    mean = impl.Network([2, 2, 1], reduction="mean")
    mean.weights, mean.biases = net.weights, net.biases
    assert mean.loss_value(X, Y) == pytest.approx(loss / 2, rel=1e-14)
    for got, want in zip(sum(mean.gradients(X, Y), []), dW + db):
        np.testing.assert_allclose(got, want / 2, rtol=1e-13, atol=1e-17)


def test_hand_computed_step():
    net = _tutorial_net()
    X = np.array([x for x, _ in SAMPLES])
    Y = np.array([[y] for _, y in SAMPLES])
    _, loss, dW, db = _hand_totals()
    assert net.step(X, Y, lr=0.1) == pytest.approx(loss, rel=1e-14)
    for got, start, grad in zip(net.weights + net.biases, [W1, W2, B1, B2], dW + db):
        np.testing.assert_allclose(got, np.array(start) - 0.1 * grad, rtol=1e-14)


def test_step_matches_a_tutorial_style_column_layout_update():
    # The tutorial's class keeps samples in columns, biases as (n, 1) columns and
    # uses the output form a (1 - a). One step of that, written out here, must equal
    # one step of impl with reduction="sum".
    rng = np.random.default_rng(7)
    net = impl.Network([2, 3, 1], seed=3)
    X = rng.normal(size=(6, 2))
    y = rng.uniform(size=(6, 1))
    W1c, W2c = (w.copy() for w in net.weights)
    b1c, b2c = (b.reshape(-1, 1).copy() for b in net.biases)
    Xc, yc, lr = X.T, y.T, 0.3
    a1 = 1 / (1 + np.exp(-(W1c @ Xc + b1c)))
    a2 = 1 / (1 + np.exp(-(W2c @ a1 + b2c)))
    d2 = (a2 - yc) * a2 * (1 - a2)
    d1 = (W2c.T @ d2) * a1 * (1 - a1)
    W2c -= lr * d2 @ a1.T
    b2c -= lr * d2.sum(axis=1, keepdims=True)
    W1c -= lr * d1 @ Xc.T
    b1c -= lr * d1.sum(axis=1, keepdims=True)

    net.step(X, y, lr)
    np.testing.assert_allclose(net.weights[0], W1c, rtol=1e-12)
    np.testing.assert_allclose(net.weights[1], W2c, rtol=1e-12)
    np.testing.assert_allclose(net.biases[0], b1c[:, 0], rtol=1e-12)
    np.testing.assert_allclose(net.biases[1], b2c[:, 0], rtol=1e-12)


# --- gradients against central finite differences ---------------------------


def _probit():
    # A test-only output activation with values in [0, 1] that is not the sigmoid,
    # so bce takes its general path.
    return Activation(
        name="test_probit",
        f=ndtr,
        df=lambda z: np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi),
        df_from_output=None,
        range=(0.0, 1.0),
        smooth=True,
    )


@pytest.fixture
def probit(monkeypatch):
    act = _probit()
    monkeypatch.setattr(activations, "_REGISTRY", activations._REGISTRY.copy())
    activations.register(act)
    return act.name


def _central_differences(net, X, Y, h=1e-6):
    """d loss / d theta for every parameter, by (L(theta + h) - L(theta - h)) / 2h."""
    grads = []
    for param in net.weights + net.biases:
        grad = np.empty_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + h
            plus = net.loss_value(X, Y)
            param[index] = saved - h
            minus = net.loss_value(X, Y)
            param[index] = saved
            grad[index] = (plus - minus) / (2 * h)
        grads.append(grad)
    return grads


HIDDEN = ("sigmoid", "tanh", "identity")
CASES = [
    *[(h, o, "mse") for h, o in itertools.product(HIDDEN, ("sigmoid", "tanh", "identity"))],
    *[(h, o, "bce") for h, o in itertools.product(HIDDEN, ("sigmoid", "probit"))],
]


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("hidden, output, loss", CASES)
def test_gradients_match_central_differences(hidden, output, loss, reduction, request):
    if output == "probit":
        output = request.getfixturevalue("probit")
    rng = np.random.default_rng(zlib.crc32(f"{hidden}/{output}/{loss}/{reduction}".encode()))
    net = impl.Network(
        [3, 4, 3, 2], activation=hidden, output_activation=output, loss=loss,
        reduction=reduction, seed=11, init="xavier",
    )
    # nudge biases away from zero so they matter
    net.biases = [b + rng.normal(scale=0.3, size=b.shape) for b in net.biases]
    X = rng.normal(size=(5, 3))
    Y = rng.uniform(size=(5, 2)) if loss == "bce" else rng.normal(size=(5, 2))
    dW, db = net.gradients(X, Y)
    numeric = _central_differences(net, X, Y)
    for got, want in zip(dW + db, numeric):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


# --- initialisation and determinism -----------------------------------------


def test_normal_init_draws_weights_then_biases_layer_by_layer():
    net = impl.Network([3, 4, 2], seed=5)
    rng = np.random.default_rng(5)
    expected = [rng.standard_normal((4, 3)), rng.standard_normal(4),
                rng.standard_normal((2, 4)), rng.standard_normal(2)]
    got = [net.weights[0], net.biases[0], net.weights[1], net.biases[1]]
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)
        assert g.dtype == np.float64


def test_xavier_init():
    net = impl.Network([300, 200, 100], seed=0, init="xavier")
    for W, (n_in, n_out) in zip(net.weights, [(300, 200), (200, 100)]):
        assert W.shape == (n_out, n_in)
        assert W.std() == pytest.approx(math.sqrt(2 / (n_in + n_out)), rel=0.02)
    assert all((b == 0).all() and b.shape == (n,) for b, n in zip(net.biases, (200, 100)))


def test_same_seed_is_bit_identical_after_fit_and_different_seeds_differ():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(10, 3)), rng.uniform(size=10)

    def trained(seed):
        return impl.Network([3, 4, 1], seed=seed).fit(X, Y, epochs=20, lr=0.1, batch_size=3)

    a, b, c = trained(42), trained(42), trained(43)
    for p, q in zip(a.weights + a.biases, b.weights + b.biases):
        np.testing.assert_array_equal(p, q)
    assert a.history == b.history
    assert any(not np.array_equal(p, q) for p, q in zip(a.weights, c.weights))


def test_seed_none_works():
    net = impl.Network([2, 2, 1])
    assert np.isfinite(net.forward(XOR_X)).all()


# --- training semantics -------------------------------------------------------


def test_full_batch_history_is_the_loss_at_the_start_of_each_epoch():
    net = impl.Network([2, 3, 1], seed=1, reduction="mean")
    manual = copy.deepcopy(net)
    net.fit(XOR_X, XOR_Y, epochs=7, lr=0.5)
    expected = [manual.step(XOR_X, XOR_Y, 0.5) for _ in range(7)]
    assert net.history == expected
    for p, q in zip(net.weights + net.biases, manual.weights + manual.biases):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_minibatch_history_accumulates_batch_losses_over_the_data_set(reduction):
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(7, 2)), rng.uniform(size=(7, 1))
    net = impl.Network([2, 3, 1], seed=2, reduction=reduction)
    manual = copy.deepcopy(net)
    net.fit(X, Y, epochs=3, lr=0.2, batch_size=3, shuffle=False)
    for epoch in range(3):
        total = 0.0
        for start in (0, 3, 6):
            batch = slice(start, start + 3)
            n_b = len(X[batch])
            loss = manual.step(X[batch], Y[batch], 0.2)
            total += loss * n_b if reduction == "mean" else loss
        expected = total / 7 if reduction == "mean" else total
        assert net.history[epoch] == pytest.approx(expected, rel=1e-14)
    for p, q in zip(net.weights + net.biases, manual.weights + manual.biases):
        np.testing.assert_array_equal(p, q)


def test_shuffling_uses_the_network_rng_and_changes_the_result():
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(8, 2)), rng.uniform(size=8)
    kept = impl.Network([2, 3, 1], seed=9).fit(X, Y, epochs=3, lr=0.2, batch_size=2, shuffle=False)
    mixed = impl.Network([2, 3, 1], seed=9).fit(X, Y, epochs=3, lr=0.2, batch_size=2)
    assert not np.array_equal(kept.weights[0], mixed.weights[0])


def test_batch_size_at_least_n_is_full_batch():
    a = impl.Network([2, 2, 1], seed=0).fit(XOR_X, XOR_Y, epochs=5, batch_size=100)
    b = impl.Network([2, 2, 1], seed=0).fit(XOR_X, XOR_Y, epochs=5)
    assert a.history == b.history


def test_fit_returns_self_is_quiet_and_calls_back(capsys):
    calls = []
    net = impl.Network([2, 2, 1], seed=0)
    assert net.fit(XOR_X, XOR_Y, epochs=4, callback=lambda e, loss: calls.append((e, loss))) is net
    assert calls == list(enumerate(net.history))
    assert len(net.history) == 4 and all(isinstance(v, float) for v in net.history)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_callback_sees_the_parameters_after_each_epoch():
    # fit trains on its own copy of the parameters (impl._sgd); the network must
    # still show the current ones to a callback, and after fit returns
    net = impl.Network([2, 3, 1], seed=0)
    manual = copy.deepcopy(net)
    seen = []
    net.fit(XOR_X, XOR_Y, epochs=3, lr=0.5, callback=lambda e, loss: seen.append([w.copy() for w in net.weights + net.biases]))
    for epoch in range(3):
        manual.step(XOR_X, XOR_Y, 0.5)
        for got, want in zip(seen[epoch], manual.weights + manual.biases):
            np.testing.assert_array_equal(got, want)
    for got, want in zip(net.weights + net.biases, manual.weights + manual.biases):
        np.testing.assert_array_equal(got, want)


def test_changes_made_by_the_callback_are_trained_on():
    # a callback that pins b[2] to 0 after every epoch: training continues from there
    net = impl.Network([2, 3, 1], seed=0)
    manual = copy.deepcopy(net)

    def pin(epoch, loss):
        net.biases[1][...] = 0.0

    net.fit(XOR_X, XOR_Y, epochs=3, lr=0.5, callback=pin)
    for _ in range(3):
        manual.step(XOR_X, XOR_Y, 0.5)
        manual.biases[1][...] = 0.0
    for got, want in zip(net.weights + net.biases, manual.weights + manual.biases):
        np.testing.assert_array_equal(got, want)


# --- a callback that breaks the parameters, or raises -----------------------------


def _after_epochs(net, epochs):
    """The parameters after ``epochs`` full-batch epochs of fit(XOR, lr=0.5), by step()."""
    manual = copy.deepcopy(net)
    for _ in range(epochs):
        manual.step(XOR_X, XOR_Y, 0.5)
    return manual.weights + manual.biases


def _breaks_at(epoch, spoil):
    def callback(e, loss):
        if e == epoch:
            spoil()
    return callback


@pytest.mark.parametrize(
    "spoil, error, message",
    [
        (lambda n: setattr(n, "weights", None), TypeError,
         "weights: expected a list of 2 arrays (one per layer, sizes (2, 3, 1)), got NoneType"),
        (lambda n: n.weights.__setitem__(0, np.zeros((3, 3))), ValueError,
         "weights[0]: expected shape (3, 2) for W[1] (layer 1: 2 -> 3 units), got (3, 3)"),
        (lambda n: setattr(n, "biases", n.biases[:1]), ValueError,
         "biases: expected 2 arrays (one per layer, sizes (2, 3, 1)), got 1"),
        (lambda n: n.weights[1].__setitem__((0, 0), np.nan), ValueError, "weights[1]: expected finite values"),
        (lambda n: n.biases[0].setflags(write=False), ValueError,
         "biases[0]: training updates it in place, but the array is read-only"),
    ],
)
def test_a_callback_that_breaks_the_parameters_gets_a_clear_error_and_the_network_stays_valid(spoil, error, message):
    # the clear error used to be masked by fit's clean-up (TypeError: 'NoneType' object is not iterable)
    net = impl.Network([2, 3, 1], seed=0)
    expected = _after_epochs(net, 2)
    with pytest.raises(error) as info:
        net.fit(XOR_X, XOR_Y, epochs=5, lr=0.5, callback=_breaks_at(1, lambda: spoil(net)))
    assert str(info.value) == (
        f"callback: after epoch 1, {message}. fit stopped; the network keeps the parameters "
        "of the end of epoch 1, as they were given to the callback"
    )
    assert len(net.history) == 2
    _validate.trainable(net.weights, net.biases, net.sizes)
    for got, want in zip(net.weights + net.biases, expected):
        np.testing.assert_array_equal(got, want)
    # and training goes on from there
    net.fit(XOR_X, XOR_Y, epochs=1, lr=0.5)


class _Stop(Exception):
    pass


def test_a_callback_that_raises_stops_fit_and_keeps_what_it_restored():
    # early stopping: restore the best parameters, then stop by raising
    net = impl.Network([2, 3, 1], seed=0)
    best = {}

    def callback(epoch, loss):
        if epoch == 0:
            best["weights"] = [w.copy() for w in net.weights]
            best["copy"] = [w.copy() for w in net.weights]
        if epoch == 3:
            net.weights = best["weights"]
            raise _Stop()

    with pytest.raises(_Stop):
        net.fit(XOR_X, XOR_Y, epochs=10, lr=0.5, callback=callback)
    assert net.weights is best["weights"] and len(net.history) == 4
    for got, want in zip(net.weights, best["copy"]):
        np.testing.assert_array_equal(got, want)
    # the biases were left alone: those of the end of epoch 3
    for got, want in zip(net.biases, _after_epochs(impl.Network([2, 3, 1], seed=0), 4)[2:]):
        np.testing.assert_array_equal(got, want)


def test_a_callback_that_raises_after_breaking_the_parameters_leaves_the_epochs_parameters():
    net = impl.Network([2, 3, 1], seed=0)
    expected = _after_epochs(net, 1)

    def callback(epoch, loss):
        net.weights[0][...] = np.nan
        net.biases = "gone"
        raise _Stop()

    with pytest.raises(_Stop):
        net.fit(XOR_X, XOR_Y, epochs=3, lr=0.5, callback=callback)
    for got, want in zip(net.weights + net.biases, expected):
        np.testing.assert_array_equal(got, want)


def test_an_interrupted_fit_keeps_the_parameters_of_the_last_completed_step():
    net = impl.Network([2, 3, 1], seed=0)
    expected = _after_epochs(net, 2)
    trainer = net._trainer()
    calls = []

    def step(*args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return type(trainer).step(trainer, *args)

    trainer.step = step
    with pytest.raises(KeyboardInterrupt):
        net.fit(XOR_X, XOR_Y, epochs=5, lr=0.5)
    for got, want in zip(net.weights + net.biases, expected):
        np.testing.assert_array_equal(got, want)


def test_pickle_and_deepcopy_keep_registry_entries_and_leave_scratch_buffers_out():
    import pickle

    X = np.random.default_rng(0).normal(size=(500, 2))
    Y = (X[:, :1] > 0).astype(float)
    net = impl.Network([2, 8, 1], activation="tanh", seed=0).fit(X, Y, epochs=2, batch_size=64)
    for clone in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        assert clone._hidden is activations.get("tanh") and clone._output is activations.get("sigmoid")
        assert "_sgd_trainer" not in clone.__dict__
        np.testing.assert_array_equal(clone.forward(X), net.forward(X))
        # and it trains exactly like the original
        clone.fit(X, Y, epochs=1, batch_size=64, shuffle=False)
        net_copy = copy.deepcopy(net).fit(X, Y, epochs=1, batch_size=64, shuffle=False)
        for p, q in zip(clone.weights, net_copy.weights):
            np.testing.assert_array_equal(p, q)


def test_trainer_keeps_no_reference_to_the_data_and_a_bounded_number_of_buffers():
    net = impl.Network([3, 4, 1], seed=0)
    rng = np.random.default_rng(1)
    for rows in range(1, 30):
        net.step(rng.normal(size=(rows, 3)), rng.uniform(size=rows), 0.1)
    trainer = net._trainer()
    assert len(trainer._buffers) <= 2
    assert all(buffers[1][0] is None for buffers in trainer._buffers.values())


@pytest.mark.parametrize(
    "spoil, error, message",
    [
        (lambda n: n.weights.__setitem__(0, np.ones((3, 2), int)), TypeError, "weights[0]"),
        (lambda n: n.biases[1].setflags(write=False), ValueError, "biases[1]"),
        (lambda n: n.biases.__setitem__(0, np.zeros(1)), ValueError, "biases[0]"),
        (lambda n: n.weights.__setitem__(1, [[1.0, 2.0, 3.0]]), TypeError, "weights[1]"),
        (lambda n: n.weights[0].__setitem__((0, 0), np.nan), ValueError, "weights[0]"),
    ],
)
def test_parameters_that_cannot_be_trained_in_place_are_rejected_before_any_work(spoil, error, message):
    net = impl.Network([2, 3, 1], seed=0)
    spoil(net)
    before = [np.array(p, copy=True) for p in net.weights + net.biases]
    for call in (lambda: net.fit(XOR_X, XOR_Y, epochs=3), lambda: net.step(XOR_X, XOR_Y, 0.1)):
        with pytest.raises(error, match=re.escape(message)):
            call()
        for p, q in zip(net.weights + net.biases, before):
            np.testing.assert_array_equal(np.asarray(p), q)


def test_fit_updates_the_parameter_arrays_in_place():
    net = impl.Network([2, 3, 1], seed=0)
    arrays = net.weights + net.biases
    before = [p.copy() for p in arrays]
    net.fit(XOR_X, XOR_Y, epochs=2, lr=0.5)
    assert all(p is q for p, q in zip(arrays, net.weights + net.biases))
    assert all(not np.array_equal(p, q) for p, q in zip(arrays, before))


def test_step_follows_the_precise_gradient_up_to_rounding():
    # the step uses the output form a (1 - a); gradients() uses sigma(z) sigma(-z)
    rng = np.random.default_rng(11)
    X, Y = rng.normal(size=(9, 4)), rng.uniform(size=(9, 3))
    for loss, output in (("mse", "sigmoid"), ("bce", "sigmoid"), ("mse", "tanh"), ("mse", "softplus")):
        net = impl.Network([4, 6, 5, 3], activation="tanh", output_activation=output, loss=loss, seed=1, reduction="mean")
        before = [p.copy() for p in net.weights + net.biases]
        dW, db = net.gradients(X, Y)
        net.step(X, Y, 0.3)
        for p, start, g in zip(net.weights + net.biases, before, dW + db):
            np.testing.assert_allclose(start - p, 0.3 * g, rtol=1e-12, atol=1e-17)


@pytest.mark.parametrize("hidden", activations.names())
@pytest.mark.parametrize(
    "sizes, output, loss, reduction",
    [
        ([3, 4, 2], "identity", "mse", "sum"),
        ([3, 5, 4, 2], "tanh", "mse", "mean"),
        ([3, 4, 2], "sigmoid", "bce", "mean"),
        ([3, 2], "softplus", "mse", "sum"),
    ],
)
def test_every_step_is_minus_lr_times_the_gradient(hidden, sizes, output, loss, reduction):
    # fit's buffered step (impl._sgd) against gradients(), which the tests hold to the
    # spec: every registered activation, depth 1 to 3, both losses and reductions,
    # mini-batches with a short last one
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(7, sizes[0])), rng.uniform(size=(7, sizes[-1]))
    net = impl.Network(sizes, activation=hidden, output_activation=output, loss=loss, reduction=reduction, seed=2)
    manual = copy.deepcopy(net)
    net.fit(X, Y, epochs=2, lr=0.1, batch_size=3, shuffle=False)
    for _ in range(2):
        for start in (0, 3, 6):
            xb, yb = X[start : start + 3], Y[start : start + 3]
            dW, db = manual.gradients(xb, yb)
            for p, g in zip(manual.weights + manual.biases, dW + db):
                p -= 0.1 * g
    for got, want in zip(net.weights + net.biases, manual.weights + manual.biases):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)


def test_fit_restarts_history():
    net = impl.Network([2, 2, 1], seed=0).fit(XOR_X, XOR_Y, epochs=4)
    net.fit(XOR_X, XOR_Y, epochs=2)
    assert len(net.history) == 2


def test_fit_validates_once(monkeypatch):
    calls = []
    original = _validate.inputs
    monkeypatch.setattr(_validate, "inputs", lambda *a: calls.append(1) or original(*a))
    impl.Network([2, 2, 1], seed=0).fit(XOR_X, XOR_Y, epochs=50, batch_size=1)
    assert len(calls) == 1


def test_gradients_do_not_change_the_network():
    net = impl.Network([2, 2, 1], seed=0)
    before = [p.copy() for p in net.weights + net.biases]
    dW, db = net.gradients(XOR_X, XOR_Y)
    assert [g.shape for g in dW] == [w.shape for w in net.weights]
    assert [g.shape for g in db] == [b.shape for b in net.biases]
    for p, q in zip(before, net.weights + net.biases):
        np.testing.assert_array_equal(p, q)


def test_one_dimensional_and_column_targets_agree():
    net = impl.Network([2, 2, 1], seed=0)
    g1 = net.gradients(XOR_X, XOR_Y)
    g2 = net.gradients(XOR_X, XOR_Y.reshape(-1, 1))
    for p, q in zip(sum(g1, []), sum(g2, [])):
        np.testing.assert_array_equal(p, q)


def test_forward_shape_and_dtype():
    net = impl.Network([3, 5, 4], activation="tanh", output_activation="identity", seed=0)
    out = net.forward(np.ones((6, 3), dtype=np.float32))
    assert out.shape == (6, 4) and out.dtype == np.float64


def test_predict():
    net = impl.Network([2, 1], output_activation="identity", seed=0)
    net.weights = [np.array([[1.0, 0.0]])]
    net.biases = [np.array([0.0])]
    pred = net.predict(np.array([[0.5, 9.0], [0.49, 9.0], [-3.0, 0.0]]))
    np.testing.assert_array_equal(pred, [1, 0, 0])
    assert pred.dtype.kind == "i" and pred.shape == (3,)

    multi = impl.Network([2, 3], output_activation="identity", seed=0)
    multi.weights = [np.eye(3, 2)]
    multi.biases = [np.array([0.0, 0.0, 0.5])]
    np.testing.assert_array_equal(multi.predict(np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])), [0, 1, 2])


def test_config_is_readable():
    net = impl.Network((2, 3, 1), activation="tanh", loss="bce", reduction="mean")
    assert net.sizes == (2, 3, 1)
    assert (net.activation, net.output_activation, net.loss, net.reduction) == (
        "tanh", "sigmoid", "bce", "mean",
    )
    assert "tanh" in repr(net)


@pytest.mark.parametrize(
    "init, loss, seed", [("normal", "mse", 2), ("xavier", "mse", 2), ("xavier", "bce", 2)]
)
def test_xor_is_solved(init, loss, seed):
    net = impl.Network([2, 2, 1], loss=loss, seed=seed, init=init)
    net.fit(XOR_X, XOR_Y, epochs=5000, lr=0.5)
    np.testing.assert_array_equal(net.predict(XOR_X), XOR_Y)
    assert net.history[-1] < 0.01 < net.history[0]
    assert all(later <= earlier * (1 + 1e-9) for earlier, later in zip(net.history, net.history[1:]))


def test_import_impl_does_not_import_sympy():
    code = "import impl, sys; assert 'sympy' not in sys.modules, 'sympy imported'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_impl_imports_only_numpy_scipy_special_and_the_standard_library():
    import ast

    for path in (ROOT / "impl").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                allowed = (
                    top in ("numpy", "impl", "__future__")
                    or module == "scipy.special"
                    or (top in sys.stdlib_module_names and top != "pickle")
                )
                assert allowed, f"{path.name} imports {module}"
