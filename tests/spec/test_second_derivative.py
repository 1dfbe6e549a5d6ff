"""spec.activations' second derivatives f'' and their output forms h(a), checked independently of SymPy's claims.

The references: mpmath's numerical second derivative of f at 40 digits, the
textbook output forms (sigmoid a(1 - a)(1 - 2a), tanh -2a(1 - a^2)), and
direct evaluation at high precision over a dense grid reaching the tails.
"""

import re

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from spec import activations
from spec.activations import NotElementwiseError, a, z

NAMES = activations.names(elementwise=True)
#: The left piece's f'' at a kink, and the value SymPy's formula gives there
LEFT_PIECE_AT_KINKS = ("relu", "leaky_relu", "elu", "selu", "hard_tanh")


def test_sigmoid_and_tanh_second_output_forms_are_the_textbook_ones():
    sigmoid, tanh = activations.get("sigmoid"), activations.get("tanh")
    assert sp.expand(sigmoid.derived(2).output_form - a * (1 - a) * (1 - 2 * a)) == 0
    assert sp.expand(tanh.derived(2).output_form - (-2 * a * (1 - a**2))) == 0
    assert all(p.ok for p in sigmoid.derived(2).proofs + tanh.derived(2).proofs)
    assert "chain rule" in sigmoid.derived(2).reason


def test_softplus_and_elu_second_output_forms():
    # softplus'' = sigma(z) sigma(-z) with e^{-a} = 1 - sigma(z)
    assert sp.simplify(activations.get("softplus").derived(2).output_form - sp.exp(-a) * (1 - sp.exp(-a))) == 0
    elu = activations.get("elu").derived(2).output_form
    assert elu.subs(a, 2) == 0 and elu.subs(a, sp.Rational(-1, 2)) == sp.Rational(1, 2)


@pytest.mark.parametrize("name", NAMES)
def test_second_derivative_matches_mpmath_numerical_second_derivative(name):
    act = activations.get(name)
    f = sp.lambdify(z, act.expr, modules="mpmath")
    d2f = sp.lambdify(z, act.derived(2).expr, modules="mpmath")
    with mpmath.workdps(40):
        for t in np.linspace(-20.3, 19.7, 41):  # never on a piece boundary (0, +-1)
            exact = mpmath.diff(f, mpmath.mpf(t), 2)
            assert abs(d2f(mpmath.mpf(t)) - exact) <= mpmath.mpf(10) ** -25 * (1 + abs(exact)), (name, t)


@pytest.mark.parametrize("name", NAMES)
def test_second_output_form_holds_on_a_dense_grid_including_tails(name):
    act = activations.get(name)
    h = act.derived(2).output_form
    if h is None:
        assert "not one-to-one" in act.derived(2).reason
        _check_witness(act)
        return
    assert act.derived(2).proofs and all(p.ok for p in act.derived(2).proofs), act.derived(2).proofs
    H = sp.lambdify(a, h, modules="mpmath")
    f = sp.lambdify(z, act.expr, modules="mpmath")
    d2f = sp.lambdify(z, act.derived(2).expr, modules="mpmath")
    boundaries = [float(k) for k in act.piece_boundaries]
    with mpmath.workdps(150):
        beside = [k + d for k in boundaries for d in (-1e-9, 1e-9)]
        for t in np.concatenate([np.linspace(-40, 40, 801), [-200.0, -80.0, 80.0, 200.0], beside]):
            if t in boundaries:
                continue  # f'' jumps there (softsign): the value is a convention, tested below
            t = mpmath.mpf(t)
            want = d2f(t)
            assert abs(H(f(t)) - want) <= mpmath.mpf(10) ** -40 * (abs(want) + mpmath.mpf(10) ** -100), (name, t)


def _check_witness(act):
    # "f(z1) = f(z2) = level while f'' there is v1 and v2": recompute all of it
    match = re.search(r"f\(([-\d.]+)\) = f\(([-\d.]+)\) = ([-\d.]+) while f'' there is ([-\d.e]+) and ([-\d.e]+)",
                      act.derived(2).reason)
    assert match, act.derived(2).reason
    z1, z2 = float(match[1]), float(match[2])
    f = sp.lambdify(z, act.expr, modules="mpmath")
    assert abs(f(z1) - f(z2)) < 1e-5
    d2 = [float(mpmath.diff(f, t, 2)) for t in (z1, z2)]
    assert d2 == pytest.approx([float(match[4]), float(match[5])], rel=1e-4)
    assert abs(d2[0] - d2[1]) > 0.1  # the same output, two values of f'': no h(a) can exist


def test_silu_and_gelu_have_no_second_output_form():
    for name in ("silu", "gelu"):
        act = activations.get(name)
        assert act.derived(2).output_form is None and act.derived(2).proofs == []


@pytest.mark.parametrize("name", LEFT_PIECE_AT_KINKS)
def test_second_derivative_at_a_kink_is_the_left_piece(name):
    act = activations.get(name)
    for point, (left, right) in act.derived(2).one_sided.items():
        assert sp.simplify(act.derived(2).expr.subs(z, point) - left) == 0, (name, point, left, right)


def test_softsign_second_derivative_at_zero_is_the_mean_of_the_sides():
    act = activations.get("softsign")
    left, right = act.derived(2).one_sided[0]
    assert (left, right) == (2, -2)
    assert act.derived(2).expr.subs(z, 0) == 0  # sign(0) = 0
    # the output form takes the right side there, and says so
    assert act.derived(2).output_form.subs(a, 0) == -2
    assert "f''(0) = 0" in act.derived(2).reason
    assert not act.derived(2).expr.has(sp.DiracDelta)


@pytest.mark.parametrize("name", NAMES)
@given(t=st.floats(-30, 30, allow_nan=False))
def test_display_second_derivative_equals_second_derivative(name, t):
    act = activations.get(name)
    if any(abs(t - float(k)) < 1e-6 for k in act.piece_boundaries):
        return
    shown = act.derived(2).display.subs(act.params)
    with mpmath.workdps(30):
        want = sp.lambdify(z, act.derived(2).expr, modules="mpmath")(mpmath.mpf(t))
        got = sp.lambdify(z, shown, modules="mpmath")(mpmath.mpf(t))
    assert abs(got - want) <= mpmath.mpf(10) ** -20 * (1 + abs(want))


def test_display_second_derivative_is_short_for_sigmoid_and_softsign():
    assert sp.count_ops(activations.get("sigmoid").derived(2).display) < sp.count_ops(
        activations.get("sigmoid").derived(2).expr
    )
    softsign = activations.get("softsign").derived(2).display
    assert sp.simplify(softsign - (-2 * sp.sign(z) / (1 + sp.Abs(z)) ** 3)) == 0


def test_softmax_has_no_scalar_second_derivative():
    softmax = activations.get("softmax")
    # derived(2) holds f'', its display and numpy forms and its output form: for softmax it refuses, saying why
    with pytest.raises(NotElementwiseError, match="second derivative ∂²aᵢ/∂zⱼ∂zₖ has three indices") as info:
        softmax.derived(2)
    assert "3-tensor" in str(info.value) and str(info.value) == softmax.why_not_elementwise(2)


def test_derived_is_built_once_per_order_and_goes_past_two():
    sigmoid = activations.get("sigmoid")
    assert sigmoid.derived(2) is sigmoid.derived(2) and sigmoid.derived(1).expr == sigmoid.derivative
    assert sigmoid.derived(1).output_form is sigmoid.output_form
    # f''' through the chain rule from the proven f'' = p(a) and f' = g(a): p'(a) g(a)
    third = sigmoid.derived(3)
    assert sp.simplify(third.expr - sp.diff(sigmoid.expr, z, 3)) == 0
    assert sp.expand(third.output_form - a * (1 - a) * (1 - 6 * a + 6 * a**2)) == 0
    assert third.proofs and all(p.ok for p in third.proofs) and "chain rule" in third.reason
    for bad in (0, -1, 1.0, True):
        with pytest.raises(ValueError, match="order: expected a positive int"):
            sigmoid.derived(bad)
