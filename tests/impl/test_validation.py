"""Every bad input is rejected up front, with the argument named, and changes nothing."""

import copy
import re

import numpy as np
import pytest

import impl

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0.0, 1.0, 1.0, 0.0])
NAN_X = X.copy()
NAN_X[2, 1] = np.nan
INF_Y = Y.copy()
INF_Y[0] = np.inf


# a long double beyond float64's range where long double is wider (x86); plain inf elsewhere
_HUGE_LONGDOUBLE = np.longdouble("1e4000") if np.finfo(np.longdouble).max > 1e308 else np.longdouble(np.inf)


def _gradcheck(net, **kwargs):
    import impl.gradcheck

    return impl.gradcheck.check(net, **{"X": X, "Y": Y, **kwargs})


def _trained(**kwargs):
    net = impl.Network([2, 3, 1], seed=0, **kwargs)
    net.fit(X, Y, epochs=3)
    return net


def _snapshot(net):
    return [p.copy() for p in net.weights + net.biases], list(net.history)


# (call on a trained net, exception type, argument named in the message)
BAD_CALLS = {
    "X nan": (lambda n: n.fit(NAN_X, Y), ValueError, "X"),
    "X inf": (lambda n: n.forward(np.full((2, 2), -np.inf)), ValueError, "X"),
    "X strings": (lambda n: n.fit([["a", "b"]] * 4, Y), TypeError, "X"),
    "X objects": (lambda n: n.forward(np.array([[None, 1]], dtype=object)), TypeError, "X"),
    "X complex": (lambda n: n.forward(X + 1j), TypeError, "X"),
    "X ragged": (lambda n: n.forward([[1.0, 2.0], [3.0]]), ValueError, "X"),
    "X 1-D": (lambda n: n.forward(np.array([1.0, 2.0])), ValueError, "X"),
    "X 3-D": (lambda n: n.gradients(X[None], Y), ValueError, "X"),
    "X features": (lambda n: n.step(np.ones((4, 3)), Y, 0.1), ValueError, "X"),
    "X empty": (lambda n: n.fit(np.empty((0, 2)), np.empty(0)), ValueError, "X"),
    "X predict": (lambda n: n.predict(np.ones((4, 5))), ValueError, "X"),
    "Y inf": (lambda n: n.fit(X, INF_Y), ValueError, "Y"),
    "Y strings": (lambda n: n.gradients(X, np.array(["0", "1", "1", "0"])), TypeError, "Y"),
    "Y outputs": (lambda n: n.fit(X, np.zeros((4, 2))), ValueError, "Y"),
    "Y 3-D": (lambda n: n.fit(X, np.zeros((4, 1, 1))), ValueError, "Y"),
    "Y samples": (lambda n: n.fit(X, Y[:3]), ValueError, "Y"),
    "Y samples 2-D": (lambda n: n.step(X, np.zeros((5, 1)), 0.1), ValueError, "Y"),
    "lr zero": (lambda n: n.fit(X, Y, lr=0), ValueError, "lr"),
    "lr negative": (lambda n: n.step(X, Y, -0.1), ValueError, "lr"),
    "lr nan": (lambda n: n.fit(X, Y, lr=float("nan")), ValueError, "lr"),
    "lr inf": (lambda n: n.step(X, Y, np.inf), ValueError, "lr"),
    "lr string": (lambda n: n.fit(X, Y, lr="0.5"), TypeError, "lr"),
    "lr None": (lambda n: n.step(X, Y, None), TypeError, "lr"),
    "lr bool": (lambda n: n.fit(X, Y, lr=True), TypeError, "lr"),
    "epochs zero": (lambda n: n.fit(X, Y, epochs=0), ValueError, "epochs"),
    "epochs negative": (lambda n: n.fit(X, Y, epochs=-5), ValueError, "epochs"),
    "epochs float": (lambda n: n.fit(X, Y, epochs=10.0), TypeError, "epochs"),
    "epochs bool": (lambda n: n.fit(X, Y, epochs=True), TypeError, "epochs"),
    "epochs string": (lambda n: n.fit(X, Y, epochs="10"), TypeError, "epochs"),
    "batch_size zero": (lambda n: n.fit(X, Y, batch_size=0), ValueError, "batch_size"),
    "batch_size float": (lambda n: n.fit(X, Y, batch_size=2.0), TypeError, "batch_size"),
    "batch_size bool": (lambda n: n.fit(X, Y, batch_size=True), TypeError, "batch_size"),
    "shuffle": (lambda n: n.fit(X, Y, shuffle="yes"), TypeError, "shuffle"),
    "callback": (lambda n: n.fit(X, Y, callback=3), TypeError, "callback"),
    # the audit: values that used to escape as OverflowError, a warning, or a vague message
    "lr a 400-digit int": (lambda n: n.fit(X, Y, lr=10**400), ValueError, "lr"),
    "lr a negative 400-digit int": (lambda n: n.step(X, Y, -(10**400)), ValueError, "lr"),
    "lr complex": (lambda n: n.step(X, Y, 0.1 + 0j), TypeError, "lr"),
    "X longdouble beyond float64": (lambda n: n.forward(np.full((2, 2), _HUGE_LONGDOUBLE)), ValueError, "X"),
    "Y longdouble beyond float64": (lambda n: n.fit(X, np.full(4, _HUGE_LONGDOUBLE)), ValueError, "Y"),
    "X None": (lambda n: n.forward(None), TypeError, "X"),
    "Y objects": (lambda n: n.fit(X, np.array([0, 1, None, 0], dtype=object)), TypeError, "Y"),
    "X no samples forward": (lambda n: n.forward(np.empty((0, 2))), ValueError, "X"),
    "X no samples gradients": (lambda n: n.gradients(np.empty((0, 2)), np.empty(0)), ValueError, "X"),
    "X no samples step": (lambda n: n.step(np.empty((0, 2)), np.empty(0), 0.1), ValueError, "X"),
    "X no features": (lambda n: n.forward(np.empty((4, 0))), ValueError, "X"),
    "gradcheck rtol a 400-digit int": (lambda n: _gradcheck(n, rtol=10**400), ValueError, "rtol"),
    "gradcheck atol a 400-digit int": (lambda n: _gradcheck(n, atol=10**400), ValueError, "atol"),
    "gradcheck X objects": (lambda n: _gradcheck(n, X=np.array([[None, 1]] * 4, dtype=object)), TypeError, "X"),
    "gradcheck no samples": (lambda n: _gradcheck(n, X=np.empty((0, 2)), Y=np.empty(0)), ValueError, "X"),
    "gradcheck Y outside [0, 1] for bce": (
        lambda n: _gradcheck(impl.Network([2, 3, 1], loss="bce", seed=0), Y=Y * 2), ValueError, "Y"),
}


@pytest.mark.parametrize("case", BAD_CALLS)
def test_bad_call_raises_naming_the_argument_and_changes_nothing(case):
    call, error, arg = BAD_CALLS[case]
    net = _trained()
    before_params, before_history = _snapshot(net)
    with pytest.raises(error, match=rf"^{re.escape(arg)}: "):
        call(net)
    after_params, after_history = _snapshot(net)
    assert after_history == before_history
    for p, q in zip(before_params, after_params):
        np.testing.assert_array_equal(p, q)


def test_bce_targets_outside_unit_interval_are_rejected():
    net = _trained(loss="bce")
    before_params, before_history = _snapshot(net)
    for bad in (Y * 2, Y - 0.5):
        with pytest.raises(ValueError, match=r"^Y: .*bce.*\[0, 1\]"):
            net.fit(X, bad)
    for p, q in zip(before_params, _snapshot(net)[0]):
        np.testing.assert_array_equal(p, q)
    assert net.history == before_history
    # mse accepts any finite target
    impl.Network([2, 1], seed=0).fit(X, Y * 5 - 2, epochs=1, lr=0.01)


def test_message_names_expected_and_given_shape():
    net = impl.Network([2, 2, 1], seed=0)
    with pytest.raises(ValueError) as info:
        net.forward(np.ones((4, 3)))
    assert str(info.value) == "X: expected a 2-D array of shape (samples, 2), got shape (4, 3)"
    with pytest.raises(ValueError, match=r"^Y: expected 4 samples to match X, got 3"):
        net.fit(X, Y[:3])


def _same(a, b):
    for p, q in zip(a.weights + a.biases, b.weights + b.biases):
        np.testing.assert_array_equal(p, q)
    assert a.history == b.history


def test_accepted_inputs():
    """Ints, bools, lists and NumPy scalars train exactly as the same values given as float arrays and Python numbers."""
    net = impl.Network([2, 2, 1], seed=0)
    reference = copy.deepcopy(net)
    net.fit(X.astype(int), Y.astype(bool), epochs=1)
    reference.fit(X, Y, epochs=1)
    _same(net, reference)
    assert len(net.history) == 1

    net.fit(X.tolist(), Y.tolist(), epochs=np.int64(2), lr=np.float32(0.5), batch_size=np.int32(2))
    reference.fit(X, Y, epochs=2, lr=0.5, batch_size=2)
    _same(net, reference)
    assert len(net.history) == 2

    # a column of targets and an int learning rate: the loss before the step, and the step -1 * gradient
    loss, (dW, db) = net.loss_value(X, Y), net.gradients(X, Y)
    before = [p.copy() for p in net.weights + net.biases]
    assert net.step(X, Y.reshape(-1, 1), 1) == pytest.approx(loss, rel=1e-14)
    for p, start, g in zip(net.weights + net.biases, before, dW + db):
        np.testing.assert_allclose(p, start - g, rtol=1e-12, atol=1e-15)


BAD_CONSTRUCTORS = {
    "sizes one layer": (dict(sizes=[2]), ValueError, "sizes"),
    "sizes empty": (dict(sizes=[]), ValueError, "sizes"),
    "sizes zero width": (dict(sizes=[2, 0, 1]), ValueError, "sizes"),
    "sizes negative width": (dict(sizes=[2, -3, 1]), ValueError, "sizes"),
    "sizes float width": (dict(sizes=[2, 2.5, 1]), TypeError, "sizes"),
    "sizes integral float": (dict(sizes=[2.0, 2, 1]), TypeError, "sizes"),
    "sizes bool width": (dict(sizes=[2, True, 1]), TypeError, "sizes"),
    "sizes string": (dict(sizes="2,2,1"), TypeError, "sizes"),
    "sizes int": (dict(sizes=3), TypeError, "sizes"),
    "sizes 2-D array": (dict(sizes=np.ones((2, 2), dtype=int)), ValueError, "sizes"),
    "activation unknown": (dict(activation="nope"), ValueError, "activation"),
    "activation type": (dict(activation=3), TypeError, "activation"),
    "output_activation unknown": (dict(output_activation="nope"), ValueError, "output_activation"),
    "loss unknown": (dict(loss="hinge"), ValueError, "loss"),
    "loss type": (dict(loss=None), TypeError, "loss"),
    "reduction unknown": (dict(reduction="avg"), ValueError, "reduction"),
    "init unknown": (dict(init="he"), ValueError, "init"),
    "seed negative": (dict(seed=-1), ValueError, "seed"),
    "seed float": (dict(seed=1.5), TypeError, "seed"),
    "bce after tanh": (dict(loss="bce", output_activation="tanh"), ValueError, "output_activation"),
    "bce after identity": (dict(loss="bce", output_activation="identity"), ValueError, "output_activation"),
}


@pytest.mark.parametrize("case", BAD_CONSTRUCTORS)
def test_bad_constructor_arguments(case):
    kwargs, error, arg = BAD_CONSTRUCTORS[case]
    kwargs = {"sizes": [2, 2, 1], **kwargs}
    with pytest.raises(error, match=rf"^{re.escape(arg)}: "):
        impl.Network(**kwargs)


def test_unknown_activation_lists_known_names():
    with pytest.raises(ValueError) as info:
        impl.Network([2, 1], activation="nope")
    assert all(name in str(info.value) for name in impl.activations.names())


def test_sizes_accept_numpy_ints_and_arrays():
    assert impl.Network(np.array([2, 3, 1])).sizes == (2, 3, 1)
    assert impl.Network((np.int64(2), np.int32(1))).sizes == (2, 1)


# --- the structure of weights and biases, checked at every public entry point ---

_TWO = "2 arrays (one per layer, sizes (2, 3, 1))"
SPOILED = {
    "weights truncated": (
        lambda n: setattr(n, "weights", n.weights[:1]), ValueError, f"weights: expected {_TWO}, got 1"),
    "biases extra": (lambda n: n.biases.append(np.zeros(1)), ValueError, f"biases: expected {_TWO}, got 3"),
    "weights None": (lambda n: setattr(n, "weights", None), TypeError, f"weights: expected a list of {_TWO}, got NoneType"),
    "biases tuple": (
        lambda n: setattr(n, "biases", tuple(n.biases)), TypeError, f"biases: expected a list of {_TWO}, got tuple"),
    "weights[0] transposed": (
        lambda n: n.weights.__setitem__(0, n.weights[0].T.copy()), ValueError,
        "weights[0]: expected shape (3, 2) for W[1] (layer 1: 2 -> 3 units), got (2, 3)"),
    "biases[1] column": (
        lambda n: n.biases.__setitem__(1, np.zeros((1, 1))), ValueError,
        "biases[1]: expected shape (1,) for b[2] (layer 2: 3 -> 1 units), got (1, 1)"),
    "biases[0] scalar": (
        lambda n: n.biases.__setitem__(0, np.float64(0.5)), TypeError,
        "biases[0]: expected a float ndarray of shape (3,) for b[1], got float64"),
    "weights[1] ints": (
        lambda n: n.weights.__setitem__(1, np.zeros((1, 3), dtype=np.int64)), TypeError,
        "weights[1]: expected a float ndarray of shape (1, 3) for W[2], got dtype int64"),
    "weights[0] objects": (
        lambda n: n.weights.__setitem__(0, np.empty((3, 2), dtype=object)), TypeError,
        "weights[0]: expected a float ndarray of shape (3, 2) for W[1], got dtype object"),
    "weights[1] complex": (
        lambda n: n.weights.__setitem__(1, np.zeros((1, 3), dtype=complex)), TypeError,
        "weights[1]: expected a float ndarray of shape (1, 3) for W[2], got dtype complex128"),
    "weights[0] nested list": (
        lambda n: n.weights.__setitem__(0, n.weights[0].tolist()), TypeError,
        "weights[0]: expected a float ndarray of shape (3, 2) for W[1], got list"),
}

ENTRY_POINTS = {
    "forward": lambda n: n.forward(X),
    "predict": lambda n: n.predict(X),
    "loss_value": lambda n: n.loss_value(X, Y),
    "gradients": lambda n: n.gradients(X, Y),
    "step": lambda n: n.step(X, Y, 0.1),
    "fit": lambda n: n.fit(X, Y, epochs=2),
    "gradcheck": lambda n: impl.gradcheck.check(n, X, Y),
}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("case", SPOILED)
def test_parameters_of_the_wrong_structure_are_named_at_every_entry_point(case, entry):
    import impl.gradcheck  # noqa: F401

    spoil, error, message = SPOILED[case]
    net = _trained()
    spoil(net)
    weights, biases = net.weights, net.biases
    before = [np.array(p, dtype=object, copy=True) for p in (weights or []) + list(biases or [])]
    with pytest.raises(error) as info:
        ENTRY_POINTS[entry](net)
    assert str(info.value) == ("net." if entry == "gradcheck" else "") + message
    # nothing changed, not even the lists
    assert net.weights is weights and net.biases is biases
    after = [np.array(p, dtype=object, copy=True) for p in (weights or []) + list(biases or [])]
    for p, q in zip(before, after):
        np.testing.assert_array_equal(p, q)


# --- sizes and buffers that would not fit in memory -------------------------------

GiB = 2**30


@pytest.fixture
def memory_24gib(monkeypatch):
    from impl import _validate

    monkeypatch.setattr(_validate, "memory_bytes", lambda: 24 * GiB)


def _peak_bytes(call):
    """Peak of traced Python and NumPy allocations while ``call()`` runs (and raises)."""
    import tracemalloc

    tracemalloc.start()
    try:
        call()
    except Exception as error:
        raised = error
    else:
        raised = None
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, raised


_HALF = "a network may take at most 50% of this machine's 24 GiB of memory (12 GiB), since its gradients and training need as much again"


@pytest.mark.parametrize(
    "sizes, message",
    [
        ((10**6, 10**6), f"sizes: (1000000, 1000000) has 1,000,001,000,000 parameters (7.28 TiB as float64); {_HALF}"),
        ((2, 10**9, 1), f"sizes: (2, 1000000000, 1) has 4,000,000,001 parameters (29.8 GiB as float64); {_HALF}"),
        ((1, 100000, 100000, 1),
         f"sizes: (1, 100000, 100000, 1) has 10,000,400,001 parameters (74.5 GiB as float64); {_HALF}"),
        ((2, 10**5000, 1),
         f"sizes: (2, <an int of about 5,001 digits>, 1) has about 1e5000 parameters (about 1e5001 B as float64); {_HALF}"),
    ],
)
def test_sizes_whose_parameters_exceed_memory_are_refused_before_anything_is_allocated(memory_24gib, sizes, message):
    import time

    start = time.perf_counter()
    peak, error = _peak_bytes(lambda: impl.Network(sizes))
    assert type(error) is ValueError and str(error) == message
    assert peak < 2**20 and time.perf_counter() - start < 1.0


def test_the_memory_rule_uses_this_machines_memory():
    from impl import _validate

    assert _validate.memory_bytes() > 0
    with pytest.raises(ValueError, match=r"^sizes: \(1000000, 1000000\) has .* of this machine's .* of memory"):
        impl.Network((10**6, 10**6))


def test_memory_falls_back_to_a_fixed_cap_when_it_cannot_be_read(monkeypatch):
    from impl import _validate

    def unavailable(name):
        raise ValueError(name)

    monkeypatch.setattr(_validate.os, "sysconf", unavailable)
    assert 0 < _validate.memory_bytes.__wrapped__() <= _validate.FALLBACK_MEMORY


def test_layer_count_is_bounded_and_checked_before_the_widths():
    assert len(impl.Network([1] * 1001).weights) == 1000
    message = "sizes: expected at most 1001 layer widths (1000 layers of weights), got 1,002"
    with pytest.raises(ValueError) as info:
        impl.Network([1] * 1002)
    assert str(info.value) == message
    many = np.ones(10**7, dtype=np.int8)
    peak, error = _peak_bytes(lambda: impl.Network(many))
    assert str(error) == "sizes: expected at most 1001 layer widths (1000 layers of weights), got 10,000,000"
    assert peak < 2**20


def test_a_negative_width_too_long_to_print_is_described():
    with pytest.raises(ValueError) as info:
        impl.Network((2, -(10**5000), 1))
    assert str(info.value) == "sizes: expected positive layer widths, got -<an int of about 5,001 digits> at position 1"


_WIDE = "widths (2, 100000, 1)"


@pytest.mark.parametrize(
    "call, start, end",
    [
        (lambda n, X, Y: n.fit(X, Y, epochs=1), "batch_size: fit needs about 2.91 TiB of new arrays (",
         "this machine has 24 GiB of memory: use a smaller batch_size"),
        (lambda n, X, Y: n.fit(X, Y, epochs=1, batch_size=200_000), "batch_size: fit needs about 596 GiB",
         # the samples are copied once, as [X | 1]: 10**6 x 3 float64 = 24,000,000 B = 22.9 MiB (batches
         # are gathered into a buffer of one batch, counted with the batch's buffers)
         f"buffers for batches of 200,000 samples, {_WIDE}: 596 GiB; copies of the 1,000,000 samples: 22.9 MiB); "
         "this machine has 24 GiB of memory: use a smaller batch_size"),
        (lambda n, X, Y: n.step(X, Y, 0.1), "X: step needs about 2.91 TiB", "pass fewer samples at a time"),
        (lambda n, X, Y: n.forward(X), "X: forward needs about 1.46 TiB of new arrays "
         f"(2 arrays of 1,000,000 samples per layer, {_WIDE}: 1.46 TiB)", "pass fewer samples at a time"),
        (lambda n, X, Y: n.predict(X), "X: forward needs about 1.46 TiB", "pass fewer samples at a time"),
        (lambda n, X, Y: n.loss_value(X, Y), "X: loss_value needs about 1.46 TiB", "pass fewer samples at a time"),
        (lambda n, X, Y: n.gradients(X, Y), "X: gradients needs about 2.91 TiB", "pass fewer samples at a time"),
    ],
)
def test_batches_too_large_for_memory_are_refused_before_allocating(memory_24gib, call, start, end):
    net = impl.Network((2, 100_000, 1), seed=0)
    X, Y = np.zeros((10**6, 2)), np.zeros(10**6)
    before = _snapshot(net)
    peak, error = _peak_bytes(lambda: call(net, X, Y))
    assert type(error) is ValueError
    assert str(error).startswith(start) and str(error).endswith(end)
    # the 8 MB of X checked for finiteness is the largest temporary
    assert peak < 50 * 2**20
    for p, q in zip(before[0], _snapshot(net)[0]):
        np.testing.assert_array_equal(p, q)
    assert net.history == before[1] and "_sgd_trainer" not in net.__dict__


def test_when_the_trainers_copies_do_not_fit_sizes_is_named(monkeypatch):
    from impl import _validate

    monkeypatch.setattr(_validate, "memory_bytes", lambda: 20 * 2**20)
    net = impl.Network((1000, 1000), seed=0)  # 8 MB of parameters: within half of 20 MiB
    with pytest.raises(ValueError) as info:
        net.fit(np.zeros((4, 1000)), np.zeros((4, 1000)), epochs=1)
    assert str(info.value).startswith(
        "sizes: fit needs about 23.1 MiB of new arrays (training copies of the 1,001,000 parameters: 22.9 MiB; "
    )
    assert str(info.value).endswith("this machine has 20 MiB of memory: use smaller layers")


def test_running_out_of_memory_anyway_gives_a_clear_memory_error(monkeypatch):
    # the last line of defence: the estimate passed, the allocation failed all the same
    from impl import _sgd
    from impl.network import Network

    def no_memory(*args):
        raise MemoryError

    with monkeypatch.context() as patch:
        patch.setattr(Network, "_initialise", no_memory)
        with pytest.raises(MemoryError) as info:
            impl.Network((2, 3, 1))
    assert str(info.value) == (
        "sizes: (2, 3, 1): out of memory drawing the 13 initial parameters (104 B as float64); "
        "free some memory or use smaller layers"
    )

    net = _trained()
    before = _snapshot(net)
    with monkeypatch.context() as patch:
        patch.setattr(_sgd, "augment", no_memory)
        for call, arg in ((lambda: net.fit(X, Y, batch_size=2), "batch_size: fit"), (lambda: net.step(X, Y, 0.1), "X: step")):
            with pytest.raises(MemoryError) as info:
                call()
            assert str(info.value).startswith(f"{arg} ran out of memory training on batches of ")
            assert "through widths (2, 3, 1) (13 parameters)" in str(info.value)
    for p, q in zip(before[0], _snapshot(net)[0]):
        np.testing.assert_array_equal(p, q)

    # in the middle of training: the parameters of the last completed step stay
    trainer = net._trainer()
    calls = []

    def step(*args):
        calls.append(1)
        if len(calls) == 3:
            raise MemoryError
        return type(trainer).step(trainer, *args)

    manual = copy.deepcopy(net)
    for _ in range(2):
        manual.step(X, Y, 0.5)
    trainer.step = step
    with pytest.raises(MemoryError, match=r"^batch_size: fit ran out of memory training on batches of 4 samples"):
        net.fit(X, Y, epochs=5, lr=0.5)
    for p, q in zip(net.weights + net.biases, manual.weights + manual.biases):
        np.testing.assert_array_equal(p, q)


def test_audit_messages_say_what_was_given():
    net = _trained()
    with pytest.raises(ValueError) as info:
        net.fit(X, Y, lr=10**400)
    assert str(info.value) == "lr: expected a finite number > 0, got <an int of about 401 digits>, beyond float64's range"
    with pytest.raises(TypeError) as info:
        net.forward(None)
    assert str(info.value) == "X: expected a numeric array (bool, int or float), got dtype object (from NoneType)"
    if np.finfo(np.longdouble).max > 1e308:
        with pytest.raises(ValueError) as info:
            net.forward(np.full((2, 2), _HUGE_LONGDOUBLE))
        assert str(info.value) == "X: expected finite values, got inf (beyond float64's range) at index (0, 0)"


def test_a_learning_rate_of_1e308_diverges_cleanly():
    net = impl.Network([2, 3, 1], activation="identity", output_activation="identity", seed=0)
    with pytest.raises(impl.Diverged) as info:
        net.fit(X, Y, lr=1e308, epochs=3)
    assert info.value.lr == 1e308
    assert all(np.isfinite(p).all() for p in net.weights + net.biases)
