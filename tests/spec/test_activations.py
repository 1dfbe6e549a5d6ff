"""spec.activations: derivatives and output forms, checked independently of SymPy's own claims."""

import mpmath
import numpy as np
import pytest
import sympy as sp

from spec import activations
from spec.activations import Activation, a, z

# f, f' and g(a) of one variable: the elementwise activations (softmax: tests/spec/test_softmax.py),
# the built-in ones and those added with add-activation (checked generically, with the name as id)
NAMES = activations.names(elementwise=True)
#: The built-in elementwise activations, whose ranges and kinks are pinned by hand below.
BUILTIN = activations.builtin_names(elementwise=True)


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma():
    sig = activations.get("sigmoid")
    s = sig.expr
    assert sp.cancel(sig.derivative - s * (1 - s)) == 0
    # the tutorial's x * (1 - x): the argument is the sigmoid's output
    assert sp.expand(sig.output_form - a * (1 - a)) == 0
    assert all(p.ok for p in sig.derived(1).proofs)


def test_tanh_and_identity_output_forms():
    assert sp.expand(activations.get("tanh").output_form - (1 - a**2)) == 0
    assert activations.get("identity").output_form == 1


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_mpmath_numerical_derivative(name):
    act = activations.get(name)
    f = sp.lambdify(z, act.expr, modules="mpmath")
    df = sp.lambdify(z, act.derivative, modules="mpmath")
    with mpmath.workdps(40):
        for t in np.linspace(-20.3, 19.7, 41):  # steps of 1 that never land on a kink (0, +-1)
            exact = mpmath.diff(f, mpmath.mpf(t))
            assert abs(df(mpmath.mpf(t)) - exact) <= mpmath.mpf(10) ** -30 * (1 + abs(exact))


@pytest.mark.parametrize("name", NAMES)
def test_output_form_holds_on_a_dense_grid_including_tails(name):
    act = activations.get(name)
    if act.output_form is None:
        # Nothing is claimed; if the reason is a counterexample, check it numerically.
        assert act.derived(1).reason
        if "f' there is" in act.derived(1).reason:
            _check_witness(act)
        return
    g = sp.lambdify(a, act.output_form, modules="mpmath")
    f = sp.lambdify(z, act.expr, modules="mpmath")
    df = sp.lambdify(z, act.derivative, modules="mpmath")
    # 150 digits: in the tails 1 - f(z) is tiny and the output form needs the digits to resolve it.
    with mpmath.workdps(150):
        kinks = [float(k) for k in act.piece_boundaries]
        extra = [k + d for k in kinks for d in (0.0, -1e-9, 1e-9)]
        for t in np.concatenate([np.linspace(-40, 40, 801), [-200.0, -80.0, 80.0, 200.0], extra]):
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
    assert "not one-to-one" in act.derived(1).reason


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


EXPECTED_OUTPUT_FORM = {
    "identity": True, "sigmoid": True, "tanh": True, "relu": True, "leaky_relu": True, "elu": True,
    "selu": True, "softplus": True, "silu": False, "gelu": False, "softsign": True, "hard_tanh": True,
}


def test_at_least_the_twelve_shipped_activations():
    assert set(EXPECTED_OUTPUT_FORM) <= set(NAMES)


@pytest.mark.parametrize("name", [n for n, has in EXPECTED_OUTPUT_FORM.items() if not has])
def test_no_output_form_comes_with_a_witness(name):
    """silu and gelu are not one-to-one: two inputs with one output but different slopes."""
    act = activations.get(name)
    assert act.output_form is None
    _check_witness(act)


def _check_witness(act):
    import re

    match = re.search(r"f\(([-\d.]+)\) = f\(([-\d.]+)\) = ([-\d.]+) while f' there is ([-\d.e]+) and ([-\d.e]+)", act.derived(1).reason)
    assert match, act.derived(1).reason
    z1, z2, level, d1, d2 = map(float, match.groups())
    f = sp.lambdify(z, act.expr)
    df = sp.lambdify(z, act.derivative)
    assert f(z1) == pytest.approx(level, abs=1e-5) and f(z2) == pytest.approx(level, abs=1e-5)
    assert df(z1) == pytest.approx(d1, abs=1e-5) and df(z2) == pytest.approx(d2, abs=1e-5)
    assert abs(d1 - d2) > 0.01


@pytest.mark.parametrize("name", [n for n, has in EXPECTED_OUTPUT_FORM.items() if has])
def test_output_form_claimed_where_expected(name):
    assert activations.get(name).output_form is not None, activations.get(name).derived(1).reason


@pytest.mark.parametrize(
    "name, point, value",
    [("relu", 0, 0), ("leaky_relu", 0, sp.Rational(1, 100)), ("elu", 0, 1), ("hard_tanh", 1, 0),
     ("hard_tanh", -1, 0), ("softsign", 0, 1),
     ("selu", 0, activations.SELU_SCALE * activations.SELU_ALPHA)],
)
def test_derivative_at_kinks_follows_pytorch(name, point, value):
    assert activations.get(name).derivative.subs(z, point) == value


def test_every_spec_activation_has_an_impl():
    import impl.activations

    missing = [n for n in NAMES if n not in impl.activations.names()]
    problems = {n: impl.activations.load_errors()[n] for n in missing if n in impl.activations.load_errors()}
    assert not missing, f"activations in the spec with no NumPy implementation: {missing} {problems or ''}"


def test_every_added_activation_entry_loads():
    # a broken entry of spec/added_activations.json does not stop the import; it is reported
    # here (and by activations.get(name)), naming the file, the entry and the error
    assert not activations.load_errors(), "\n".join(activations.load_errors().values())


#: Hand-computed: the image of f over the real line, with open/closed ends, and the true kinks
#: (one-sided slopes differ). silu and gelu attain their minimum at the root of f'(z) = 0.
TRUE_RANGES = {
    "identity": ("(−∞, ∞)", ()),
    "sigmoid": ("(0, 1)", ()),
    "tanh": ("(−1, 1)", ()),
    "relu": ("[0, ∞)", (0,)),
    "leaky_relu": ("(−∞, ∞)", (0,)),
    "elu": ("(−1, ∞)", ()),
    "selu": (None, (0,)),
    "softplus": ("(0, ∞)", ()),
    "silu": (None, ()),
    "gelu": (None, ()),
    "softsign": ("(−1, 1)", ()),
    "hard_tanh": ("[−1, 1]", (-1, 1)),
}


def test_every_builtin_elementwise_activation_has_a_hand_computed_truth():
    # added activations have no hand-computed truth: test_derived_range_holds_on_a_grid covers them
    assert set(TRUE_RANGES) == set(BUILTIN)
    assert set(BUILTIN) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_derived_range_holds_on_a_grid_and_kinks_are_true_kinks(name):
    """Every elementwise activation, added ones included: f(z) inside the derived range on a
    grid over [-40, 40], and at each derived kink the one-sided slopes (finite differences) differ."""
    act = activations.get(name)
    with mpmath.workdps(30):
        low, high = (mpmath.mpf(str(sp.N(end, 30))) if end.is_finite else end for end in act.range)
        f = sp.lambdify(z, act.expr, modules="mpmath")  # its constants to 30 digits
        slack = mpmath.mpf(10) ** -20
        for t in np.linspace(-40.3, 39.7, 321):
            value = f(mpmath.mpf(t))
            assert low == -sp.oo or value >= low - slack, (t, value, low)
            assert high == sp.oo or value <= high + slack, (t, value, high)
        h = mpmath.mpf(10) ** -12
        for kink in act.kinks:
            k = mpmath.mpf(str(sp.N(kink, 30)))
            left, right = (f(k) - f(k - h)) / h, (f(k + h) - f(k)) / h
            assert abs(left - right) > mpmath.mpf(10) ** -6, (kink, left, right)


@pytest.mark.parametrize("name", sorted(TRUE_RANGES))
def test_derived_range_and_kinks_match_hand_computed_truth(name):
    act = activations.get(name)
    text, kinks = TRUE_RANGES[name]
    if text is not None:
        assert act.range_text() == text
    assert act.kinks == tuple(sp.Integer(k) for k in kinks)
    assert set(act.kinks) <= set(act.piece_boundaries)


def test_selu_infimum_is_not_attained():
    act = activations.get("selu")
    low, high = act.range
    assert sp.simplify(low + activations.SELU_SCALE * activations.SELU_ALPHA) == 0 and high == sp.oo
    assert act.image.left_open and act.range_closed == (False, False)


@pytest.mark.parametrize("name, z_star, minimum", [
    ("silu", -1.2784645427610738, -0.2784645427610738),
    ("gelu", -0.7517915241, -0.16997120747990366),
])
def test_silu_and_gelu_attain_their_minimum_at_a_root_of_the_slope(name, z_star, minimum):
    act = activations.get(name)
    low, high = act.range
    assert float(low) == pytest.approx(minimum, rel=1e-14) and high == sp.oo
    assert not act.image.left_open and act.range_closed == (True, False)
    # the witness: f'(z*) = 0 and f(z*) is the minimum
    root = sp.nsolve(act.derivative, z, z_star)
    assert float(act.expr.subs(z, root)) == pytest.approx(float(low), rel=1e-14)
    assert act.range_text().startswith("[−0.27846" if name == "silu" else "[−0.16997")


def test_closed_ends_are_values_of_f():
    assert activations.get("relu").range_closed == (True, False)
    assert activations.get("hard_tanh").range_closed == (True, True)
    assert activations.get("tanh").range_closed == (False, False)
    assert activations.get("sigmoid").range_closed == (False, False)


def test_elu_and_softsign_pieces_meet_with_equal_slopes():
    for name in ("elu", "softsign"):
        act = activations.get(name)
        assert act.piece_boundaries == (0,) and act.kinks == ()
        left, right = act.derived(1).one_sided[0]
        assert left == right == 1
    assert activations.get("relu").derived(1).one_sided[0] == (0, 1)
    assert activations.get("hard_tanh").derived(1).one_sided == {-1: (0, 1), 1: (1, 0)}


def test_softsign_derivative_is_shown_simplified():
    act = activations.get("softsign")
    assert act.derived(1).display == 1 / (sp.Abs(z) + 1) ** 2
    assert activations.pretty(act.derived(1).display) == "1/(|z| + 1)²"


@pytest.mark.parametrize("name", NAMES)
def test_impl_declared_range_ends_agree_with_the_spec(name):
    import impl.activations

    if name not in impl.activations.names():
        pytest.skip("no impl entry")
    mine, spec_act = impl.activations.get(name), activations.get(name)
    assert mine.range_closed == spec_act.range_closed
    for declared, derived in zip(mine.range, spec_act.range):
        assert declared == pytest.approx(float(derived), rel=1e-14)


def test_error_messages_print_the_true_interval():
    import impl.activations
    import impl.losses
    from spec import losses as spec_losses

    with pytest.raises(ValueError, match=r"takes values in \(−1, 1\), each unit"):
        spec_losses.get("bce").check_output_activation(activations.get("tanh"))
    with pytest.raises(ValueError, match=r"values in \[-1, 1\]"):
        impl.losses.check_output_activation(impl.losses.bce, impl.activations.get("hard_tanh"))
    with pytest.raises(ValueError, match=r"with values in \(-1, 1\)"):
        impl.losses.check_output_activation(impl.losses.bce, impl.activations.get("tanh"))
    assert impl.activations.get("relu").range_text() == "[0, inf)"
