"""impl: softmax (a vector activation) and cross-entropy, against mpmath, finite differences and peers.

The references here are independent of impl: mpmath at 50 digits from the
textbook definitions, complex-step derivatives of impl's own loss (which
share no code with its backward pass), PyTorch's autograd and one step of
scikit-learn's MLPClassifier, both with identical weights.
"""

import os
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import impl
from impl import activations, gradcheck, losses

softmax = activations.get("softmax")
EPS = np.finfo(np.float64).eps
mpmath.mp.dps = 50

# --- strategies ------------------------------------------------------------------------


def _logit_rows(max_classes=10):
    """(samples, n) logits, n in 2..10: moderate values, and rows with entries out to +-1e4."""
    return st.integers(2, max_classes).flatmap(
        lambda n: st.lists(
            st.lists(
                st.one_of(
                    st.floats(-30, 30, allow_nan=False),
                    st.sampled_from([1e4, -1e4, 0.0, 745.0, -745.0]),
                    st.floats(-1e4, 1e4, allow_nan=False),
                ),
                min_size=n,
                max_size=n,
            ),
            min_size=1,
            max_size=4,
        ).map(np.array)
    )


def _targets(rng, shape, kind):
    """One-hot rows, soft rows summing to 1, or soft rows that do not."""
    if kind == "one-hot":
        return np.eye(shape[1])[rng.integers(0, shape[1], shape[0])]
    soft = rng.dirichlet(np.ones(shape[1]), shape[0])
    return soft if kind == "soft" else soft * rng.uniform(0.2, 1.0, (shape[0], 1))


def _mp_softmax(row):
    e = [mpmath.exp(mpmath.mpf(float(v))) for v in row]
    s = sum(e)
    return [v / s for v in e]


def _mp_cross_entropy(row, y):
    # -sum_i y_i log softmax(z)_i = -sum_i y_i (z_i - log sum_j e^{z_j})
    lse = mpmath.log(sum(mpmath.exp(mpmath.mpf(float(v))) for v in row))
    return -sum(mpmath.mpf(float(t)) * (mpmath.mpf(float(v)) - lse) for v, t in zip(row, y))


# --- softmax -------------------------------------------------------------------------------


def test_softmax_is_registered_as_a_vector_activation():
    assert "softmax" in activations.names(elementwise=False)
    assert "softmax" not in activations.names(elementwise=True)
    assert not softmax.elementwise and softmax.df is None and softmax.df_from_output is None
    assert softmax.output_set == "simplex" and softmax.range == (0.0, 1.0) and softmax.smooth


@given(_logit_rows())
def test_softmax_matches_mpmath_and_is_finite_without_warnings(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = softmax.f(z)
        out = np.empty_like(z)
        softmax.f_into(z, out)
    assert np.isfinite(a).all()
    np.testing.assert_array_equal(out, a)
    for row, got in zip(z, a):
        exact = np.array([float(v) for v in _mp_softmax(row)])
        # every entry within 1e-12 relative, down to float64's normal range (below it
        # an entry underflows towards 0, as it must)
        normal = exact > np.finfo(np.float64).tiny
        assert np.all(np.abs(got[normal] - exact[normal]) <= 1e-12 * exact[normal]), (row, got, exact)
        assert np.all(got[~normal] <= np.finfo(np.float64).tiny)
        assert abs(got.sum() - 1) <= 8 * EPS


@given(_logit_rows(), st.integers(0, 2**32 - 1))
def test_backward_is_the_jacobian_transpose_times_the_gradient(z, seed):
    rng = np.random.default_rng(seed)
    grad = rng.normal(size=z.shape)
    a = softmax.f(z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = softmax.vjp(z, a, grad)
    # (J^T g)_j = sum_i J_ij g_i
    expected = np.einsum("sij,si->sj", softmax.jacobian(z), grad)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=16 * EPS * np.abs(grad).max())


def test_jacobian_equals_the_complex_step_derivative_of_f():
    rng = np.random.default_rng(3)
    for n in range(2, 11):
        z = rng.normal(scale=3, size=n)
        h = 1e-20
        # column j: Im f(z + i h e_j) / h
        columns = [softmax.f(z + 1j * h * np.eye(n)[j]).imag / h for j in range(n)]
        # J_ii = a_i (1 - a_i) carries the rounding of 1 - a_i: absolute error ~ eps
        np.testing.assert_allclose(softmax.jacobian(z), np.array(columns).T, rtol=1e-13, atol=4 * EPS)


def test_softmax_acts_along_the_last_axis_of_any_batch():
    z = np.random.default_rng(0).normal(size=(3, 4, 5))
    np.testing.assert_allclose(softmax.f(z).sum(axis=-1), 1, rtol=0, atol=4 * EPS)
    np.testing.assert_array_equal(softmax.f(z)[1, 2], softmax.f(z[1, 2]))


# --- cross-entropy ---------------------------------------------------------------------------


def test_cross_entropy_is_registered_with_its_declarations():
    ce = losses.get("ce")
    assert ce.requires == "simplex" and ce.default_output == "softmax" and ce.targets == (0.0, 1.0)
    assert losses.is_compatible(ce, softmax)
    for name in activations.names(elementwise=True):
        assert not losses.is_compatible(ce, activations.get(name)), name
    with pytest.raises(ValueError, match="output_activation: loss 'ce' needs .*probability vectors.*'sigmoid'"):
        impl.Network((2, 3), output_activation="sigmoid", loss="ce")


@given(_logit_rows(), st.integers(0, 2**32 - 1), st.sampled_from(["one-hot", "soft", "unnormalised"]))
def test_cross_entropy_value_matches_mpmath_even_at_saturation(z, seed, kind):
    y = _targets(np.random.default_rng(seed), z.shape, kind)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        terms = losses.ce.loss_terms(z, softmax.f(z), y, softmax)
    assert np.isfinite(terms).all()
    for row, target, got in zip(z, y, terms.sum(axis=1)):
        exact = float(_mp_cross_entropy(row, target))
        # within 1e-12 relative, or a few ulps of the largest term that was summed
        scale = float(np.max(np.abs(target * row))) + 1.0
        assert abs(got - exact) <= 1e-12 * abs(exact) + 8 * EPS * scale, (row, target, got, exact)


@given(_logit_rows(), st.integers(0, 2**32 - 1), st.sampled_from(["one-hot", "soft", "unnormalised"]))
def test_cross_entropy_delta_is_a_sum_y_minus_y_and_matches_the_complex_step(z, seed, kind):
    y = _targets(np.random.default_rng(seed), z.shape, kind)
    a = softmax.f(z)
    delta = losses.ce.delta_out(z, a, y, softmax)
    # d/dz_k of the loss, by the complex step on impl's loss terms (no backward code involved)
    h = 1e-20
    n = z.shape[1]
    numeric = np.empty_like(z)
    for k in range(n):
        zc = z + 1j * h * np.eye(n)[k]
        numeric[:, k] = losses.ce.loss_terms(zc, softmax.f(zc), y, softmax).sum(axis=1).imag / h
    # exact up to rounding: 1e-12 relative, or a few ulps of sum(y) where a_k rounds near 1
    tolerance = 1e-12 * np.abs(numeric) + 4 * EPS * y.sum(axis=1, keepdims=True)
    assert np.all(np.abs(delta - numeric) <= tolerance), (z, y, delta, numeric)
    if kind != "unnormalised":
        np.testing.assert_allclose(delta, a - y, rtol=0, atol=4 * EPS)


def test_sigmoid_bce_and_softmax_ce_stay_exact_where_the_output_rounds_to_1():
    # the anchor: PyTorch's sigmoid followed by binary_cross_entropy gives dL/dz = 0.093 at
    # z = 30 and 0 at z = 40 for y = 0 (it takes the log of a rounded output); the exact
    # value is sigma(z), 1 to 13 digits
    sigmoid, bce = activations.get("sigmoid"), losses.get("bce")
    for value in (30.0, 40.0, 700.0):
        z, y = np.array([[value]]), np.array([[0.0]])
        delta = bce.delta_out(z, sigmoid.f(z), y, sigmoid)
        exact = 1 / (1 + mpmath.exp(-value))
        assert abs(delta[0, 0] - float(exact)) <= EPS
        # the loss is softplus(z) = z + log(1 + e^{-z}), finite and exact
        assert bce.value(z, sigmoid.f(z), y, sigmoid) == pytest.approx(float(mpmath.log1p(mpmath.exp(value))), rel=1e-15)
    # softmax with cross-entropy: class 1 at logits (30, 0) and (1e4, -1e4)
    for row in ([30.0, 0.0], [1e4, -1e4]):
        z, y = np.array([row]), np.array([[0.0, 1.0]])
        loss = losses.ce.value(z, softmax.f(z), y, softmax)
        assert loss == pytest.approx(float(_mp_cross_entropy(row, [0, 1])), rel=1e-15)
        np.testing.assert_allclose(losses.ce.delta_out(z, softmax.f(z), y, softmax), [[1.0, -1.0]], rtol=1e-13)


# --- the network as a classifier ------------------------------------------------------------


def _classifier(sizes=(4, 6, 3), **kwargs):
    kwargs.setdefault("loss", "ce")
    return impl.Network(sizes, seed=0, **kwargs)


def test_loss_ce_defaults_to_a_softmax_output():
    net = _classifier()
    assert net.output_activation == "softmax" and net.loss == "ce"
    assert impl.Network((2, 2, 1)).output_activation == "sigmoid"
    with pytest.raises(ValueError, match="output_activation: 'softmax' over 1 output unit is the constant 1"):
        impl.Network((3, 1), loss="ce")


def test_integer_labels_train_exactly_as_their_one_hot_rows():
    rng = np.random.default_rng(0)
    X, labels = rng.normal(size=(20, 4)), rng.integers(0, 3, 20)
    by_labels, by_rows = _classifier(), _classifier()
    by_labels.fit(X, labels, epochs=5, lr=0.1, batch_size=7)
    by_rows.fit(X, np.eye(3)[labels], epochs=5, lr=0.1, batch_size=7)
    for p, q in zip(by_labels.weights + by_labels.biases, by_rows.weights + by_rows.biases):
        np.testing.assert_array_equal(p, q)
    assert by_labels.history == by_rows.history
    np.testing.assert_array_equal(by_labels.gradients(X, list(labels))[0][0], by_rows.gradients(X, np.eye(3)[labels])[0][0])


@pytest.mark.parametrize(
    "labels, message",
    [
        (np.array([0, 1, 3, 1]), r"Y: class labels must lie in 0\.\.2 \(one per output unit\), got 3 at index 2"),
        (np.array([0, -1, 2, 1]), r"got -1 at index 1"),
        (np.array([0.0, 1.0, 2.0, 1.0]), r"or integer class labels 0\.\.2 of shape \(samples,\), got float64 values"),
        (np.array([0, 1, 2]), r"Y: expected 4 labels to match X, got 3"),
    ],
)
def test_bad_labels_are_refused_and_change_nothing(labels, message):
    net = _classifier()
    before = [p.copy() for p in net.weights + net.biases]
    X = np.zeros((4, 4))
    with pytest.raises(ValueError, match=message):
        net.fit(X, labels, epochs=1)
    with pytest.raises(ValueError, match=message):
        net.step(X, labels, 0.1)
    for p, q in zip(before, net.weights + net.biases):
        np.testing.assert_array_equal(p, q)


def test_predict_predict_proba_and_score():
    rng = np.random.default_rng(1)
    X, labels = rng.normal(size=(30, 4)), rng.integers(0, 3, 30)
    net = _classifier().fit(X, labels, epochs=200, lr=0.05)
    proba = net.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=4 * EPS)
    np.testing.assert_array_equal(net.predict(X), proba.argmax(axis=1))
    accuracy = np.mean(proba.argmax(axis=1) == labels)
    assert net.score(X, labels) == accuracy == net.score(X, np.eye(3)[labels])
    assert accuracy > 0.8  # 30 points, 3 classes: it can fit them
    # one sigmoid output: two columns, P(0) and P(1), as scikit-learn gives
    binary = impl.Network((4, 3, 1), loss="bce", seed=0)
    p = binary.forward(X)[:, 0]
    np.testing.assert_array_equal(binary.predict_proba(X), np.column_stack([1 - p, p]))
    assert binary.score(X, labels % 2) == np.mean((p >= 0.5) == (labels % 2))
    with pytest.raises(ValueError, match="predict_proba: the output activation 'tanh' takes values in"):
        impl.Network((4, 2), output_activation="tanh").predict_proba(X)


# --- gradients: finite differences and the peers ---------------------------------------------


@given(
    classes=st.integers(2, 10),
    hidden=st.sampled_from(["sigmoid", "tanh", "softmax", "softplus"]),
    width=st.integers(1, 6),
    kind=st.sampled_from(["one-hot", "soft", "unnormalised"]),
    reduction=st.sampled_from(["sum", "mean"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_gradcheck_passes_softmax_networks_in_both_methods(classes, hidden, width, kind, reduction, seed):
    rng = np.random.default_rng(seed)
    net = impl.Network((3, width, classes), activation=hidden, loss="ce", reduction=reduction, seed=seed % 1000)
    X = rng.normal(size=(5, 3))
    Y = _targets(rng, (5, classes), kind)
    for method in gradcheck.METHODS:
        report = gradcheck.check(net, X, Y, method=method)
        assert report.ok, str(report)


def test_gradcheck_catches_the_elementwise_shortcut_on_a_softmax_output():
    # delta = (dL/da) * diag(J): what an elementwise backward would compute for a softmax
    net = _classifier(loss="mse")
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(6, 4)), rng.uniform(size=(6, 3))

    def diagonal_only(z, a, grad):
        return grad * a * (1 - a)

    import dataclasses

    wrong = dataclasses.replace(softmax, backward=diagonal_only)
    net._output = wrong
    report = gradcheck.check(net, X, Y)
    assert not report.ok and report.parameter("W[2]").max_rel_error > 1e-3


def _torch_or_skip():
    try:
        import torch
    except ImportError:
        reason = "PyTorch is not installed (make install-bench)"
        if os.environ.get("REQUIRE_TORCH") == "1":
            pytest.fail(reason + " (REQUIRE_TORCH=1)")
        pytest.skip(reason + " (set REQUIRE_TORCH=1 to make this a failure)")
    return torch


TORCH_HIDDEN = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "softplus": "softplus"}


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("hidden", sorted(TORCH_HIDDEN))
@pytest.mark.parametrize("targets", ["labels", "soft"])
def test_gradients_agree_with_pytorch_cross_entropy(reduction, hidden, targets):
    torch = _torch_or_skip()
    import torch.nn.functional as F

    rng = np.random.default_rng(7)
    net = impl.Network((5, 8, 7, 4), activation=hidden, loss="ce", reduction=reduction, seed=3)
    X = rng.normal(size=(11, 5))
    labels = rng.integers(0, 4, 11)
    Y = np.eye(4)[labels] if targets == "labels" else rng.dirichlet(np.ones(4), 11)
    dW, db = net.gradients(X, labels if targets == "labels" else Y)

    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in net.weights + net.biases]
    Ws, bs = params[: len(net.weights)], params[len(net.weights) :]
    a = torch.tensor(X)
    for l, (W, b) in enumerate(zip(Ws, bs)):
        z = a @ W.T + b
        a = z if l == len(Ws) - 1 else getattr(torch, TORCH_HIDDEN[hidden])(z) if hidden != "softplus" else F.softplus(z, threshold=1e9)
    logits = a
    target = torch.tensor(labels) if targets == "labels" else torch.tensor(Y)
    losses_torch = [F.cross_entropy(logits, target, reduction=reduction)]
    if targets == "labels":
        losses_torch.append(F.nll_loss(F.log_softmax(logits, dim=1), target, reduction=reduction))
        losses_torch.append(torch.nn.CrossEntropyLoss(reduction=reduction)(logits, target))
    assert losses_torch[0].item() == pytest.approx(net.loss_value(X, Y), rel=1e-13)
    for loss in losses_torch:
        grads = torch.autograd.grad(loss, params, retain_graph=True)
        for ours, theirs in zip(dW + db, grads):
            theirs = theirs.numpy()
            assert np.max(np.abs(ours - theirs)) <= 1e-12 * np.max(np.abs(theirs)), (ours, theirs)


def test_pytorch_sigmoid_then_bce_loses_the_gradient_where_impl_keeps_it():
    # the anchor of the docs: torch.sigmoid followed by F.binary_cross_entropy takes the log of
    # the rounded output, so dL/dz is 0.093 at z = 30 and 0 at z = 40 for y = 0; exact: sigma(z) ~ 1
    torch = _torch_or_skip()
    import torch.nn.functional as F

    sigmoid, bce = activations.get("sigmoid"), losses.get("bce")
    for value, torch_expected in ((30.0, 0.093), (40.0, 0.0)):
        z = torch.tensor([value], dtype=torch.float64, requires_grad=True)
        F.binary_cross_entropy(torch.sigmoid(z), torch.tensor([0.0], dtype=torch.float64)).backward()
        assert z.grad.item() == pytest.approx(torch_expected, abs=5e-4)
        zn, y = np.array([[value]]), np.array([[0.0]])
        ours = bce.delta_out(zn, sigmoid.f(zn), y, sigmoid)[0, 0]
        assert ours == pytest.approx(float(1 / (1 + mpmath.exp(-value))), rel=1e-15)


def test_one_sgd_step_agrees_with_scikit_learn_mlpclassifier():
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(4)
    X, labels = rng.normal(size=(40, 6)), rng.integers(0, 5, 40)
    for hidden, sk_name in (("sigmoid", "logistic"), ("tanh", "tanh"), ("relu", "relu")):
        net = impl.Network((6, 9, 5), activation=hidden, loss="ce", reduction="mean", seed=5)
        clf = MLPClassifier(
            hidden_layer_sizes=(9,), activation=sk_name, solver="sgd", alpha=0.0, momentum=0.0,
            learning_rate="constant", learning_rate_init=0.3, batch_size=40, shuffle=False, max_iter=1,
        )
        # one partial_fit sets up the classes and shapes; then the same weights as ours
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(X, labels, classes=np.arange(5))
        clf.coefs_ = [W.T.copy() for W in net.weights]
        clf.intercepts_ = [b.copy() for b in net.biases]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(X, labels)
        net.step(X, labels, 0.3)
        for ours, theirs in zip(net.weights + net.biases, [W.T for W in clf.coefs_] + list(clf.intercepts_)):
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12 * np.max(np.abs(theirs)))
