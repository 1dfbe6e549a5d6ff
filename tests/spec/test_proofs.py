"""The symbolic proofs, run as tests, and a check that the prover can fail."""

import pytest
import sympy as sp

from spec import losses, network
from spec.activations import a
from spec.network import prove_backprop


@pytest.mark.parametrize(
    "sizes, activation, output, loss, reduction",
    [
        ((2, 2, 1), "sigmoid", "sigmoid", "mse", "sum"),  # the tutorial's network
        ((3, 4, 2), "tanh", "sigmoid", "mse", "sum"),
        ((2, 3, 3, 1), "sigmoid", "sigmoid", "bce", "sum"),
        ((2, 3, 2), "identity", "identity", "mse", "mean"),
        ((1, 1), "sigmoid", "sigmoid", "bce", "mean"),
    ],
)
def test_backprop_proven_for_every_parameter(sizes, activation, output, loss, reduction):
    result = prove_backprop(sizes, activation, output, loss, reduction, samples=2)
    n_params = sum(sizes[l] * sizes[l - 1] + sizes[l] for l in range(1, len(sizes)))
    assert len(result.parameters) == n_params
    assert result.ok, [str(p) for p in result.parameters + result.instantiation if not p.ok]


def test_sigmoid_bce_cancellation():
    proof = losses.prove_sigmoid_bce_cancellation()
    assert proof.ok
    assert sp.expand(losses.bce.output_delta("sigmoid").in_a - (a - losses.y)) == 0


def test_mse_output_delta_is_dz_not_da():
    # delta(2) = dL/dz(2) = (a - y) a (1 - a); dL/da(2) alone is only a - y.
    delta = losses.mse.output_delta("sigmoid")
    assert sp.expand(delta.in_a - (a - losses.y) * a * (1 - a)) == 0
    assert sp.expand(losses.mse.d_da - (a - losses.y)) == 0


def test_bce_refuses_an_output_activation_outside_unit_interval():
    with pytest.raises(ValueError, match="output_activation: the bce loss needs outputs in \\(0, 1\\)"):
        prove_backprop((2, 2, 1), "sigmoid", "tanh", "bce")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"sizes": (2,)}, "sizes"),
        ({"sizes": (2, 0, 1)}, "sizes"),
        ({"activation": "nope"}, "activation"),
        ({"loss": "hinge"}, "loss"),
        ({"reduction": "max"}, "reduction"),
        ({"samples": 0}, "samples"),
    ],
)
def test_prove_rejects_bad_arguments(kwargs, match):
    args = {"sizes": (2, 2, 1)} | kwargs
    with pytest.raises(ValueError, match=match):
        prove_backprop(**args)


_CORRECT_DELTAS = network.backprop_deltas


def _without_activation_derivative(net, loss, scale, s, ds):
    """A planted bug: the hidden recurrence forgets sigma'(z)."""
    deltas = _CORRECT_DELTAS(net, loss, scale, s, ds)
    D = net.D
    for n in range(net.samples):
        for l in range(D - 1, 0, -1):
            deltas[n][l] = net.W[l + 1].T * deltas[n][l + 1]
    return deltas


def _without_transpose(net, loss, scale, s, ds):
    """A planted bug: W instead of W^T (only typechecks for square layers)."""
    deltas = _CORRECT_DELTAS(net, loss, scale, s, ds)
    for n in range(net.samples):
        for l in range(net.D - 1, 0, -1):
            deltas[n][l] = sp.matrix_multiply_elementwise(net.W[l + 1] * deltas[n][l + 1], ds[n][l])
    return deltas


@pytest.mark.parametrize("bug", [_without_activation_derivative, _without_transpose])
def test_the_prover_rejects_wrong_backprop_formulas(bug, monkeypatch):
    monkeypatch.setattr(network, "backprop_deltas", bug)
    result = prove_backprop((2, 3, 3, 3), "sigmoid", "sigmoid", "mse")
    assert not result.ok
    failed = [p.claim for p in result.parameters if not p.ok]
    # layer 3 does not involve the hidden recurrence; layer 1 does
    assert any("W(1)" in c for c in failed)
    assert not any("W(3)" in c for c in failed)


# --- the two methods: downstream (each unit's dL/dz once) and nested (the whole network per parameter) ---


@pytest.mark.parametrize(
    "sizes, activation, output, loss, reduction",
    [
        ((2, 2, 1), "sigmoid", "sigmoid", "mse", "sum"),
        ((2, 3, 3, 1), "tanh", "sigmoid", "bce", "mean"),
        ((3, 2, 3), "sigmoid", "softmax", "ce", "sum"),
        ((2, 2, 2, 2), "softmax", "softmax", "ce", "mean"),
        ((1, 1), "identity", "identity", "mse", "sum"),
    ],
)
def test_both_methods_prove_the_same_claims(sizes, activation, output, loss, reduction):
    down = prove_backprop(sizes, activation, output, loss, reduction, method="downstream")
    nested = prove_backprop(sizes, activation, output, loss, reduction, method="nested")
    assert [p.claim for p in down.parameters] == [p.claim for p in nested.parameters]
    assert down.ok and nested.ok, [str(p) for p in down.parameters + nested.parameters if not p.ok]
    assert all("dL/dz(" in p.method and "by sympy.diff" in p.method for p in down.parameters)


@pytest.mark.parametrize("bug", [_without_activation_derivative, _without_transpose])
def test_the_downstream_method_rejects_wrong_backprop_formulas(bug, monkeypatch):
    monkeypatch.setattr(network, "backprop_deltas", bug)
    result = prove_backprop((2, 3, 3, 3), "sigmoid", "sigmoid", "mse", method="downstream")
    failed = [p.claim for p in result.parameters if not p.ok]
    assert any("W(1)" in c for c in failed) and not any("W(3)" in c for c in failed)


def test_the_downstream_method_catches_a_wrong_output_error(monkeypatch):
    # the mean's 1/N left out of delta(D): every parameter's claim is then off by N
    def without_scale(net, loss, scale, s, ds):
        return _CORRECT_DELTAS(net, loss, 1, s, ds)

    monkeypatch.setattr(network, "backprop_deltas", without_scale)
    result = prove_backprop((2, 2, 1), reduction="mean", method="downstream")
    assert not any(p.ok for p in result.parameters)


def test_the_digits_network_is_proven_for_every_parameter():
    # 64-32-10, the trainer's digits network: 2,410 parameters, a batch of 2 symbolic samples
    seen = []
    result = prove_backprop((64, 32, 10), progress=lambda done, total: seen.append((done, total)))
    assert len(result.parameters) == 2410 and result.ok
    # the progress line moves in steps and ends at the total
    assert seen[-1] == (2410, 2410) and len(seen) > 10
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))


def test_each_method_has_its_size_limit():
    with pytest.raises(ValueError, match="at most 32 units can be proven symbolically by the nested method"):
        prove_backprop((64, 32, 10), method="nested")
    with pytest.raises(ValueError, match="more than the 20000 the downstream method"):
        prove_backprop((128, 128, 10), samples=2)
    with pytest.raises(ValueError, match="method: expected one of downstream, nested, got 'fast'"):
        prove_backprop((2, 2, 1), method="fast")


def _accepted_pairs():
    from spec import activations

    pairs = []
    for loss_name in losses.names():
        for act_name in activations.names(elementwise=True):
            try:
                losses.get(loss_name).check_output_activation(activations.get(act_name))
            except ValueError:
                continue
            pairs.append((loss_name, act_name))
    return pairs


@pytest.mark.parametrize("loss_name, act_name", _accepted_pairs())
def test_every_output_error_is_proven_for_every_output_activation_a_loss_accepts(loss_name, act_name):
    # piecewise activations (relu, hard_tanh, softsign, ...) piece by piece, their ends included
    delta = losses.get(loss_name).output_delta(act_name)
    assert all(p.ok for p in delta.proofs), [str(p) for p in delta.proofs]


def test_a_wrong_output_error_through_a_is_not_proven_on_pieces():
    from spec.activations import get, pieces

    relu = get("relu")
    delta = losses.mse.output_delta("relu")
    # (a - y) alone leaves out relu's slope: wrong on z <= 0, where delta is 0
    wrong = losses._prove_on_pieces("wrong", a - losses.y, delta.in_z, pieces(relu.expr))
    assert not wrong.ok and "(−∞, 0]" in wrong.method
    right = losses._prove_on_pieces("right", delta.in_a, delta.in_z, pieces(relu.expr))
    assert right.ok
