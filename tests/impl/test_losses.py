"""impl.losses: values and output errors against direct formulas."""

import dataclasses
import math

import numpy as np
import pytest

from impl import activations, losses

RNG = np.random.default_rng(1234)
Z = RNG.normal(scale=3.0, size=(5, 3))
Y_SOFT = RNG.uniform(size=(5, 3))


def _sigmoid_copy():
    # Same math as the sigmoid, but not the registry's object: takes bce's general path.
    return dataclasses.replace(activations.get("sigmoid"), name="sigmoid_copy")


def test_registry():
    assert losses.names()[:3] == ("mse", "bce", "ce")
    assert losses.get("mse").name == "mse"
    with pytest.raises(ValueError, match="loss") as info:
        losses.get("hinge")
    assert "mse" in str(info.value) and "bce" in str(info.value)
    with pytest.raises(TypeError, match="loss"):
        losses.get(None)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "identity"])
def test_mse_value_and_delta(name):
    act = activations.get(name)
    a = act.f(Z)
    Y = RNG.normal(size=Z.shape)
    expected = sum(0.5 * (a[i, j] - Y[i, j]) ** 2 for i in range(5) for j in range(3))
    assert losses.mse.value(Z, a, Y, act) == pytest.approx(expected, rel=1e-14)
    np.testing.assert_allclose(losses.mse.delta_out(Z, a, Y, act), (a - Y) * act.df(Z), rtol=1e-15)


def test_bce_value_matches_the_definition():
    act = activations.get("sigmoid")
    a = act.f(Z)
    expected = -sum(
        Y_SOFT[i, j] * math.log(a[i, j]) + (1 - Y_SOFT[i, j]) * math.log(1 - a[i, j])
        for i in range(5)
        for j in range(3)
    )
    assert losses.bce.value(Z, a, Y_SOFT, act) == pytest.approx(expected, rel=1e-10)


def test_bce_sigmoid_delta_is_a_minus_y():
    act = activations.get("sigmoid")
    a = act.f(Z)
    np.testing.assert_array_equal(losses.bce.delta_out(Z, a, Y_SOFT, act), a - Y_SOFT)


def test_bce_general_path_agrees_with_the_sigmoid_shortcut():
    copy = _sigmoid_copy()
    sig = activations.get("sigmoid")
    a = sig.f(Z)
    assert losses.bce.value(Z, a, Y_SOFT, copy) == pytest.approx(
        losses.bce.value(Z, a, Y_SOFT, sig), rel=1e-10
    )
    np.testing.assert_allclose(
        losses.bce.delta_out(Z, a, Y_SOFT, copy), losses.bce.delta_out(Z, a, Y_SOFT, sig), rtol=1e-9
    )


def test_bce_sigmoid_is_stable_where_the_naive_formula_fails():
    act = activations.get("sigmoid")
    z = np.array([[-800.0, 800.0, 40.0]])
    y = np.array([[1.0, 0.0, 1.0]])
    a = act.f(z)
    # softplus(-800)... : -log sigma(-800) = 800, -log(1 - sigma(800)) = 800, -log sigma(40) = e^-40
    assert losses.bce.value(z, a, y, act) == pytest.approx(1600.0 + math.exp(-40), rel=1e-15)
    np.testing.assert_array_equal(losses.bce.delta_out(z, a, y, act), a - y)


def test_bce_zero_log_zero_is_zero_on_the_general_path():
    copy = _sigmoid_copy()
    a = np.array([[0.0, 1.0]])
    y = np.array([[0.0, 1.0]])
    assert losses.bce.value(np.zeros((1, 2)), a, y, copy) == 0.0


def test_output_activation_compatibility():
    assert losses.is_compatible(losses.bce, activations.get("sigmoid"))
    assert not losses.is_compatible(losses.bce, activations.get("tanh"))
    assert not losses.is_compatible(losses.bce, activations.get("identity"))
    for name in ("sigmoid", "tanh", "identity"):
        assert losses.is_compatible(losses.mse, activations.get(name))
        losses.check_output_activation(losses.mse, activations.get(name))
    with pytest.raises(ValueError, match="output_activation.*tanh"):
        losses.check_output_activation(losses.bce, activations.get("tanh"))


# --- every registered loss, with every output activation it accepts -----------------------
# These loop over losses.names(): a new loss entry is tested here without editing this file.


def _targets_for(loss, shape, rng):
    """Targets a loss accepts, from what its entry declares."""
    if loss.requires == "simplex":
        # probability rows (cross-entropy): soft, summing to 1
        return rng.dirichlet(np.ones(shape[-1]), shape[0])
    if loss.targets is not None:
        low, high = loss.targets
        return rng.uniform(low, high, shape)
    return rng.normal(size=shape)


def _pairs(smooth_only=False):
    return [
        (loss, act)
        for loss in losses.names()
        for act in activations.names()
        if losses.is_compatible(losses.get(loss), activations.get(act))
        and (activations.get(act).smooth or not smooth_only)
        and activations.get(act).reviewed
    ]


@pytest.mark.parametrize("loss_name, act_name", _pairs(smooth_only=True))
def test_every_loss_delta_is_the_derivative_of_its_value(loss_name, act_name):
    # delta_out (fused or J^T dL/da) against the complex step of the loss's own value
    loss, act = losses.get(loss_name), activations.get(act_name)
    rng = np.random.default_rng(5)
    z = rng.normal(scale=2.0, size=(4, 3))
    y = _targets_for(loss, z.shape, rng)
    delta = loss.delta_out(z, act.f(z), y, act)
    h = 1e-20
    numeric = np.empty_like(z)
    for index in np.ndindex(*z.shape):
        step = np.zeros(z.shape, dtype=complex)
        step[index] = 1j * h
        zc = z + step
        numeric[index] = np.sum(loss.loss_terms(zc, act.f(zc), y, act)).imag / h
    np.testing.assert_allclose(delta, numeric, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("loss_name, act_name", _pairs())
def test_every_fused_form_agrees_with_the_generic_one(loss_name, act_name):
    loss, act = losses.get(loss_name), activations.get(act_name)
    rng = np.random.default_rng(6)
    z = rng.normal(scale=2.0, size=(5, 3))
    y = _targets_for(loss, z.shape, rng)
    a = act.f(z)
    np.testing.assert_allclose(loss.loss_terms(z, a, y, act), loss.terms(z, a, y, act), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(loss.delta_out(z, a, y, act), act.vjp(z, a, loss.d_da(a, y)), rtol=1e-10, atol=1e-14)


def test_every_loss_declares_what_it_needs():
    for name in losses.names():
        loss = losses.get(name)
        assert loss.requires in losses.REQUIREMENTS, name
        assert loss.default_output in activations.names(), name
        assert losses.is_compatible(loss, activations.get(loss.default_output)), name
        for fused_name in loss.fused:
            assert losses.is_compatible(loss, activations.get(fused_name)), (name, fused_name)
