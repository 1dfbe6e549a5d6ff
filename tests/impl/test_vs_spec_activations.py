"""Every activation in the spec registry: impl's hand-written NumPy against the spec in high precision.

Parametrised over ``spec.activations.names()`` with the name as the test id,
so ``pytest -k gelu`` runs one activation. An activation in the spec with no
NumPy implementation fails here, by name.
"""

import functools

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import impl.activations
from spec import activations as spec_activations

NAMES = spec_activations.names()
# f, f' and the output form entry by entry: the elementwise activations (softmax, a vector
# activation, is checked against the spec's Jacobian in test_impl_softmax_vs_spec below)
ELEMENTWISE = spec_activations.names(elementwise=True)
# Starting implementations from `add-activation` (reviewed=False) are held to agreement
# with the spec on moderate inputs; reviewed ones to the full bars.
REVIEWED = [n for n in ELEMENTWISE if n in impl.activations.names() and impl.activations.get(n).reviewed]


@functools.lru_cache(maxsize=None)
def reference(name):
    """The spec's f, f' and output form lambdified for mpmath."""
    act = spec_activations.get(name)
    f = sp.lambdify(spec_activations.z, act.expr, modules="mpmath")
    df = sp.lambdify(spec_activations.z, act.derivative, modules="mpmath")
    g = None if act.output_form is None else sp.lambdify(spec_activations.a, act.output_form, modules="mpmath")
    return f, df, g


def implementation(name):
    if name not in impl.activations.names():
        problem = impl.activations.load_errors().get(name)
        if problem:  # a generated impl/added/act_NAME.py that failed to load: the file and the error
            pytest.fail(f"activation {name!r} is in the spec but its NumPy implementation did not load: {problem}")
        pytest.fail(f"activation {name!r} is in the spec but has no NumPy implementation in impl.activations")
    return impl.activations.get(name)


def _rel(actual, exact):
    exact = mpmath.mpf(exact)
    if exact == 0:
        return 0.0 if actual == 0 else float("inf")
    return float(abs(mpmath.mpf(float(actual)) - exact) / abs(exact))


# |z| >= 1e-250 or 0: below that some outputs (0.01 z, z sigma(z)) are subnormal floats,
# which cannot hold 12 significant digits.
@pytest.mark.parametrize("name", ELEMENTWISE, ids=ELEMENTWISE)
@given(
    t=st.floats(-30, 30).filter(lambda t: t == 0 or abs(t) >= 1e-250)
    | st.sampled_from([-30.0, -1.0, -1e-12, 0.0, 1e-12, 1.0, 30.0])
)
def test_f_and_df_match_the_spec_in_high_precision(name, t):
    act = implementation(name)
    f, df, _ = reference(name)
    if act.reviewed:
        bound, f_tol, df_tol = 30.0, 1e-12, 1e-10
    else:
        # textbook formulas such as 1 - tanh(z)^2 cancel up to e^{2|z|} eps ~ 5e-12 for |z| <= 5
        bound, f_tol, df_tol = 5.0, 1e-9, 1e-9
    if abs(t) > bound:
        t = bound * np.sign(t)
    # 450 digits, not 50: for z as small as 1e-320, e^z - 1 (ELU) cancels about 320 digits.
    with mpmath.workdps(450):
        z = mpmath.mpf(t)
        assert _rel(act.f(np.array([t]))[0], f(z)) <= f_tol
        # kinks included: impl and spec follow the same convention there
        assert _rel(act.df(np.array([t]))[0], df(z)) <= df_tol


@pytest.mark.parametrize("name", ELEMENTWISE, ids=ELEMENTWISE)
@given(t=st.floats(-5, 5))
def test_output_form_matches_the_spec(name, t):
    act = implementation(name)
    f, df, g = reference(name)
    assert (act.df_from_output is None) == (g is None)
    if g is None:
        return
    with mpmath.workdps(50):
        a = act.f(np.array([t]))
        # g evaluated by the spec at the same (rounded) output: equal up to rounding in g itself
        assert _rel(act.df_from_output(a)[0], g(mpmath.mpf(float(a[0])))) <= (1e-12 if act.reviewed else 1e-8)


@pytest.mark.parametrize("name", REVIEWED, ids=REVIEWED)
@given(t=st.floats(-1e4, 1e4))
def test_finite_far_into_the_tails(name, t):
    act = implementation(name)
    for dtype in (np.float64, np.float32):
        z = np.array([t], dtype=dtype)
        for fn in (act.f, act.df):
            out = fn(z)
            assert out.dtype == dtype and np.isfinite(out).all()


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_float32_in_float32_out(name):
    act = implementation(name)
    z = np.linspace(-5, 5, 101, dtype=np.float32)
    assert act.f(z).dtype == np.float32
    if not act.elementwise:
        assert act.vjp(z, act.f(z), np.ones_like(z)).dtype == np.float32
        return
    assert act.df(z).dtype == np.float32
    if act.df_from_output is not None:
        assert act.df_from_output(act.f(z)).dtype == np.float32


@pytest.mark.parametrize("role", ["hidden", "output"])
@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_network_gradients_with_this_activation(name, role):
    """Each activation in a hidden and in the output layer: impl against the spec and central differences."""
    from spec.oracle import Oracle

    implementation(name)
    hidden, output = (name, "sigmoid") if role == "hidden" else ("tanh", name)
    # with the half squared error, whose delta is J^T (a - y) for a vector output
    net = impl.Network((3, 4, 2), hidden, output, "mse", "sum", seed=1)
    rng = np.random.default_rng(2)
    X = rng.uniform(-2, 2, size=(5, 3))
    Y = rng.uniform(-1, 1, size=(5, 2))
    oracle = Oracle(net.sizes, hidden, output, "mse", "sum")
    dW, db = net.gradients(X, Y)
    dW_spec, db_spec = oracle.gradients(net.weights, net.biases, X, Y)
    analytic = np.concatenate([g.ravel() for g in dW + db])
    spec_grad = np.concatenate([g.ravel() for g in dW_spec + db_spec])
    np.testing.assert_allclose(analytic, spec_grad, rtol=1e-10, atol=1e-12 * np.max(np.abs(spec_grad)))
    # central differences on the spec's loss, one parameter at a time
    params = [p for p in net.weights + net.biases]
    numeric = []
    for p in params:
        for index in np.ndindex(p.shape):
            keep = p[index]
            h = 1e-6 * max(1.0, abs(keep))
            p[index] = keep + h
            up = oracle.loss_value(net.weights, net.biases, X, Y)
            p[index] = keep - h
            down = oracle.loss_value(net.weights, net.biases, X, Y)
            p[index] = keep
            numeric.append((up - down) / (2 * h))
    # step 1e-6: truncation ~1e-12 * f''' and rounding ~1e-16 |L| / 1e-6 ~ 1e-10 |L|; these draws stay
    # away from kinks (z = 0 or +-1 exactly has probability 0 for uniform inputs and normal weights)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", spec_activations.names(elementwise=False))
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 8))
def test_vector_activation_matches_the_spec_jacobian(name, seed, n):
    """impl's f and backward (J^T g) against the spec's component and its SymPy Jacobian, in high precision."""
    act, spec_act = implementation(name), spec_activations.get(name)
    rng = np.random.default_rng(seed)
    z, grad = rng.normal(scale=5, size=n), rng.normal(size=n)
    symbols = spec_act.zs(n)
    f = sp.lambdify(list(symbols), list(spec_act.vector(n)), modules="mpmath")
    J = sp.lambdify(list(symbols), spec_act.jacobian(n), modules="mpmath")
    with mpmath.workdps(50):
        args = [mpmath.mpf(float(v)) for v in z]
        exact_f = [mpmath.mpf(v) for v in f(*args)]
        exact_J = mpmath.matrix(J(*args))
        exact_vjp = [sum(exact_J[i, j] * mpmath.mpf(float(grad[i])) for i in range(n)) for j in range(n)]
    a = act.f(z)
    for got, exact in zip(a, exact_f):
        assert _rel(got, exact) <= 1e-12
    # J^T g = a_j (g_j - sum_i g_i a_i) cancels inside the bracket: each entry within a few
    # rounding errors of that bracket's terms and of a_j (e^{z_j - m} carries ~|z_j - m| eps),
    # 64 eps a_j (|g_j| + sum_i |g_i| a_i)
    spread = [float(np.abs(grad) @ a)]
    for j, (got, exact) in enumerate(zip(act.vjp(z, a, grad), exact_vjp)):
        assert abs(float(got) - float(exact)) <= 64 * np.finfo(float).eps * a[j] * (abs(grad[j]) + spread[0])
