"""impl.gradcheck: finite-difference checks of every gradient, passing and failing."""

import numpy as np
import pytest

import impl
from impl import activations, gradcheck

ACTIVATIONS = activations.names()
SMOOTH = [name for name in ACTIVATIONS if activations.get(name).smooth]
KINKED = [name for name in ACTIVATIONS if not activations.get(name).smooth]
ARCHITECTURES = [(3, 2), (2, 2, 1), (3, 5, 4), (4, 6, 3, 2)]


def _data(sizes, loss="mse", samples=9, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(samples, sizes[0]))
    Y = rng.uniform(size=(samples, sizes[-1]))
    return X, Y


def _net(sizes, **kwargs):
    kwargs.setdefault("seed", 1)
    return impl.Network(list(sizes), **kwargs)


def _big():
    """The 64-32-10 sigmoid network on 64 samples (2,410 parameters)."""
    net = _net((64, 32, 10), seed=0)
    rng = np.random.default_rng(1)
    return net, rng.normal(size=(64, 64)), rng.uniform(size=(64, 10))


# --- correct networks pass --------------------------------------------------------


@pytest.mark.parametrize("sizes", ARCHITECTURES)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_central_passes_every_activation(name, sizes):
    net = _net(sizes, activation=name)
    X, Y = _data(sizes)
    report = gradcheck.check(net, X, Y, method="central")
    assert report.ok, str(report)
    assert report.max_rel_error <= 1e-6
    assert report.method == "central" and report.tolerance == 1e-6


@pytest.mark.parametrize("sizes", ARCHITECTURES)
@pytest.mark.parametrize("name", SMOOTH)
def test_complex_passes_every_smooth_activation(name, sizes):
    if not activations.get(name).elementwise and sizes[-1] < 2:
        # a softmax over one output is refused: softmax hidden, sigmoid output
        net = _net(sizes, activation=name)
    else:
        net = _net(sizes, activation=name, output_activation=name if name != "sigmoid" else None)
    X, Y = _data(sizes)
    if net.output_activation != "sigmoid":
        Y = Y * 2 - 1
    report = gradcheck.check(net, X, Y, method="complex")
    assert report.ok, str(report)
    assert report.max_rel_error <= 1e-10


@pytest.mark.parametrize("sizes", ARCHITECTURES)
@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_complex_is_accurate_to_rounding_on_sigmoid_and_tanh(name, sizes):
    net = _net(sizes, activation=name)
    X, Y = _data(sizes, samples=20)
    report = gradcheck.check(net, X, Y, method="complex")
    assert report.max_rel_error <= 1e-12, str(report)


@pytest.mark.parametrize("method, bound", [("central", 1e-6), ("complex", 1e-12)])
def test_64_32_10_sigmoid_network(method, bound):
    net, X, Y = _big()
    report = gradcheck.check(net, X, Y, method=method)
    assert report.ok and report.max_rel_error <= bound, str(report)
    assert sum(p.analytic.size for p in report.parameters) == 2410


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("method", ["central", "complex"])
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "gelu"])
def test_bce_and_both_reductions(hidden, method, reduction):
    sizes = (4, 5, 3)
    net = _net(sizes, activation=hidden, loss="bce", reduction=reduction)
    X, Y = _data(sizes)
    report = gradcheck.check(net, X, Y, method=method)
    assert report.ok, str(report)
    assert report.max_rel_error <= (1e-12 if method == "complex" else 1e-6)


def test_bce_complex_survives_saturated_outputs():
    # large |z| at the output: the complex softplus must neither overflow nor lose
    # the imaginary part
    net = _net((2, 3, 2), loss="bce")
    net.weights = [w * 30 for w in net.weights]
    X, Y = _data((2, 3, 2))
    report = gradcheck.check(net, X, Y, method="complex")
    assert report.ok, str(report)
    assert all(np.isfinite(p.numeric).all() for p in report.parameters)


@pytest.mark.parametrize("output", ["sigmoid", "identity", "tanh"])
def test_output_activations(output):
    sizes = (3, 4, 2)
    net = _net(sizes, activation="tanh", output_activation=output)
    X, Y = _data(sizes)
    for method in ("central", "complex"):
        assert gradcheck.check(net, X, Y, method=method).ok


def test_float32_parameters_are_checked_at_their_float64_values():
    sizes = (3, 4, 2)
    net = _net(sizes)
    net.weights = [w.astype(np.float32) for w in net.weights]
    net.biases = [b.astype(np.float32) for b in net.biases]
    X, Y = _data(sizes)
    for method in ("central", "complex"):
        report = gradcheck.check(net, X, Y, method=method)
        assert report.ok, str(report)
        assert all(p.analytic.dtype == p.numeric.dtype == np.float64 for p in report.parameters)
    assert net.weights[0].dtype == np.float32  # not converted in place


def test_the_network_is_left_untouched():
    sizes = (3, 4, 2)
    net = _net(sizes)
    X, Y = _data(sizes)
    before = [w.copy() for w in net.weights + net.biases]
    gradcheck.check(net, X, Y, method="central")
    gradcheck.check(net, X, Y, method="complex")
    for old, new in zip(before, net.weights + net.biases):
        np.testing.assert_array_equal(old, new)


# --- the batched pass against a plain loop over parameters --------------------


def _loop_numeric(net, X, Y, method):
    """Numerical gradient one parameter at a time, through a plain forward pass."""
    hidden = activations.get(net.activation)
    output = activations.get(net.output_activation)
    eps = np.finfo(np.float64).eps

    def loss(W, b):
        a = X
        for l in range(len(W)):
            f = output.f if l == len(W) - 1 else hidden.f
            a = f(a @ W[l].T + b[l])
        assert net.loss == "mse"
        total = 0.5 * np.sum((a - Y) ** 2)
        return total / X.shape[0] if net.reduction == "mean" else total

    W = [w.astype(complex if method == "complex" else float) for w in net.weights]
    b = [v.astype(complex if method == "complex" else float) for v in net.biases]
    grads = []
    for params in (W, b):
        out = []
        for P in params:
            g = np.zeros(P.shape)
            for index in np.ndindex(P.shape):
                theta = P[index]
                if method == "complex":
                    P[index] = theta + 1e-20j
                    g[index] = loss(W, b).imag / 1e-20
                else:
                    h = eps ** (1 / 3) * max(1.0, abs(theta))
                    P[index] = theta + h
                    up = loss(W, b)
                    P[index] = theta - h
                    down = loss(W, b)
                    g[index] = (up - down) / (2 * h)
                P[index] = theta
            out.append(g)
        grads.append(out)
    dW, db = grads
    return [x for pair in zip(dW, db) for x in pair]


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("sizes", [(3, 4, 2), (2, 3, 4, 2)])
def test_batched_pass_equals_a_plain_loop(sizes, reduction):
    net = _net(sizes, activation="tanh", reduction=reduction)
    X, Y = _data(sizes, samples=6)
    # complex step: both are accurate to rounding, so they agree to rounding
    report = gradcheck.check(net, X, Y, method="complex")
    for p, want in zip(report.parameters, _loop_numeric(net, X, Y, "complex")):
        np.testing.assert_allclose(p.numeric, want, rtol=1e-12, atol=1e-15)
    # central differences: the same step and the same formula, but the loop rounds
    # theta +- h and a whole forward pass where the batched pass adds h u to one
    # row of z; each carries rounding ~eps |L| / h ~ 1e-11 |L|, so they agree to that
    report = gradcheck.check(net, X, Y, method="central")
    for p, want in zip(report.parameters, _loop_numeric(net, X, Y, "central")):
        np.testing.assert_allclose(p.numeric, want, rtol=1e-8, atol=1e-10)


def test_chunks_and_threads_do_not_change_the_result(monkeypatch):
    sizes = (5, 7, 4, 3)
    net = _net(sizes, activation="silu")
    X, Y = _data(sizes, samples=11)
    for method in ("central", "complex"):
        want = gradcheck.check(net, X, Y, method=method)
        for chunk_bytes, threads in [(1, 1), (3000, 2), (2**30, 1)]:
            monkeypatch.setattr(gradcheck, "_CHUNK_BYTES", chunk_bytes)
            monkeypatch.setattr(gradcheck, "_THREADS", threads)
            got = gradcheck.check(net, X, Y, method=method)
            for a, b in zip(got.parameters, want.parameters):
                # Other chunk sizes give other matrix shapes, which BLAS and NumPy's SIMD
                # loops may sum in another order: equal within the methods' own rounding
                # bound (noise), not bit for bit (AVX2 and AVX-512 machines differ)
                np.testing.assert_array_less(np.abs(a.numeric - b.numeric), a.noise + b.noise + 1e-300)
        monkeypatch.undo()


def test_chunks_never_exceed_the_memory_cap():
    net = _net((30, 200, 50))
    X, Y = _data((30, 200, 50), samples=40)
    W, b = gradcheck._parameters(net)
    batched = gradcheck._Batched(W, b, net._hidden, net._output, net._loss, X, Y)
    for l in (1, 2):
        copies = batched.chunk_size(l, 16)
        widest = 50 if l == 1 else 1
        assert copies * 16 * 40 * widest <= gradcheck._CHUNK_BYTES <= gradcheck._MAX_CHUNK_BYTES


# --- broken gradients fail, naming the entry ------------------------------------


def _corrupt(net, X, Y, which, index, amount):
    """net.gradients with one entry of dW[which] or db[which] moved by ``amount``."""
    dW, db = net.gradients(X, Y)
    kind, l = which
    target = (dW if kind == "W" else db)[l - 1]
    target[index] += amount
    return dW, db


@pytest.mark.parametrize("method", ["central", "complex"])
@pytest.mark.parametrize(
    "which, index, name",
    [(("W", 2), (1, 2), "W[2][1, 2]"), (("b", 1), (3,), "b[1][3]"), (("W", 1), (0, 0), "W[1][0, 0]")],
)
def test_one_corrupted_entry_is_named(monkeypatch, method, which, index, name):
    sizes = (3, 5, 4, 2)
    net = _net(sizes)
    X, Y = _data(sizes)
    dW, db = _corrupt(net, X, Y, which, index, 0.0)
    largest = max(np.abs(g).max() for g in dW + db)
    bad = _corrupt(net, X, Y, which, index, 1e-4 * largest)
    monkeypatch.setattr(net, "gradients", lambda X_, Y_: bad)
    report = gradcheck.check(net, X, Y, method=method)
    assert not report.ok
    assert report.worst == name
    param = report.parameter(name.split("]")[0] + "]")
    assert not param.ok and param.entry(param.worst) == name
    # every other entry of that parameter, and every other parameter, still agrees
    assert (param.rel_error > report.tolerance).sum() == 1
    assert all(p.ok for p in report.parameters if p is not param)
    text = str(report)
    assert text.startswith("gradient check FAIL") and name in text and method in text
    assert f"only {name} is wrong" in text


def test_a_bug_in_backward_is_caught(monkeypatch):
    # the same corruption one level down: inside the backward pass
    sizes = (3, 4, 2)
    net = _net(sizes)
    X, Y = _data(sizes)
    original = net._backward

    def backward(z, a, Y_):
        dW, db = original(z, a, Y_)
        dW[1][0, 2] *= 1.001
        return dW, db

    monkeypatch.setattr(net, "_backward", backward)
    for method in ("central", "complex"):
        report = gradcheck.check(net, X, Y, method=method)
        assert not report.ok and report.worst == "W[2][0, 2]"


def test_tiny_relative_error_on_a_large_entry_is_caught_by_complex_only(monkeypatch):
    sizes = (3, 4, 2)
    net = _net(sizes)
    X, Y = _data(sizes)
    dW, db = net.gradients(X, Y)
    dW[0] = dW[0] * (1 + 1e-8)
    monkeypatch.setattr(net, "gradients", lambda X_, Y_: (dW, db))
    assert gradcheck.check(net, X, Y, method="central").ok
    assert not gradcheck.check(net, X, Y, method="complex").ok


@pytest.mark.parametrize(
    "factor, words",
    [
        (-1.0, "wrong sign"),
        (9.0, "a sum where the loss takes the mean"),
        (1 / 9, "a mean where the loss takes the sum"),
        (2.0, "1/2 of the squared error"),
        (3.7, "same factor"),
    ],
)
def test_hints_for_known_mistakes(monkeypatch, factor, words):
    sizes = (3, 4, 2)
    net = _net(sizes)
    X, Y = _data(sizes)  # 9 samples
    dW, db = net.gradients(X, Y)
    scaled = ([g * factor for g in dW], [g * factor for g in db])
    monkeypatch.setattr(net, "gradients", lambda X_, Y_: scaled)
    report = gradcheck.check(net, X, Y)
    assert not report.ok and words in report.hint and "likely cause" in str(report)


def test_hint_for_a_transposed_square_weight(monkeypatch):
    sizes = (3, 3, 2)
    net = _net(sizes)
    X, Y = _data(sizes)
    dW, db = net.gradients(X, Y)
    monkeypatch.setattr(net, "gradients", lambda X_, Y_: ([dW[0].T, dW[1]], db))
    report = gradcheck.check(net, X, Y)
    assert not report.ok and report.hint == "W[1] is transposed"


def test_nan_in_the_analytic_gradient_fails(monkeypatch):
    sizes = (3, 4, 2)
    net = _net(sizes)
    X, Y = _data(sizes)
    dW, db = net.gradients(X, Y)
    db[1][1] = np.nan
    monkeypatch.setattr(net, "gradients", lambda X_, Y_: (dW, db))
    report = gradcheck.check(net, X, Y)
    assert not report.ok and report.worst == "b[2][1]" and report.max_rel_error == np.inf


# --- the report ------------------------------------------------------------------


def test_report_layout():
    sizes = (3, 5, 4, 2)
    net = _net(sizes)
    X, Y = _data(sizes)
    report = gradcheck.check(net, X, Y, method="complex")
    assert [p.name for p in report.parameters] == ["W[1]", "b[1]", "W[2]", "b[2]", "W[3]", "b[3]"]
    for p, w in zip(report.parameters[::2], net.weights):
        assert p.analytic.shape == p.numeric.shape == p.abs_error.shape == p.rel_error.shape == w.shape
        assert p.noise.shape == w.shape
    for p, b in zip(report.parameters[1::2], net.biases):
        assert p.rel_error.shape == b.shape
    worst = max(report.parameters, key=lambda p: p.max_rel_error)
    assert report.worst == worst.entry(worst.worst)
    assert report.max_rel_error == worst.max_rel_error
    assert report.hint is None
    lines = str(report).splitlines()
    assert lines[0].startswith("gradient check PASS") and "method=complex" in lines[0]
    assert report.worst in lines[1] and "analytic" in lines[1] and "numeric" in lines[1]
    assert len(lines) == 3 + 6
    with pytest.raises(KeyError, match="W\\[4\\]"):
        report.parameter("W[4]")


def test_relative_error_definition():
    sizes = (3, 4, 2)
    net = _net(sizes)
    X, Y = _data(sizes)
    report = gradcheck.check(net, X, Y, method="central")
    largest = max(np.abs(p.numeric).max() for p in report.parameters)
    assert report.scale == pytest.approx(1e-3 * largest)
    for p in report.parameters:
        floor = np.maximum(report.scale, p.noise / report.tolerance)
        want = np.abs(p.analytic - p.numeric) / np.maximum(
            np.maximum(np.abs(p.analytic), np.abs(p.numeric)), floor
        )
        np.testing.assert_array_equal(p.rel_error, want)


def test_atol_and_rtol(monkeypatch):
    sizes = (3, 4, 2)
    net = _net(sizes)
    X, Y = _data(sizes)
    X[:, 1] = 0  # so dL/dW[1][:, 1] is exactly 0 on both sides
    report = gradcheck.check(net, X, Y, rtol=1e-4, atol=1e-9)
    assert report.tolerance == 1e-4 and report.scale == pytest.approx(1e-5)
    # an error of 1e-12 on an entry that should be 0: within atol = 1e-11, not within 1e-13
    dW, db = net.gradients(X, Y)
    assert dW[0][2, 1] == 0
    dW[0][2, 1] = 1e-12
    monkeypatch.setattr(net, "gradients", lambda X_, Y_: (dW, db))
    assert gradcheck.check(net, X, Y, method="complex", rtol=1e-10, atol=1e-11).ok
    report = gradcheck.check(net, X, Y, method="complex", rtol=1e-10, atol=1e-13)
    assert not report.ok and report.worst == "W[1][2, 1]"


def test_all_zero_gradient_passes():
    # a zero-loss network: every gradient entry is exactly 0 on both sides
    net = _net((2, 1), output_activation="identity")
    net.weights = [np.zeros((1, 2))]
    net.biases = [np.zeros(1)]
    X, _ = _data((2, 1))
    report = gradcheck.check(net, X, np.zeros((9, 1)), method="complex")
    assert report.ok and report.max_rel_error == 0.0


# --- refusals and input checks ---------------------------------------------------


@pytest.mark.parametrize("name", KINKED)
def test_complex_refused_for_kinked_hidden_activation(name):
    sizes = (3, 4, 2)
    net = _net(sizes, activation=name)
    X, Y = _data(sizes)
    with pytest.raises(ValueError, match="method") as info:
        gradcheck.check(net, X, Y, method="complex")
    message = str(info.value)
    assert repr(name) in message and 'method="central"' in message and "activation" in message


def test_complex_refused_for_kinked_output_activation():
    net = _net((3, 4, 2), activation="tanh", output_activation="relu")
    X, Y = _data((3, 4, 2))
    with pytest.raises(ValueError, match="output_activation 'relu'"):
        gradcheck.check(net, X, Y, method="complex")


def test_complex_allowed_when_the_kinked_activation_is_unused():
    # one layer: the hidden activation never runs
    net = _net((3, 2), activation="relu")
    X, Y = _data((3, 2))
    assert gradcheck.check(net, X, Y, method="complex").ok


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"net": "not a net"}, TypeError, "net"),
        ({"method": "forward"}, ValueError, "method"),
        ({"method": 3}, TypeError, "method"),
        ({"X": np.zeros((4, 5))}, ValueError, "X"),
        ({"X": np.full((9, 3), np.nan)}, ValueError, "X"),
        ({"Y": np.zeros((8, 2))}, ValueError, "Y"),
        ({"Y": np.full((9, 2), np.inf)}, ValueError, "Y"),
        ({"rtol": 0}, ValueError, "rtol"),
        ({"rtol": "small"}, TypeError, "rtol"),
        ({"atol": -1.0}, ValueError, "atol"),
        ({"atol": "tiny"}, TypeError, "atol"),
    ],
)
def test_bad_arguments(kwargs, error, words):
    sizes = (3, 4, 2)
    X, Y = _data(sizes)
    args = {"net": _net(sizes), "X": X, "Y": Y}
    args.update(kwargs)
    with pytest.raises(error, match=words):
        gradcheck.check(**args)


def test_bad_parameters_are_named():
    sizes = (3, 4, 2)
    X, Y = _data(sizes)
    net = _net(sizes)
    net.weights[1] = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"^net\.weights\[1\]: expected shape \(2, 4\) for W\[2\]"):
        gradcheck.check(net, X, Y)
    net = _net(sizes)
    net.biases[0] = np.full(4, np.nan)
    with pytest.raises(ValueError, match=r"b\[1\]"):
        gradcheck.check(net, X, Y)


def test_wrongly_shaped_gradients_are_named(monkeypatch):
    sizes = (3, 4, 2)
    net = _net(sizes)
    X, Y = _data(sizes)
    dW, db = net.gradients(X, Y)
    monkeypatch.setattr(net, "gradients", lambda X_, Y_: ([dW[0].T, dW[1]], db))
    with pytest.raises(ValueError, match=r"W\[1\]"):
        gradcheck.check(net, X, Y)


# --- every registered loss with every output activation it accepts -----------------------


def _loss_targets(loss, shape, rng):
    if loss.requires == "simplex":
        return rng.dirichlet(np.ones(shape[-1]), shape[0])
    if loss.targets is not None:
        return rng.uniform(*loss.targets, shape)
    return rng.normal(size=shape)


def _loss_outputs():
    from impl import losses

    return [
        (loss, act)
        for loss in losses.names()
        for act in activations.names()
        if losses.is_compatible(losses.get(loss), activations.get(act)) and activations.get(act).reviewed
    ]


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("loss_name, output", _loss_outputs())
def test_every_loss_with_every_output_it_accepts(loss_name, output, reduction):
    # loops over impl.losses.names(): a new loss is gradient-checked without editing this file
    from impl import losses

    sizes = (3, 4, 3)
    net = _net(sizes, activation="tanh", output_activation=output, loss=loss_name, reduction=reduction)
    rng = np.random.default_rng(8)
    X = rng.normal(size=(7, 3))
    Y = _loss_targets(losses.get(loss_name), (7, 3), rng)
    methods = ("central", "complex") if activations.get(output).smooth else ("central",)
    for method in methods:
        report = gradcheck.check(net, X, Y, method=method)
        assert report.ok, str(report)
