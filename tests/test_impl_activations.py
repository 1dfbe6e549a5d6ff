"""impl.activations: values, derivatives against mpmath, stability, registry."""

import dataclasses
import warnings

import mpmath
import numpy as np
import pytest

from impl import activations

# High-precision references written independently of impl, one per shipped activation.
MP_REFERENCE = {
    "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "tanh": mpmath.tanh,
    "identity": lambda x: x,
}
SHIPPED = tuple(MP_REFERENCE)
GRID = np.linspace(-30.0, 30.0, 241)


def _mp_derivative(name, x):
    with mpmath.workdps(50):
        return float(mpmath.diff(MP_REFERENCE[name], mpmath.mpf(float(x))))


def _mp_value(name, x):
    with mpmath.workdps(50):
        return float(MP_REFERENCE[name](mpmath.mpf(float(x))))


def test_shipped_activations_are_registered():
    for name in SHIPPED:
        assert activations.get(name).name == name
    assert set(SHIPPED) <= set(activations.names())


@pytest.mark.parametrize("name", SHIPPED)
def test_f_matches_mpmath(name):
    act = activations.get(name)
    expected = np.array([_mp_value(name, x) for x in GRID])
    np.testing.assert_allclose(act.f(GRID), expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("name", SHIPPED)
def test_df_matches_mpmath_to_1e_10_relative(name):
    act = activations.get(name)
    expected = np.array([_mp_derivative(name, x) for x in GRID])
    np.testing.assert_allclose(act.df(GRID), expected, rtol=1e-10, atol=0)


@pytest.mark.parametrize("name", SHIPPED)
def test_output_form_agrees_with_df_where_it_is_well_conditioned(name):
    act = activations.get(name)
    z = np.linspace(-5.0, 5.0, 101)
    np.testing.assert_allclose(act.df_from_output(act.f(z)), act.df(z), rtol=1e-10)


def test_sigmoid_output_form_loses_digits_in_the_tail_but_df_does_not():
    # Why backprop uses df(z): at z = 30, sigma(z) rounds so close to 1 that
    # a (1 - a) keeps almost no correct digits.
    act = activations.get("sigmoid")
    z = np.array([30.0])
    truth = _mp_derivative("sigmoid", 30.0)
    assert abs(act.df(z)[0] - truth) / truth < 1e-14
    assert abs(act.df_from_output(act.f(z))[0] - truth) / truth > 1e-4


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_finite_warning_free_and_dtype_preserving_at_extremes(name, dtype):
    act = activations.get(name)
    z = np.array([-1e4, -800.0, -30.0, 0.0, 30.0, 800.0, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act.f(z)
        outputs = [a, act.df(z), act.df_from_output(a)]
    for out in outputs:
        assert out.dtype == dtype
        assert out.shape == z.shape
        assert np.isfinite(out).all()


@pytest.mark.parametrize("name", SHIPPED)
def test_float32_close_to_float64(name):
    act = activations.get(name)
    z32 = GRID.astype(np.float32)
    z64 = z32.astype(np.float64)
    np.testing.assert_allclose(act.f(z32), act.f(z64), rtol=1e-6)
    np.testing.assert_allclose(act.df(z32), act.df(z64), rtol=1e-5)


@pytest.mark.parametrize("name", SHIPPED)
def test_values_stay_in_declared_range(name):
    act = activations.get(name)
    z = np.concatenate([GRID, [-1e4, -800.0, 800.0, 1e4]])
    low, high = act.range
    values = act.f(z)
    assert (values >= low).all() and (values <= high).all()


@pytest.mark.parametrize("name", SHIPPED)
def test_df_is_positive_and_saturates_sensibly(name):
    act = activations.get(name)
    d = act.df(GRID)
    assert (d > 0).all()
    assert act.df(np.array([0.0]))[0] == pytest.approx(_mp_derivative(name, 0.0), rel=1e-15)


def test_known_closed_forms():
    sig, th = activations.get("sigmoid"), activations.get("tanh")
    assert sig.f(np.array([0.0]))[0] == 0.5
    assert sig.df(np.array([0.0]))[0] == 0.25
    assert th.df(np.array([0.0]))[0] == 1.0
    assert sig.range == (0.0, 1.0)
    assert th.range == (-1.0, 1.0)
    assert activations.get("identity").range == (-np.inf, np.inf)
    assert all(activations.get(name).smooth for name in SHIPPED)


def test_get_unknown_name_lists_known_names():
    with pytest.raises(ValueError, match="activation") as info:
        activations.get("no-such-activation")
    for name in SHIPPED:
        assert name in str(info.value)


def test_get_non_string_is_a_type_error():
    with pytest.raises(TypeError, match="activation"):
        activations.get(3)


def test_register_rejects_duplicates_and_non_activations(monkeypatch):
    monkeypatch.setattr(activations, "_REGISTRY", dict(activations._REGISTRY))
    with pytest.raises(ValueError, match="sigmoid"):
        activations.register(activations.get("sigmoid"))
    with pytest.raises(TypeError):
        activations.register("sigmoid")
    renamed = dataclasses.replace(activations.get("tanh"), name="tanh_copy")
    assert activations.register(renamed) is renamed
    assert activations.get("tanh_copy") is renamed
    assert activations.names()[-1] == "tanh_copy"


def test_activation_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        activations.get("sigmoid").name = "other"
