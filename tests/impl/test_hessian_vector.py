"""Hessian-vector products of the loss: impl's gradients differentiated numerically against the spec's exact H·v.

The exact H·v is Pearlmutter's R-operator, the directional derivative
\\(R\\{\\cdot\\} = \\frac{d}{dt}\\big|_{t=0}\\) of every forward and backward quantity
along a direction \\(v = (V, c)\\) of the weights and biases, written in the
column layout of the math and evaluated with the spec's lambdified \\(f\\),
\\(f'\\) and \\(f''\\) (the second derivative enters only from the spec):

    R z[l]     = V[l] a[l-1] + W[l] R a[l-1] + c[l]
    R a[l]     = f'(z[l]) R z[l]
    R delta[D] = R a[D] f'(z[D]) + (a[D] - y) f''(z[D]) R z[D]                 (mse)
    R delta[l] = (V[l+1]^T delta[l+1] + W[l+1]^T R delta[l+1]) f'(z[l])
                 + (W[l+1]^T delta[l+1]) f''(z[l]) R z[l]
    R dL/dW[l] = R delta[l] a[l-1]^T + delta[l] (R a[l-1])^T,   R dL/db[l] = sum over samples of R delta[l]

The R-operator itself is checked first against SymPy: the directional
derivative of the spec's symbolic gradient (``sympy.diff`` of the whole
network's loss, no backprop) at 30 digits.
"""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from impl import Network
from spec import activations as spec_activations
from spec import losses, numeric
from spec.network import SymbolicNetwork

#: Smooth activations (no piece boundaries), so that central differences of the gradient are valid everywhere.
SMOOTH = [n for n in spec_activations.names(elementwise=True) if not spec_activations.get(n).piece_boundaries]


def spec_hvp(sizes, hidden, output, weights, biases, X, Y, V, c):
    """The exact H·v of the mse loss (reduction sum) by the R-operator, with the spec's f, f', f''."""
    D = len(sizes) - 1
    f = [None] + [spec_activations.get(hidden)] * (D - 1) + [spec_activations.get(output)]
    W, b = [None, *weights], [None, *biases]
    # the plain forward and backward passes: the spec's shared recurrence (spec.numeric), column layout
    z, a = numeric.forward(W, b, f, X.T)
    delta, _, _ = numeric.backward(W, b, f, z, a, (a[D] - Y.T) * f[D].derived(1).numpy(z[D]))
    # their directional derivatives along (V, c)
    Ra, Rz = [np.zeros_like(a[0])] + [None] * D, [None] * (D + 1)
    for l in range(1, D + 1):
        # R z[l] = V[l] a[l-1] + W[l] R a[l-1] + c[l];  R a[l] = f'(z[l]) R z[l]
        Rz[l] = V[l - 1] @ a[l - 1] + W[l] @ Ra[l - 1] + c[l - 1][:, None]
        Ra[l] = f[l].derived(1).numpy(z[l]) * Rz[l]
    Rdelta = [None] * (D + 1)
    # R delta[D] = R a[D] f'(z[D]) + (a[D] - y) f''(z[D]) R z[D]
    Rdelta[D] = Ra[D] * f[D].derived(1).numpy(z[D]) + (a[D] - Y.T) * f[D].derived(2).numpy(z[D]) * Rz[D]
    for l in range(D - 1, 0, -1):
        # R delta[l] = (V[l+1]^T delta[l+1] + W[l+1]^T R delta[l+1]) f'(z[l]) + (W[l+1]^T delta[l+1]) f''(z[l]) R z[l]
        back = W[l + 1].T @ delta[l + 1]
        Rdelta[l] = ((V[l].T @ delta[l + 1] + W[l + 1].T @ Rdelta[l + 1]) * f[l].derived(1).numpy(z[l])
                     + back * f[l].derived(2).numpy(z[l]) * Rz[l])
    HW = [Rdelta[l] @ a[l - 1].T + delta[l] @ Ra[l - 1].T for l in range(1, D + 1)]
    Hb = [Rdelta[l].sum(axis=1) for l in range(1, D + 1)]
    return HW, Hb


def _flat(Ws, bs):
    return np.concatenate([np.concatenate([W.ravel(), b.ravel()]) for W, b in zip(Ws, bs)])


def _sympy_hvp(sizes, hidden, output, weights, biases, x, y, V, c):
    """d/dt of the spec's symbolic gradient (sympy.diff of the loss of one sample) at theta + t v, t = 0, 30 digits."""
    net = SymbolicNetwork.build(sizes, samples=1)
    _, a = net.forward(net.x[0], spec_activations.get(hidden), spec_activations.get(output))
    loss = losses.get("mse")
    total = sum(loss.expr.subs({spec_activations.a: a[net.D][k], losses.y: net.y[0][k]}) for k in range(sizes[-1]))
    symbols = [s for l in range(1, net.D + 1) for s in (*net.W[l], *net.b[l])]
    t = sp.Symbol("t")
    theta, direction = _flat(weights, biases), _flat(V, c)
    point = {s: sp.Float(float(v), 30) + t * sp.Float(float(d), 30) for s, v, d in zip(symbols, theta, direction)}
    point |= {s: sp.Float(float(v), 30) for s, v in zip(net.x[0], x)}
    point |= {s: sp.Float(float(v), 30) for s, v in zip(net.y[0], y)}
    out = []
    for s in symbols:
        along = sp.diff(total, s).subs(point)
        out.append(float(sp.diff(along, t).subs(t, 0).evalf(30)))
    return np.array(out)


@pytest.mark.parametrize("hidden, output", [("sigmoid", "sigmoid"), ("tanh", "identity"), ("gelu", "softplus")])
def test_the_r_operator_equals_sympy_on_a_small_network(hidden, output):
    sizes = (1, 2, 1)
    rng = np.random.default_rng(3)
    weights = [rng.normal(size=(2, 1)), rng.normal(size=(1, 2))]
    biases = [rng.normal(size=2), rng.normal(size=1)]
    V = [rng.normal(size=(2, 1)), rng.normal(size=(1, 2))]
    c = [rng.normal(size=2), rng.normal(size=1)]
    x, y = rng.normal(size=1), rng.uniform(size=1)
    HW, Hb = spec_hvp(sizes, hidden, output, weights, biases, x[None, :], y[None, :], V, c)
    exact = _sympy_hvp(sizes, hidden, output, weights, biases, x, y, V, c)
    np.testing.assert_allclose(_flat(HW, Hb), exact, rtol=1e-12, atol=1e-14)


@st.composite
def small_networks(draw):
    widths = st.integers(1, 3)
    sizes = (draw(widths), *[draw(widths) for _ in range(draw(st.integers(1, 2)))], draw(st.integers(1, 2)))
    hidden = draw(st.sampled_from(SMOOTH))
    output = draw(st.sampled_from(SMOOTH))
    samples = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    return sizes, hidden, output, samples, seed


#: Central differences of an exact gradient along a unit direction: the error is
#: h^2/6 |d^3 g/dt^3| (truncation) + about eps |g| / h (rounding of the two gradients).
#: h = 1e-5 balances them near eps^(2/3): both terms about 1e-11 for the O(1) to O(10)
#: weights and inputs drawn here; the bound 1e-7 leaves room for larger third derivatives.
STEP = 1e-5
TOLERANCE = 1e-7


def fd_hvp(net, X, Y, V, c):
    """(grad(theta + h v) - grad(theta - h v)) / 2h with impl's gradients."""
    W0, b0 = [W.copy() for W in net.weights], [b.copy() for b in net.biases]
    grads = []
    for sign in (1, -1):
        for l in range(len(W0)):
            net.weights[l][...] = W0[l] + sign * STEP * V[l]
            net.biases[l][...] = b0[l] + sign * STEP * c[l]
        dW, db = net.gradients(X, Y)
        grads.append(_flat(dW, db))
    for l in range(len(W0)):
        net.weights[l][...], net.biases[l][...] = W0[l], b0[l]
    return (grads[0] - grads[1]) / (2 * STEP)


@settings(max_examples=60, deadline=None)
@given(small_networks())
def test_finite_differences_of_impl_gradients_match_the_spec_hessian_vector_product(case):
    sizes, hidden, output, samples, seed = case
    rng = np.random.default_rng(seed)
    net = Network(list(sizes), activation=hidden, output_activation=output, loss="mse", reduction="sum", seed=seed)
    X = rng.normal(size=(samples, sizes[0]))
    Y = rng.uniform(size=(samples, sizes[-1]))
    V = [rng.normal(size=W.shape) for W in net.weights]
    c = [rng.normal(size=b.shape) for b in net.biases]
    norm = np.linalg.norm(_flat(V, c))
    V, c = [v / norm for v in V], [u / norm for u in c]
    HW, Hb = spec_hvp(sizes, hidden, output, net.weights, net.biases, X, Y, V, c)
    exact = _flat(HW, Hb)
    numeric = fd_hvp(net, X, Y, V, c)
    scale = 1 + np.max(np.abs(exact))
    assert np.max(np.abs(numeric - exact)) <= TOLERANCE * scale, (sizes, hidden, output, numeric, exact)
