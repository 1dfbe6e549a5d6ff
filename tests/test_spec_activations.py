"""spec.activations: derivatives and output forms, checked independently of SymPy's own claims."""

import mpmath
import numpy as np
import pytest
import sympy as sp

from spec import activations
from spec.activations import Activation, a, z

NAMES = activations.names()


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma():
    sig = activations.get("sigmoid")
    s = sig.expr
    assert sp.cancel(sig.derivative - s * (1 - s)) == 0
    # the tutorial's x * (1 - x): the argument is the sigmoid's output
    assert sp.expand(sig.output_form - a * (1 - a)) == 0
    assert all(p.ok for p in sig.proofs)


def test_tanh_and_identity_output_forms():
    assert sp.expand(activations.get("tanh").output_form - (1 - a**2)) == 0
    assert activations.get("identity").output_form == 1


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_mpmath_numerical_derivative(name):
    act = activations.get(name)
    f = sp.lambdify(z, act.expr, modules="mpmath")
    df = sp.lambdify(z, act.derivative, modules="mpmath")
    with mpmath.workdps(40):
        for t in np.linspace(-20, 20, 41):
            exact = mpmath.diff(f, mpmath.mpf(t))
            assert abs(df(mpmath.mpf(t)) - exact) <= mpmath.mpf(10) ** -30 * (1 + abs(exact))


@pytest.mark.parametrize("name", NAMES)
def test_output_form_holds_on_a_dense_grid_including_tails(name):
    act = activations.get(name)
    if act.output_form is None:
        pytest.fail(f"{name}: no output form ({act.output_form_reason})")
    g = sp.lambdify(a, act.output_form, modules="mpmath")
    f = sp.lambdify(z, act.expr, modules="mpmath")
    df = sp.lambdify(z, act.derivative, modules="mpmath")
    # 150 digits: in the tails 1 - f(z) is tiny and the output form needs the digits to resolve it.
    with mpmath.workdps(150):
        for t in np.concatenate([np.linspace(-40, 40, 801), [-200.0, -80.0, 80.0, 200.0]]):
            t = mpmath.mpf(t)
            want = df(t)
            assert abs(g(f(t)) - want) <= mpmath.mpf(10) ** -40 * (abs(want) + mpmath.mpf(10) ** -100)


def test_a_wrong_output_form_is_never_claimed():
    # a*(1+a) is not the sigmoid's derivative: the prover must say so.
    from spec.proof import prove_equal

    sig = activations.get("sigmoid")
    assert not prove_equal("wrong", (a * (1 + a)).subs(a, sig.expr), sig.derivative).ok


def test_non_injective_activation_gets_no_output_form_claim_it_cannot_prove():
    # z**2 is not one-to-one: f'(z) = 2z takes both signs for one output value.
    act = Activation("square_test", z**2)
    assert act.output_form is None
    assert "candidate" in act.output_form_reason


def test_ranges():
    assert activations.get("sigmoid").range == (0, 1)
    assert activations.get("tanh").range == (-1, 1)
    assert activations.get("identity").range == (-sp.oo, sp.oo)


def test_registry_errors():
    with pytest.raises(ValueError, match="activation: unknown name 'nope'"):
        activations.get("nope")
    with pytest.raises(TypeError, match="activation"):
        activations.get(3)
    with pytest.raises(ValueError, match="already registered"):
        activations.register(Activation("sigmoid", z))
    with pytest.raises(ValueError, match="name: expected a Python identifier"):
        Activation("not a name", z)
    with pytest.raises(ValueError, match="expr: expected an expression in z only"):
        Activation("with_q", z * sp.Symbol("q"))


def test_string_expressions_parse_safely():
    act = Activation("swish_test", "z / (1 + exp(-z))")
    assert sp.simplify(act.expr - z / (1 + sp.exp(-z))) == 0
    for bad in ["__import__('os').system('true')", "z.__class__", "lambda: z", "open('x')", "q + z", "2**10**10**10"]:
        with pytest.raises(ValueError, match="expr"):
            Activation("bad", bad)
