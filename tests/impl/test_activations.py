"""impl.activations: values, derivatives against mpmath, kinks, stability, registry.

Every per-activation test is parametrised over ``activations.names()`` with the
name as its id, so ``pytest -k relu`` runs the checks of one activation.
"""

import dataclasses
import warnings

import mpmath
import numpy as np
import pytest

from impl import activations

# The built-in elementwise activations, each with an independent mpmath reference below;
# activations added with add-activation are checked against the spec in
# tests/impl/test_vs_spec_activations.py, and the vector ones (softmax) in tests/impl/test_softmax.py.
NAMES = activations.builtin_names(elementwise=True)
EPS = np.finfo(np.float64).eps

# --- high-precision references ----------------------------------------------
# Written independently of impl, from the textbook definitions, and evaluated at
# 50 digits. The derivative references are mpmath.diff of these (its step is
# about 1e-60, so every grid point below is far enough from a kink).

_LEAK = mpmath.mpf("0.01")
_SELU_SCALE = mpmath.mpf("1.0507009873554804934193349852946")
_SELU_ALPHA = mpmath.mpf("1.6732632423543772848170429916717")


def _mp_phi(x):
    # standard normal CDF through erfc: no cancellation in the left tail
    return mpmath.erfc(-x / mpmath.sqrt(2)) / 2


MP_REFERENCE = {
    "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "tanh": mpmath.tanh,
    "identity": lambda x: x,
    "relu": lambda x: x if x > 0 else mpmath.mpf(0),
    "leaky_relu": lambda x: x if x > 0 else _LEAK * x,
    "elu": lambda x: x if x > 0 else mpmath.expm1(x),
    "selu": lambda x: _SELU_SCALE * (x if x > 0 else _SELU_ALPHA * mpmath.expm1(x)),
    "softplus": lambda x: mpmath.log1p(mpmath.exp(x)),
    "silu": lambda x: x / (1 + mpmath.exp(-x)),
    "gelu": lambda x: x * _mp_phi(x),
    "softsign": lambda x: x / (1 + abs(x)),
    "hard_tanh": lambda x: max(mpmath.mpf(-1), min(mpmath.mpf(1), x)),
}

# Points where f is not differentiable, and f' there as PyTorch's autograd gives it.
KINK_DERIVATIVES = {
    "relu": {0.0: 0.0},
    "leaky_relu": {0.0: 0.01},
    "elu": {0.0: 1.0},
    "selu": {0.0: 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717},
    "softsign": {0.0: 1.0},
    "hard_tanh": {-1.0: 0.0, 1.0: 0.0},
}

# written by hand, not read from the registry: the activations analytic on the whole real line (no
# pieces, no kink), which must be flagged ``smooth`` and evaluate at complex z
SMOOTH = ("sigmoid", "tanh", "identity", "softplus", "silu", "gelu")

_NEAR = np.array([1e-8, 1e-12, 1e-20])
_BASE_GRID = np.unique(
    np.concatenate(
        [
            np.linspace(-30.0, 30.0, 2001),
            _NEAR,
            -_NEAR,
            1 + _NEAR[:1],
            1 - _NEAR[:1],
            -1 + _NEAR[:1],
            -1 - _NEAR[:1],
        ]
    )
)
EXTREMES = {np.float64: 1e300, np.float32: 3e38}


def _grid(name):
    """The [-30, 30] grid with the activation's own kinks left out."""
    kinks = list(KINK_DERIVATIVES.get(name, {}))
    return _BASE_GRID[~np.isin(_BASE_GRID, kinks)]


def _mp_value(name, x):
    with mpmath.workdps(50):
        return float(MP_REFERENCE[name](mpmath.mpf(float(x))))


def _mp_derivative(name, x):
    with mpmath.workdps(50):
        return float(mpmath.diff(MP_REFERENCE[name], mpmath.mpf(float(x))))


def _assert_relative(actual, expected, tol, z):
    """|actual - expected| <= tol |expected| entrywise (so an expected 0 must be exactly 0)."""
    actual = np.asarray(actual, dtype=np.float64)
    bad = ~(np.abs(actual - expected) <= tol * np.abs(expected))
    if bad.any():
        i = np.flatnonzero(bad)[:5]
        raise AssertionError(
            f"{bad.sum()} points off by more than {tol:g} relative, e.g. "
            f"z={z[i]}, got {actual[i]}, expected {expected[i]}"
        )


# --- registry ------------------------------------------------------------------


def test_registration_order():
    assert NAMES == (
        "sigmoid",
        "tanh",
        "identity",
        "relu",
        "leaky_relu",
        "elu",
        "selu",
        "softplus",
        "silu",
        "gelu",
        "softsign",
        "hard_tanh",
    )
    assert set(MP_REFERENCE) == set(NAMES)
    # every built-in activation is held to the full bars, against an independent reference here
    assert all(activations.get(n).reviewed for n in NAMES)
    # the built-ins come first; whatever follows was added with add-activation
    assert activations.names()[: len(activations.builtin_names())] == activations.builtin_names()
    assert activations.builtin_names(elementwise=False) == ("softmax",)


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_registered_under_its_name_with_declared_flags(name):
    act = activations.get(name)
    assert act.name == name
    assert act.smooth == (name in SMOOTH)
    assert (act.df_from_output is None) == (name in {"silu", "gelu"})


def test_every_generated_module_loads():
    # a generated impl/added/act_NAME.py that fails to load does not break `import impl`;
    # it is reported here (and by activations.get(NAME)), naming the file and the error
    assert not activations.load_errors(), "\n".join(activations.load_errors().values())


def test_get_unknown_name_lists_known_names():
    with pytest.raises(ValueError, match="activation") as info:
        activations.get("no-such-activation")
    for name in NAMES:
        assert name in str(info.value)


def test_get_non_string_is_a_type_error():
    with pytest.raises(TypeError, match="activation"):
        activations.get(3)


def test_register_rejects_duplicates_and_non_activations(monkeypatch):
    monkeypatch.setattr(activations, "_REGISTRY", activations._REGISTRY.copy())
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


# --- 1. accuracy against mpmath ---------------------------------------------------


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_f_matches_mpmath_to_1e_12_relative(name):
    z = _grid(name)
    expected = np.array([_mp_value(name, x) for x in z])
    _assert_relative(activations.get(name).f(z), expected, 1e-12, z)


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_df_matches_mpmath_to_1e_10_relative(name):
    z = _grid(name)
    expected = np.array([_mp_derivative(name, x) for x in z])
    _assert_relative(activations.get(name).df(z), expected, 1e-10, z)


def test_exact_zeros_where_the_true_value_is_zero():
    left = -np.array([1e-20, 1e-8, 1.0, 30.0, 1e4])
    outside = np.array([-1e4, -30.0, -1 - 1e-8, 1 + 1e-8, 30.0, 1e4])
    relu, hard_tanh = activations.get("relu"), activations.get("hard_tanh")
    assert (relu.f(left) == 0).all() and (relu.df(left) == 0).all()
    assert (hard_tanh.df(outside) == 0).all()
    assert (hard_tanh.df_from_output(hard_tanh.f(outside)) == 0).all()


def test_softplus_is_exact_beyond_pytorchs_linearisation_threshold():
    # PyTorch returns z itself above z = 20; the true value is z + log1p(e^{-z}).
    act = activations.get("softplus")
    z = np.array([20.5, 25.0, 30.0])
    expected = np.array([_mp_value("softplus", x) for x in z])
    assert (act.f(z) != z).all()
    _assert_relative(act.f(z), expected, 1e-15, z)


def test_sigmoid_output_form_loses_digits_in_the_tail_but_df_does_not():
    # Why backprop uses df(z): at z = 30, sigma(z) rounds so close to 1 that
    # a (1 - a) keeps almost no correct digits.
    act = activations.get("sigmoid")
    z = np.array([30.0])
    truth = _mp_derivative("sigmoid", 30.0)
    assert abs(act.df(z)[0] - truth) / truth < 1e-14
    assert abs(act.df_from_output(act.f(z))[0] - truth) / truth > 1e-4


# --- 2. kinks: PyTorch's convention, exactly ----------------------------------------


@pytest.mark.parametrize("name", list(KINK_DERIVATIVES), ids=list(KINK_DERIVATIVES))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_derivative_at_kinks_is_pytorchs_value_exactly(name, dtype):
    kinks = KINK_DERIVATIVES[name]
    act = activations.get(name)
    z = np.array(list(kinks), dtype=dtype)
    expected = np.array(list(kinks.values()), dtype=dtype)
    np.testing.assert_array_equal(act.df(z), expected)
    np.testing.assert_array_equal(act.df_from_output(act.f(z)), expected)


# --- 3. extremes: finite, warning-free, dtype-preserving ----------------------------


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_finite_warning_free_and_dtype_preserving_at_extremes(name, dtype):
    act = activations.get(name)
    big = EXTREMES[dtype]
    z = np.array([-big, -1e4, -800.0, -30.0, -1.0, 0.0, 1.0, 30.0, 800.0, 1e4, big], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        a = act.f(z)
        outputs = [a, act.df(z)]
        if act.df_from_output is not None:
            outputs.append(act.df_from_output(a))
    for out in outputs:
        assert out.dtype == dtype
        assert out.shape == z.shape
        assert np.isfinite(out).all()


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_nan_in_nan_out(name):
    # A NaN pre-activation stays NaN through f, and through f' too (even for the
    # piecewise-constant slopes), except identity's f' = 1, which ignores z.
    act = activations.get(name)
    z = np.array([np.nan, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act.f(z)
        outputs = [a]
        if name != "identity":
            outputs += [act.df(z)] + ([act.df_from_output(a)] if act.df_from_output else [])
    for out in outputs:
        assert np.isnan(out[0]) and np.isfinite(out[1])


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_float32_close_to_float64(name):
    act = activations.get(name)
    z32 = _grid(name).astype(np.float32)
    z32 = z32[~np.isin(z32, list(KINK_DERIVATIVES.get(name, {})))]
    z64 = z32.astype(np.float64)
    np.testing.assert_allclose(act.f(z32), act.f(z64), rtol=1e-6, atol=1e-30)
    # absolute slack for f' near its zeros (silu, gelu), where float32 cancels
    np.testing.assert_allclose(act.df(z32), act.df(z64), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_values_stay_in_declared_range(name, dtype):
    act = activations.get(name)
    big = EXTREMES[dtype]
    z = np.concatenate([_BASE_GRID, [-big, -1e4, -800.0, 800.0, 1e4, big]]).astype(dtype)
    low, high = act.range
    values = act.f(z).astype(np.float64)
    assert (values >= low).all() and (values <= high).all()


@pytest.mark.parametrize(
    ("name", "z_min"),
    [("silu", -1.2784645427610738), ("gelu", -0.7517915246935645)],
    ids=["silu", "gelu"],
)
def test_lower_bound_is_sharp_and_holds_around_the_minimum(name, z_min):
    # The bound is the true minimum rounded down; the computed f, rounded to
    # nearest, may dip below it by a couple of ulps right at the minimum.
    act = activations.get(name)
    low = act.range[0]
    with mpmath.workdps(50):
        true_min = MP_REFERENCE[name](mpmath.findroot(lambda x: mpmath.diff(MP_REFERENCE[name], x), z_min))
        assert low <= true_min < low + 2 * EPS * abs(low)
    z = z_min + np.linspace(-1e-6, 1e-6, 20001)
    assert (act.f(z) >= low - 4 * np.spacing(abs(low))).all()
    z32 = (z_min + np.linspace(-1e-3, 1e-3, 20001)).astype(np.float32)
    assert (act.f(z32).astype(np.float64) >= low - 4 * np.spacing(np.float32(abs(low)))).all()


def test_declared_ranges():
    expected = {
        "sigmoid": (0.0, 1.0),
        "tanh": (-1.0, 1.0),
        "identity": (-np.inf, np.inf),
        "relu": (0.0, np.inf),
        "leaky_relu": (-np.inf, np.inf),
        "elu": (-1.0, np.inf),
        "selu": (-1.0507009873554804934193349852946 * 1.6732632423543772848170429916717, np.inf),
        "softplus": (0.0, np.inf),
        "softsign": (-1.0, 1.0),
        "hard_tanh": (-1.0, 1.0),
    }
    for name, bounds in expected.items():
        assert activations.get(name).range == bounds
    assert activations.get("silu").range[0] == pytest.approx(-0.2784645427610738, rel=1e-15)
    assert activations.get("gelu").range[0] == pytest.approx(-0.16997120747990366, rel=1e-15)


# --- 4. output form agrees with df ------------------------------------------------


WITH_OUTPUT_FORM = [n for n in NAMES if activations.get(n).df_from_output is not None]


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_output_form_exists_exactly_where_the_spec_proves_one(name):
    from spec import activations as spec_activations

    has_spec = spec_activations.get(name).output_form is not None
    assert (activations.get(name).df_from_output is not None) == has_spec


@pytest.mark.parametrize("name", WITH_OUTPUT_FORM, ids=WITH_OUTPUT_FORM)
def test_output_form_agrees_with_df(name):
    act = activations.get(name)
    z = _grid(name)
    z = z[np.abs(z) <= 5]
    a = act.f(z)
    d = act.df(z)
    # The output form sees a = f(z) rounded to a few ulps; its intrinsic loss is
    # that error times the slope of a -> f'(f^{-1}(a)), i.e. f''(z) / f'(z).
    # (Estimated by a central difference of df; 0 within 2h of a kink, where the
    # difference would straddle the kink, and where f' = 0 on an interval.)
    h = 1e-6
    d2 = (act.df(z + h) - act.df(z - h)) / (2 * h)
    kinks = np.array(list(KINK_DERIVATIVES.get(name, {})) or [np.inf])
    near_kink = np.abs(z[:, None] - kinks[None, :]).min(axis=1) < 2 * h
    slope = np.where(near_kink | (d == 0), 0.0, np.abs(d2) / np.where(d == 0, 1.0, np.abs(d)))
    tol = 1e-12 * np.abs(d) + 4 * EPS * np.abs(a) * slope
    err = np.abs(act.df_from_output(a) - d)
    assert (err <= tol).all(), z[err > tol][:5]


# --- 5. complex step through the smooth activations --------------------------------


@pytest.mark.parametrize("name", SMOOTH, ids=SMOOTH)
def test_complex_step_reproduces_df(name):
    act = activations.get(name)
    z = np.linspace(-5.0, 5.0, 1001)
    h = 1e-20
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = act.f(z + h * 1j)
    assert np.iscomplexobj(out)
    np.testing.assert_allclose(out.imag / h, act.df(z), rtol=1e-12, atol=0)
    # Re f(z + ih) = f(z) - h^2 f''(z) / 2: the h^2 term shows only where f(z) = 0
    np.testing.assert_allclose(out.real, act.f(z), rtol=1e-14, atol=1e-30)


@pytest.mark.parametrize("name", SMOOTH, ids=SMOOTH)
def test_complex_input_is_warning_free_at_large_real_part(name):
    act = activations.get(name)
    z = np.array([-800.0, -30.0, 30.0, 800.0]) + 1e-20j
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = act.f(z)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out.real, act.f(z.real), rtol=1e-14, atol=0)


@pytest.mark.parametrize("name", SMOOTH, ids=SMOOTH)
def test_complex_step_is_finite_and_accurate_across_the_whole_range(name):
    # Where e^z is tiny, Im f(z + ih) is subnormal: a formula dividing by it
    # returned NaN for z in about (-745, -600) (softplus, before the fix).
    act = activations.get(name)
    z = np.linspace(-760.0, 40.0, 8001)
    h = 1e-20
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = act.f(z + h * 1j)
    assert np.isfinite(out).all()
    # where h f'(z) is a normal number, Im f / h is f'(z) to rounding
    df = act.df(z)
    normal = np.abs(df) * h > 1e-290
    np.testing.assert_allclose(out.imag[normal] / h, df[normal], rtol=1e-12, atol=0)


def _ulps(values, reference):
    """|values - reference| in units in the last place of the float64 reference (subnormals included)."""
    spacing = np.spacing(np.abs(reference))
    return np.abs(values - reference) / np.where(spacing == 0, 5e-324, spacing)


def test_complex_exp_shortcut_is_within_two_ulps_of_the_exact_value():
    # The sigmoid's complex path takes e^{x+iy} = e^x + i e^x y for |y| < 1e-8.
    # Compared with e^w at 100 digits, not with NumPy's complex exp: NumPy's own
    # result differs by one ulp between its AVX2 and AVX-512 paths (seen on an
    # AVX-512 EPYC: 900 of 20,004 values). Bound: e^x within 1 ulp (measured 1.0
    # on AVX-512, NumPy 2.4), then one rounded product for the imaginary part, 2 ulp.
    import mpmath

    from impl.activations import _exp_complex

    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-745, 0, 3000), [0.0, -0.0, -1e-300, -745.2, -708.5, -1e-8]])
    y = rng.uniform(-1, 1, x.size) * 10.0 ** rng.uniform(-300, -8, x.size)
    out = _exp_complex(x + 1j * y)
    with mpmath.workprec(340):
        exact = [mpmath.exp(mpmath.mpc(xi, yi)) for xi, yi in zip(x, y)]
    assert _ulps(out.real, np.array([float(e.real) for e in exact])).max() <= 2
    assert _ulps(out.imag, np.array([float(e.imag) for e in exact])).max() <= 2


def test_complex_exp_shortcut_falls_back_to_numpys_complex_exp():
    from impl.activations import _exp_complex

    rng = np.random.default_rng(1)
    w = rng.uniform(-745, 0, 200) + 0.5j
    # with a larger imaginary part it is NumPy's complex exp itself (the same call, same machine)
    np.testing.assert_array_equal(_exp_complex(w), np.exp(w))
    # a NaN imaginary part anywhere must not switch the shortcut on for the rest
    mixed = np.array([-1 + 0.5j, complex(-1.0, np.nan)])
    with np.errstate(invalid="ignore"):
        assert _exp_complex(mixed)[0] == np.exp(mixed)[0]


# --- closed forms ------------------------------------------------------------------


def test_known_closed_forms():
    get = activations.get
    assert get("sigmoid").f(np.array([0.0]))[0] == 0.5
    assert get("sigmoid").df(np.array([0.0]))[0] == 0.25
    assert get("tanh").df(np.array([0.0]))[0] == 1.0
    assert get("softplus").f(np.array([0.0]))[0] == pytest.approx(np.log(2), rel=1e-16)
    assert get("softplus").df(np.array([0.0]))[0] == 0.5
    assert get("silu").df(np.array([0.0]))[0] == 0.5
    assert get("gelu").df(np.array([0.0]))[0] == 0.5
    assert get("softsign").f(np.array([1.0]))[0] == 0.5
    assert get("leaky_relu").f(np.array([-2.0]))[0] == -0.02
    np.testing.assert_array_equal(get("hard_tanh").f(np.array([-3.0, 0.5, 3.0])), [-1.0, 0.5, 1.0])


@pytest.mark.parametrize("name", activations.names(), ids=activations.names())
def test_f_into_writes_f_into_a_strided_view(name):
    # training writes a[l] = f(z[l]) into the left part of [a[l] | 1] (impl._sgd)
    act = activations.get(name)
    z = np.linspace(-40, 40, 4 * 7).reshape(4, 7)
    kept = z.copy()
    expected = act.f(kept)
    buffer = np.full((4, 8), 7.0)
    act.f_into(z, buffer[:, :-1])
    np.testing.assert_array_equal(buffer[:, :-1], expected)
    np.testing.assert_array_equal(buffer[:, -1], 7.0)
    # z is only read
    np.testing.assert_array_equal(z, kept)


def test_copies_share_registry_entries():
    # losses and training pick stable forms by identity (act is sigmoid)
    import copy

    for name in activations.names():
        act = activations.get(name)
        assert copy.copy(act) is act and copy.deepcopy(act) is act
