"""impl.activations' second derivatives d2f: against mpmath, finite differences of df, and in the tails.

The references are mpmath's numerical second derivative (``mpmath.diff(f, x, 2)``
at 50 digits) of each activation written from its textbook definition,
independent of impl's hand-written formulas. An outside anchor for why a peer
is no reference: numpy-ml's hand-written GELU ``grad2`` gives 1.50 at 0 (exact
0.80) and 0.71 at 5 (exact -3e-5).
"""

import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl import activations

ELEMENTWISE = [n for n in activations.names(elementwise=True) if activations.get(n).reviewed]
_SELU_SCALE = mpmath.mpf("1.0507009873554804934193349852946")
_SELU_ALPHA = mpmath.mpf("1.6732632423543772848170429916717")

MP = {
    "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "tanh": mpmath.tanh,
    "identity": lambda x: x,
    "relu": lambda x: x if x > 0 else mpmath.mpf(0),
    "leaky_relu": lambda x: x if x > 0 else mpmath.mpf("0.01") * x,
    "elu": lambda x: x if x > 0 else mpmath.expm1(x),
    "selu": lambda x: _SELU_SCALE * (x if x > 0 else _SELU_ALPHA * mpmath.expm1(x)),
    "softplus": lambda x: mpmath.log1p(mpmath.exp(x)),
    "silu": lambda x: x / (1 + mpmath.exp(-x)),
    "gelu": lambda x: x * mpmath.erfc(-x / mpmath.sqrt(2)) / 2,
    "softsign": lambda x: x / (1 + abs(x)),
    "hard_tanh": lambda x: max(mpmath.mpf(-1), min(mpmath.mpf(1), x)),
}
KINKS = {"relu": [0.0], "leaky_relu": [0.0], "elu": [0.0], "selu": [0.0], "softsign": [0.0], "hard_tanh": [-1.0, 1.0]}


def test_every_reviewed_elementwise_activation_has_a_d2f_and_a_reference():
    assert set(MP) == set(ELEMENTWISE)
    for name in ELEMENTWISE:
        assert activations.get(name).d2f is not None, name
    assert activations.get("softmax").d2f is None


def _exact_d2f(name, t):
    with mpmath.workdps(50):
        return mpmath.diff(MP[name], mpmath.mpf(t), 2)


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(t=st.floats(-30, 30, allow_nan=False))
def test_d2f_within_1e9_relative_of_mpmath_away_from_kinks(name, t):
    if any(abs(t - k) < 1e-3 for k in KINKS.get(name, [])):
        return  # mpmath's step straddles the kink there: no reference
    got = float(activations.get(name).d2f(np.array([t]))[0])
    exact = _exact_d2f(name, t)
    # relative, with an absolute floor of 1e-15 x the size of f'' nearby (f'' crosses zero
    # for silu, gelu, tanh and the sigmoid, where no formula keeps relative accuracy)
    assert abs(mpmath.mpf(got) - exact) <= 1e-9 * abs(exact) + 1e-15, (name, t, got, exact)


def test_gelu_second_derivative_where_numpy_ml_is_wrong():
    gelu = activations.get("gelu")
    values = gelu.d2f(np.array([0.0, 5.0]))
    assert values[0] == pytest.approx(float(_exact_d2f("gelu", 0.0)), rel=1e-12)  # 0.7979, not 1.50
    assert values[1] == pytest.approx(float(_exact_d2f("gelu", 5.0)), rel=1e-9)  # -3.4e-5, not 0.71
    assert values[1] < 0


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_d2f_is_the_derivative_of_df(name):
    act = activations.get(name)
    z = np.linspace(-8, 8, 1601)
    for k in KINKS.get(name, []):
        z = z[np.abs(z - k) > 1e-3]
    h = 1e-5
    numeric = (act.df(z + h) - act.df(z - h)) / (2 * h)
    np.testing.assert_allclose(act.d2f(z), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_d2f_finite_warning_free_and_dtype_preserving_to_1e4(name, dtype):
    act = activations.get(name)
    z = np.array([-1e4, -800.0, -30.0, -1.0, 0.0, 1.0, 30.0, 800.0, 1e4, np.nan], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        out = act.d2f(z)
    assert out.dtype == dtype and out.shape == z.shape
    assert np.isfinite(out[:-1]).all() and np.isnan(out[-1])


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "selu", "hard_tanh"])
def test_d2f_at_a_kink_is_the_left_piece(name):
    # elu and selu switch pieces with "z > 0": at 0, df and d2f both take the left piece; relu,
    # leaky_relu and hard_tanh have f'' = 0 on both sides of their kinks
    act = activations.get(name)
    for k in KINKS[name]:
        left = act.d2f(np.array([k - 1e-9]))[0]
        assert act.d2f(np.array([k]))[0] == pytest.approx(left, rel=1e-8, abs=1e-12)
