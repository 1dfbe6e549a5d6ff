"""Divergence: fit and step stop with impl.Diverged, keep the last finite parameters, never warn."""

import copy
import math
import pickle
import re
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import ndtr

import impl
from impl import activations, gradcheck, losses
from impl.activations import Activation

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0.0, 1.0, 1.0, 0.0])


def _params(net):
    return [p.copy() for p in net.weights + net.biases]


def _finite(values):
    return all(np.isfinite(v).all() for v in values)


def _replay(net, X, Y, lr, epochs, batch_size):
    """Gradient descent written out with gradients(), batch by batch, in order.

    Returns ``(parameters, history, epoch, batch)`` at the first batch whose
    loss or update is not finite: the parameters before that update, the
    losses of the completed epochs.
    """
    net = copy.deepcopy(net)
    history = []
    n = X.shape[0]
    for epoch in range(epochs):
        total = 0.0
        for batch, start in enumerate(range(0, n, batch_size)):
            xb, yb = X[start : start + batch_size], Y[start : start + batch_size]
            loss = net.loss_value(xb, yb)
            dW, db = net.gradients(xb, yb)
            with np.errstate(all="ignore"):
                new = [p - lr * g for p, g in zip(net.weights + net.biases, dW + db)]
            if not math.isfinite(loss) or not _finite(new):
                return _params(net), history, epoch, batch
            L = len(net.weights)
            net.weights, net.biases = new[:L], new[L:]
            total += loss * len(xb) if net.reduction == "mean" else loss
        history.append(total / n if net.reduction == "mean" else total)
    return _params(net), history, None, None


def test_a_huge_learning_rate_raises_diverged_and_keeps_the_last_finite_parameters():
    # the case: this used to return NaN weights and print RuntimeWarnings
    net = impl.Network((2, 2, 1), output_activation="identity", seed=0)
    kept, history, epoch, batch = _replay(net, X, Y, 1e300, 5, 4)
    assert (epoch, batch) == (1, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(impl.Diverged) as info:
            net.fit(X, Y, lr=1e300, epochs=5)
    error = info.value
    assert (error.epoch, error.batch, error.lr, error.cause) == (1, 0, 1e300, "loss")
    assert error.loss == math.inf
    assert net.history == pytest.approx(history, rel=1e-12) and len(net.history) == 1
    assert _finite(net.weights + net.biases)
    for got, want in zip(net.weights + net.biases, kept):
        np.testing.assert_allclose(got, want, rtol=1e-10)
    message = str(error)
    assert message.startswith("fit diverged at epoch 1, batch 0 (of 1 per epoch): the loss before the update is inf")
    assert "last finite parameters" in message and "history the 1 completed epoch." in message
    assert "smaller lr" in message and 'reduction="mean"' in message


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_minibatch_divergence_names_the_epoch_and_batch(reduction):
    rng = np.random.default_rng(0)
    Xb, Yb = rng.normal(size=(10, 2)), rng.normal(size=10)
    net = impl.Network((2, 3, 1), activation="tanh", output_activation="identity", reduction=reduction, seed=1)
    lr = 3e153 if reduction == "sum" else 1e154
    kept, history, epoch, batch = _replay(net, Xb, Yb, lr, 6, 3)
    assert epoch is not None
    with pytest.raises(impl.Diverged) as info:
        net.fit(Xb, Yb, lr=lr, epochs=6, batch_size=3, shuffle=False)
    assert (info.value.epoch, info.value.batch) == (epoch, batch)
    assert f"epoch {epoch}, batch {batch} (of 4 per epoch)" in str(info.value)
    assert ('reduction="mean"' in str(info.value)) == (reduction == "sum")
    assert net.history == pytest.approx(history, rel=1e-9)
    for got, want in zip(net.weights + net.biases, kept):
        np.testing.assert_allclose(got, want, rtol=1e-9)


def test_an_update_that_overflows_is_caught_even_when_the_loss_stays_finite():
    # z = b = 0 on every sample: a = 1/2, loss = 16 * 1/2 (1/2)^2 = 2, and
    # lr dL/db = 1.7e308 * 16 * (1/2)(1/4) overflows
    net = impl.Network((1, 1), seed=0)
    net.weights[0][...] = 0.0
    net.biases[0][...] = 0.0
    with pytest.raises(impl.Diverged) as info:
        net.fit(np.zeros((16, 1)), np.zeros(16), lr=1.7e308, epochs=3)
    assert (info.value.cause, info.value.epoch, info.value.batch, info.value.loss) == ("parameters", 0, 0, 2.0)
    assert "the update with lr=1.7e+308 made a parameter inf or nan (the batch's loss was 2)" in str(info.value)
    assert net.history == [] and net.weights[0][0, 0] == 0.0 and net.biases[0][0] == 0.0


def test_step_raises_diverged_and_leaves_the_network_unchanged():
    net = impl.Network((2, 2, 1), activation="identity", output_activation="identity", seed=0)
    net.weights[0][...] = 1e200
    before = _params(net)
    with pytest.raises(impl.Diverged) as info:
        net.step(X * 1e200, Y, 1.0)
    assert (info.value.epoch, info.value.batch, info.value.cause) == (None, None, "loss")
    assert str(info.value).startswith("step diverged: the loss before the update is inf")
    assert "The network is unchanged." in str(info.value)
    for got, want in zip(net.weights + net.biases, before):
        np.testing.assert_array_equal(got, want)


@pytest.fixture
def probit(monkeypatch):
    act = Activation(
        name="test_probit", f=ndtr, df=lambda z: np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi),
        df_from_output=None, range=(0.0, 1.0), smooth=True,
    )
    monkeypatch.setattr(activations, "_REGISTRY", activations._REGISTRY.copy())
    activations.register(act)
    return act.name


def test_a_loss_that_is_not_finite_at_the_start_is_reported_at_epoch_0(probit):
    # bce after an output that rounds to exactly 1: log(1 - a) = -inf
    net = impl.Network((1, 1), output_activation=probit, loss="bce", seed=0)
    net.weights[0][...] = 100.0
    with pytest.raises(impl.Diverged) as info:
        net.fit(np.ones((2, 1)), np.array([0.5, 0.5]), epochs=3, lr=0.1)
    assert (info.value.epoch, info.value.batch, info.value.cause) == (0, 0, "loss")
    assert info.value.loss == math.inf
    assert net.weights[0][0, 0] == 100.0 and net.history == []


def test_an_epoch_loss_that_overflows_is_divergence_too():
    # each batch's loss, 1/2 (1.3e154)^2 ~ 8.5e307, is finite; the sum of three is not
    net = impl.Network((1, 1), output_activation="identity", seed=0)
    net.weights[0][...] = 0.0
    net.biases[0][...] = 0.0
    with pytest.raises(impl.Diverged) as info:
        net.fit(np.zeros((3, 1)), np.full(3, 1.3e154), epochs=2, lr=1e-300, batch_size=1)
    assert (info.value.epoch, info.value.batch, info.value.cause) == (0, None, "epoch loss")
    assert str(info.value).startswith("fit diverged at epoch 0 (after its 3 batches)")
    assert _finite(net.weights + net.biases) and net.history == []


def test_huge_but_finite_parameters_are_not_divergence():
    # the sum of the parameters overflows, every parameter is finite: the exact check decides
    net = impl.Network((2, 1), output_activation="identity", seed=0)
    net.weights[0][...] = 1.7e308
    net.biases[0][...] = 0.0
    net.fit(np.zeros((3, 2)), np.zeros(3), epochs=3, lr=0.5)
    np.testing.assert_array_equal(net.weights[0], [[1.7e308, 1.7e308]])
    assert net.history == [0.0, 0.0, 0.0]


def test_diverged_is_an_arithmetic_error_exported_by_impl_and_pickles():
    assert issubclass(impl.Diverged, ArithmeticError) and "Diverged" in impl.__all__
    net = impl.Network((2, 2, 1), output_activation="identity", seed=0)
    with pytest.raises(impl.Diverged) as info:
        net.fit(X, Y, lr=1e300, epochs=5)
    clone = pickle.loads(pickle.dumps(info.value))
    assert str(clone) == str(info.value)
    assert (clone.epoch, clone.batch, clone.lr, clone.loss, clone.cause) == (1, 0, 1e300, math.inf, "loss")


def test_the_callback_sees_only_completed_epochs_and_keeps_its_own_error_settings():
    seen = []

    def callback(epoch, loss):
        seen.append((epoch, loss, np.geterr()["over"]))

    net = impl.Network((2, 2, 1), output_activation="identity", seed=0)
    with np.errstate(over="warn"), pytest.raises(impl.Diverged):
        net.fit(X, Y, lr=1e300, epochs=5, callback=callback)
    assert seen == [(0, net.history[0], "warn")]


# --- no NumPy warning for any finite input and learning rate -------------------


def _configs():
    def compatible(loss):
        return [name for name in activations.names() if losses.is_compatible(losses.get(loss), activations.get(name))]

    return st.sampled_from(losses.names()).flatmap(
        lambda loss: st.tuples(st.just(loss), st.sampled_from(activations.names()), st.sampled_from(compatible(loss)))
    )


@given(
    config=_configs(),
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    reduction=st.sampled_from(["sum", "mean"]),
    seed=st.integers(0, 2**16),
    x_scale=st.sampled_from([0.0, 1.0, 1e10, 1e100, 1e200, 1e300]),
    w_scale=st.sampled_from([1.0, 1e10, 1e100, 1e200, 1e300]),
    lr=st.floats(min_value=1e-300, max_value=1.7e308),
    batch_size=st.integers(1, 5),
)
def test_no_numpy_warning_escapes_for_finite_inputs(config, sizes, reduction, seed, x_scale, w_scale, lr, batch_size):
    loss, hidden, output = config
    if activations.get(output).output_set == "simplex":
        # a probability vector of one entry is the constant 1, refused
        sizes = [*sizes[:-1], max(2, sizes[-1])]
    net = impl.Network(sizes, activation=hidden, output_activation=output, loss=loss, reduction=reduction, seed=seed)
    rng = np.random.default_rng(seed)
    for p in net.weights + net.biases:
        p *= w_scale
    Xh = np.clip(rng.normal(size=(5, sizes[0])) * x_scale, -1.7e308, 1.7e308)
    # targets in the loss's declared range (bce, ce: [0, 1]), else anywhere
    Yh = rng.uniform(size=(5, sizes[-1])) if losses.get(loss).targets else rng.normal(size=(5, sizes[-1])) * 1e3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.forward(Xh)
        net.predict(Xh)
        net.loss_value(Xh, Yh)
        net.gradients(Xh, Yh)
        gradcheck.check(net, Xh, Yh)
        for train in (
            lambda: net.step(Xh, Yh, lr),
            lambda: net.fit(Xh, Yh, epochs=3, lr=lr, batch_size=batch_size),
        ):
            try:
                train()
            except impl.Diverged as error:
                assert re.match(r"^(fit|step) diverged", str(error))
            assert _finite(net.weights + net.biases)
            assert all(math.isfinite(h) for h in net.history)
