"""impl.Network(dtype="float32"): training in single precision follows float64 training to float32 precision."""

import numpy as np
import pytest

import impl
from impl import gradcheck

F32 = np.finfo(np.float32).eps


def _digits(samples=300):
    from spec.cli.tasks import digits

    data = digits(seed=0)
    return data.X_train[:samples], data.Y_train[:samples]


def _pair(**kwargs):
    """A float32 network and a float64 one holding exactly the same (float32-rounded) parameters."""
    n32 = impl.Network((64, 32, 10), seed=0, init="xavier", dtype="float32", **kwargs)
    n64 = impl.Network((64, 32, 10), seed=0, init="xavier", **kwargs)
    n64.weights = [W.astype(np.float64) for W in n32.weights]
    n64.biases = [b.astype(np.float64) for b in n32.biases]
    return n32, n64


def test_parameters_training_and_prediction_are_float32():
    X, Y = _digits(64)
    n32, n64 = _pair()
    assert n32.dtype == "float32" and n64.dtype == "float64" and "dtype='float32'" in repr(n32)
    assert all(p.dtype == np.float32 for p in n32.weights + n32.biases)
    # drawn in float64 and rounded: the float64 network's start, to float32 precision
    plain = impl.Network((64, 32, 10), seed=0, init="xavier")
    for p, q in zip(n32.weights, plain.weights):
        np.testing.assert_allclose(p, q, rtol=F32 / 2, atol=0)
    n32.fit(X, Y, epochs=2, lr=0.05, batch_size=16)
    n32.step(X, Y, 0.01)
    assert all(p.dtype == np.float32 for p in n32.weights + n32.biases)
    assert n32.forward(X).dtype == np.float32 and n32.predict_proba(X).dtype == np.float32
    # gradients (and so the gradient check) are computed in float64
    dW, db = n32.gradients(X, Y)
    assert all(g.dtype == np.float64 for g in dW + db)


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_float32_training_follows_float64_training_to_float32_precision(loss):
    X, Y = _digits()
    n32, n64 = _pair(loss=loss)
    for net in (n32, n64):
        net.fit(X, Y, epochs=3, lr=0.05, batch_size=32, shuffle=False)
    # 30 steps: each rounds every parameter to float32 once more; measured 3e-7 (mse) and 5e-7 (ce)
    for p, q in zip(n32.weights + n32.biases, n64.weights + n64.biases):
        assert np.max(np.abs(p - q)) <= 50 * F32 * np.max(np.abs(q))
    np.testing.assert_allclose(n32.history, n64.history, rtol=50 * F32)
    assert n32.score(X, Y.argmax(1)) == pytest.approx(n64.score(X, Y.argmax(1)), abs=2 / len(X))


def test_gradcheck_and_persistence_of_a_float32_network(tmp_path):
    X, Y = _digits(20)
    n32, _ = _pair()
    report = gradcheck.check(n32, X, Y, method="complex")
    assert report.ok, str(report)
    path = tmp_path / "net.npz"
    n32.save(path)
    back = impl.Network.load(path)
    assert back.dtype == "float32"
    for p, q in zip(back.weights + back.biases, n32.weights + n32.biases):
        assert p.dtype == np.float32
        np.testing.assert_array_equal(p, q)


def test_float32_divergence_is_caught_where_float32_overflows():
    X, Y = _digits(32)
    n32, _ = _pair()
    with pytest.raises(impl.Diverged) as info:
        n32.fit(X, Y, epochs=3, lr=1e38)
    # the rate 1e38 is finite in float32 (largest 3.4e38); times a gradient entry above 3.4 it is not.
    # (Huge inputs would not do: they saturate every unit, sigma' is then exactly 0 and so is every
    # update, so nothing overflows.)
    assert info.value.cause in ("loss", "parameters") and len(n32.history) == info.value.epoch
    for p in n32.weights + n32.biases:
        assert p.dtype == np.float32 and np.isfinite(p).all()


def test_dtype_is_checked():
    with pytest.raises(ValueError, match="dtype: expected one of float64, float32, got 'float16'"):
        impl.Network((2, 2, 1), dtype="float16")


def test_inputs_beyond_float32_are_refused_naming_the_argument():
    """1e39 is finite in float64 but inf in float32: the float32 network refuses it (it returned NaN before)."""
    net = impl.Network((2, 3, 2), loss="ce", seed=0, dtype="float32")
    X = np.array([[0.5, 1e39], [0.0, 1.0]])
    for call in (net.forward, net.predict, net.predict_proba):
        with pytest.raises(ValueError, match=r"X: expected values a float32 network can hold .* got 1e\+39 at index \(0, 1\)"):
            call(X)
    with pytest.raises(ValueError, match=r"X: expected values a float32 network can hold"):
        net.score(X, [0, 1])
    weights = [W.copy() for W in net.weights]
    for train in (lambda: net.step(X, [0, 1], 0.1), lambda: net.fit(X, [0, 1], epochs=2, lr=0.1)):
        with pytest.raises(ValueError, match=r"X: expected values a float32 network can hold"):
            train()
    for W, W0 in zip(net.weights, weights):
        np.testing.assert_array_equal(W, W0)  # a rejected call changes nothing
    # the same inputs in a float64 network are ordinary numbers
    assert np.all(np.isfinite(impl.Network((2, 3, 2), loss="ce", seed=0).forward(X)))


def test_a_float64_array_assigned_into_a_float32_network_is_refused_naming_it():
    net = impl.Network((2, 3, 1), seed=0, dtype="float32")
    X = np.array([[0.5, 0.25]])
    net.weights[1] = net.weights[1].astype(np.float64)
    with pytest.raises(TypeError, match=r"weights\[1\]: this network computes in float32, got a float64 array for W\[2\]"):
        net.forward(X)
    with pytest.raises(TypeError, match=r"weights\[1\]: this network computes in float32"):
        net.fit(X, [1.0], epochs=1, lr=0.1)
    net.weights[1] = net.weights[1].astype(np.float32)
    assert net.forward(X).dtype == np.float32
