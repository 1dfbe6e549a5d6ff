"""Softmax and cross-entropy in the spec: the Jacobian, its output form, the fused output error, backprop, oracles."""

import re
import subprocess
import sys

import mpmath
import numpy as np
import pytest
import sympy as sp

from spec import activations, losses, network
from spec.activations import NotElementwiseError
from spec.network import prove_backprop
from spec.oracle import DirectOracle, Oracle
from spec.proof import prove_equal, prove_matrix_equal

softmax = activations.get("softmax")


# --- the registry: a vector activation beside the elementwise ones -------------------------------


def test_softmax_is_registered_as_a_vector_activation():
    assert "softmax" in activations.names()
    assert activations.names(elementwise=False) == ("softmax",)
    assert "softmax" not in activations.names(elementwise=True)
    assert set(activations.names(elementwise=True)) | {"softmax"} == set(activations.names())
    assert softmax.elementwise is False and softmax.output_set == "simplex"
    assert softmax.range == (0, 1)
    assert all(activations.get(name).elementwise and activations.get(name).output_set == "interval"
               for name in activations.names(elementwise=True))


def test_code_that_needs_an_elementwise_activation_says_so():
    # what only an elementwise activation has raises a clear error, never a wrong number
    for attribute in ("expr", "symbolic_expr", "derivative"):
        with pytest.raises(NotElementwiseError, match="softmax is a vector activation"):
            getattr(softmax, attribute)
    for order in (1, 2, 3):  # f', f'' and beyond, with what is derived from them (output forms, numpy oracles)
        with pytest.raises(NotElementwiseError, match="softmax is a vector activation"):
            softmax.derived(order)
    with pytest.raises(NotElementwiseError, match="plot of f: 'softmax' is a vector activation.*sigmoid"):
        activations.require_elementwise(softmax, "plot of f")
    assert activations.require_elementwise(activations.get("tanh"), "plot of f").name == "tanh"
    with pytest.raises(NotElementwiseError, match="the output error l'\\(a\\) f'\\(z\\)"):
        losses.OutputDelta(losses.ce, softmax)
    with pytest.raises(ValueError, match="n: softmax is a vector activation"):
        losses.ce.output_delta("softmax")


def test_no_elementwise_output_form_and_the_reason_is_the_off_diagonal():
    assert softmax.output_form is None
    reason = softmax.why_not_elementwise(1)
    assert "off-diagonal" in reason and "aᵢ alone does not determine row i" in reason


# --- the Jacobian, derived, and its output form, derived and proven --------------------------------


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_jacobian_output_form_is_diag_a_minus_a_a_transpose_proven(n):
    G = softmax.jacobian_output_form(n)
    a = softmax.As(n)
    # the derivation found exactly diag(a) - a a^T (typed here, in the test only)
    assert (G - (sp.diag(*a) - a * a.T)).applyfunc(sp.expand) == sp.zeros(n, n)
    proofs = softmax.proofs(n)
    assert proofs and all(p.ok for p in proofs), [str(p) for p in proofs]
    assert any(p.claim.startswith(f"softmax: J(z) = G(f(z)) for n = {n}") for p in proofs)
    assert any(p.claim == f"softmax: Σᵢ fᵢ(z) = 1 for n = {n}" for p in proofs)
    assert "s cancelled" in softmax.jacobian_output_form_reason(n)


def test_jacobian_for_any_number_of_units():
    i, k = activations.i, activations.k
    A = activations.A
    G = softmax.general_jacobian_output_form
    assert sp.expand(G - A[i] * (sp.KroneckerDelta(i, k) - A[k])) == 0
    proofs = softmax.general_proofs()
    assert [p.ok for p in proofs] == [True, True], [str(p) for p in proofs]
    assert proofs[0].claim == "softmax: Σᵢ fᵢ(z) = 1 for any number of units n"
    # a wrong general identity is not proven
    from spec.proof import prove_equal as prove

    wrong = (A[i] * (1 - A[i])).subs(A[i], softmax.component)
    assert not prove("diagonal only", wrong * sp.KroneckerDelta(i, k), softmax.general_jacobian).ok


def test_a_wrong_jacobian_output_form_is_not_proven():
    n = 3
    a = softmax.As(n)
    back = dict(zip(a, softmax.vector(n)))
    # the elementwise mistake: a_i (1 - a_i) on the diagonal and nothing off it
    wrong = sp.diag(*[t * (1 - t) for t in a])
    assert not prove_matrix_equal("wrong", wrong.xreplace(back), softmax.jacobian(n)).ok


def test_jacobian_matches_finite_differences_and_mpmath():
    rng = np.random.default_rng(1)
    z = rng.normal(scale=3.0, size=(4, 6))
    J = softmax.numpy_jacobian(z)
    assert J.shape == (4, 4, 6)
    h = 1e-6
    for m in range(4):
        step = np.zeros_like(z)
        step[m] = h
        numeric = (softmax.numpy_f(z + step) - softmax.numpy_f(z - step)) / (2 * h)
        np.testing.assert_allclose(J[:, m, :], numeric, rtol=1e-7, atol=1e-10)
    # one column exactly, at 40 digits, with mpmath's own derivative of the component
    with mpmath.workdps(40):
        point = [mpmath.mpf(float(v)) for v in z[:, 0]]

        def f(t, *zs):
            return mpmath.exp(zs[t]) / mpmath.fsum(mpmath.exp(v) for v in zs)

        for t in range(4):
            for m in range(4):
                exact = mpmath.diff(lambda v: f(t, *(point[:m] + [v] + point[m + 1:])), point[m])
                assert abs(J[t, m, 0] - float(exact)) <= 1e-14 * max(1.0, abs(float(exact)))


def test_oracle_softmax_is_within_1e_12_of_mpmath():
    rng = np.random.default_rng(2)
    worst = 0.0
    for n in (2, 3, 5, 10):
        z = rng.uniform(-30, 30, size=(n, 50))
        values = softmax.numpy_f(z)
        with mpmath.workdps(50):
            for s in range(z.shape[1]):
                column = [mpmath.mpf(float(v)) for v in z[:, s]]
                total = mpmath.fsum(mpmath.exp(v) for v in column)
                for t in range(n):
                    exact = mpmath.exp(column[t]) / total
                    worst = max(worst, float(abs(values[t, s] - exact) / exact))
    assert worst <= 1e-12, worst
    np.testing.assert_allclose(softmax.numpy_f(z).sum(axis=0), 1.0, rtol=1e-14)
    assert softmax.numpy_f(np.array([0.0, 0.0])).tolist() == [0.5, 0.5]
    # one unit: the constant 1, with a zero Jacobian, shaped like z
    assert softmax.numpy_f(np.zeros((1, 4))).tolist() == [[1.0] * 4]
    assert softmax.numpy_jacobian(np.zeros((1, 4))).tolist() == [[[0.0] * 4]]


# --- cross-entropy: the fused output error, for each n and for every n -----------------------------


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_fused_delta_proven_for_n_units(n):
    delta = losses.ce.output_delta("softmax", n)
    assert delta.ok, [str(p) for p in delta.proofs if not p.ok]
    a, y = delta.As, delta.ys
    # a * sum(y) - y in general, a - y when the targets sum to 1
    assert (delta.in_a - (a * sum(y) - y)).applyfunc(sp.expand) == sp.zeros(n, 1)
    assert (delta.in_a_unit_targets - (a - y)).applyfunc(sp.expand) == sp.zeros(n, 1)
    claims = " | ".join(p.claim for p in delta.proofs)
    assert "J^T grad_a l" in claims and "when the targets sum to 1" in claims
    assert "when the targets do not sum to 1" in claims


def test_general_identity_for_any_number_of_units():
    general = losses.general_output_delta("ce", "softmax")
    assert general.ok, [str(p) for p in general.proofs]
    k, i, n = activations.k, activations.i, activations.n
    total = sp.Sum(losses.Y[i], (i, 0, n - 1))
    assert sp.expand(general.in_a - (losses.A[k] * total - losses.Y[k])) == 0
    assert sp.expand(general.in_a_unit_targets - (losses.A[k] - losses.Y[k])) == 0
    claims = [p.claim for p in losses.prove_softmax_ce_cancellation()]
    assert claims[0].startswith("delta_k = d/dz_k [Σᵢ −yᵢ·log(softmax_i(z))] = aₖ·Σᵢ yᵢ − yₖ")
    # what delta is when the targets do not sum to 1
    assert any("c·aₖ − yₖ" in c and "(c − 1)·aₖ" in c for c in claims)
    assert not any("Sum(" in c or "Indexed" in c for c in claims)


def test_a_wrong_delta_is_caught():
    # delta = a - y, forgetting the sum(y) factor: wrong for soft targets, and the proof says so
    n = 3
    delta = losses.ce.output_delta("softmax", n)
    back = dict(zip(delta.As, softmax.vector(n)))
    wrong = (delta.As - delta.ys).xreplace(back)
    assert not prove_matrix_equal("delta = a - y", wrong, delta.in_z).ok
    # ... and right once the targets are constrained to sum to 1: the check tells the two apart
    unit = {delta.ys[-1]: 1 - sum(delta.ys[:-1])}
    assert prove_matrix_equal("delta = a - y, sum y = 1", wrong.xreplace(unit), delta.in_z.xreplace(unit)).ok
    # the same in the general identity, with n symbolic
    general = losses.general_output_delta("ce", "softmax")
    k = activations.k
    assert not prove_equal("a_k - y_k", general.component_k - losses.Y[k], general.in_z).ok


def test_sigmoid_bce_cancellation_is_kept():
    assert losses.prove_sigmoid_bce_cancellation().ok


# --- compatibility, declared on the entries ---------------------------------------------------------


def test_losses_declare_requirements_and_default_outputs():
    assert [(losses.get(n).requires, losses.get(n).default_output) for n in ("mse", "bce", "ce")] == [
        (None, "sigmoid"), ("unit_interval", "sigmoid"), ("simplex", "softmax"),
    ]
    for name in losses.names():
        loss = losses.get(name)
        assert loss.requires in losses.REQUIREMENTS
        assert losses.compatible(loss, loss.default_output)
    # decided by the declarations: any activation with the same declarations gets the same answer
    assert [n for n in activations.names() if losses.compatible("ce", n)] == ["softmax"]
    assert losses.compatible("bce", "sigmoid") and not losses.compatible("bce", "softmax")
    assert all(losses.compatible("mse", n) for n in activations.names())


@pytest.mark.parametrize(
    "loss, output", [("bce", "softmax"), ("ce", "sigmoid"), ("ce", "tanh"), ("ce", "identity")]
)
def test_incompatible_pairs_are_refused_naming_output_activation(loss, output):
    with pytest.raises(ValueError, match=f"^output_activation: the {loss} loss needs .*'{output}'"):
        prove_backprop((2, 2, 2), "sigmoid", output, loss)
    with pytest.raises(ValueError, match="^output_activation: "):
        Oracle((2, 2, 2), "sigmoid", output, loss)
    with pytest.raises(ValueError, match="^output_activation: "):
        losses.get(loss).output_delta(output, 2)


# --- backprop, proven for softmax networks ----------------------------------------------------------


def test_prove_softmax_ce():
    # the 4,5,3 runs as a user runs it in test_cli_prove_softmax_ce_in_a_child_process
    result = prove_backprop((2, 4, 3), "sigmoid", "softmax", "ce")
    assert len(result.parameters) == 2 * 4 + 4 + 4 * 3 + 3
    assert result.ok, [str(p) for p in result.parameters + result.instantiation if not p.ok]
    claims = " | ".join(p.claim for p in result.instantiation)
    assert "tau = softmax on 3 units" in claims and "G(f(z)) for n = 3" in claims
    assert "any number of units n" in claims
    assert result.recurrence[0].startswith("delta(D)_m = sum_k dl/da(D)_k * dtau_k/dz(D)_m")


@pytest.mark.parametrize(
    "sizes, hidden, output, loss, reduction",
    [
        ((2, 3, 2), "tanh", "softmax", "ce", "mean"),
        ((2, 2, 3), "sigmoid", "softmax", "mse", "sum"),  # no fused form: J^T (a - y)
        ((2, 3, 2), "softmax", "sigmoid", "bce", "sum"),  # a softmax hidden layer: J^T W^T delta
        ((1, 2, 2, 2), "softmax", "softmax", "ce", "sum"),
    ],
)
def test_prove_other_vector_networks(sizes, hidden, output, loss, reduction):
    result = prove_backprop(sizes, hidden, output, loss, reduction)
    assert result.ok, [str(p) for p in result.parameters + result.instantiation if not p.ok]


def test_the_prover_rejects_j_instead_of_j_transpose(monkeypatch):
    correct = network.backprop_deltas

    def jacobian_not_transposed(net, loss, scale, s, ds):
        deltas = correct(net, loss, scale, s, ds)
        D = net.D
        for n in range(net.samples):
            grad = sp.Matrix([loss.d_da.subs({activations.a: s[n][D][k], losses.y: net.y[n][k]})
                              for k in range(net.sizes[-1])])
            deltas[n][D] = scale * ds[n][D] * grad
            for l in range(D - 1, 0, -1):
                deltas[n][l] = sp.matrix_multiply_elementwise(net.W[l + 1].T * deltas[n][l + 1], ds[n][l])
        return deltas

    monkeypatch.setattr(network, "backprop_deltas", jacobian_not_transposed)
    result = prove_backprop((1, 1, 3), "sigmoid", "softmax", "ce", samples=1)
    assert not result.ok
    assert any("W(2)" in p.claim for p in result.parameters if not p.ok)


def test_cli_prove_softmax_ce_and_derive_softmax(capsys):
    from spec.cli import commands as cli

    def run(*args):
        try:
            code = cli.main(list(args))
        except SystemExit as stop:  # argparse's errors
            code = stop.code
        out, err = capsys.readouterr()
        return code, out, err

    # (4,5,3: test_cli_prove_softmax_ce_in_a_child_process; the plumbing is the same at any size)
    code, out, err = run("prove", "--sizes", "3,2,3", "--output-activation", "softmax", "--loss", "ce", "--quiet")
    assert code == 0, err
    assert "PROVEN: 17 of 17 parameters" in out
    assert "delta = (a₁ − y₁, a₂ − y₂, a₃ − y₃) when the targets sum to 1" in out
    # --loss ce alone means its default output, softmax
    code, out, err = run("prove", "--sizes", "2,2", "--loss", "ce", "--quiet")
    assert code == 0 and "output softmax, loss ce" in out
    code, out, err = run("prove", "--loss", "ce", "--output-activation", "sigmoid")
    assert code == 2 and "--output-activation: the ce loss needs" in err and "Traceback" not in err
    code, out, err = run("prove", "--loss", "hinge")
    assert code == 2 and f"--loss: unknown name 'hinge'; expected one of {', '.join(losses.names())}" in err

    code, out, err = run("derive", "softmax")
    assert code == 0, err
    # readable math with the units counted from 1, as on the site
    assert "fᵢ(z) = e^zᵢ/Σⱼ e^zⱼ" in out
    assert "Jacobian Jᵢₖ = ∂fᵢ/∂zₖ for n = 3 units, with s = e^z₁ + e^z₂ + e^z₃" in out
    assert "[e^z₁/s − e^(2·z₁)/s², −e^z₁·e^z₂/s², −e^z₁·e^z₃/s²]" in out
    assert "G(a) = [a₁·(1 − a₁), −a₁·a₂, −a₁·a₃]" in out
    assert "∂fᵢ/∂zₖ = (δᵢₖ − aₖ)·aᵢ" in out
    assert "elementwise output form g(aᵢ): none" in out and "proven" in out
    assert not re.search(r"[az]_\d", out) and "**" not in out and "sum_" not in out
    assert "Sum(" not in out and "Indexed" not in out and "Matrix(" not in out
    code, out, err = run("derive", "softmax", "--latex", "--units", "2")
    assert code == 0 and "G(a) = \\left[\\begin{matrix}" in out


def test_cli_prove_softmax_ce_in_a_child_process():
    # as a user runs it, the command
    proc = subprocess.run(
        [sys.executable, "-m", "spec.cli", "prove", "--sizes", "4,5,3", "--output-activation", "softmax",
         "--loss", "ce", "--quiet"], capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "PROVEN: 43 of 43 parameters" in proc.stdout


# --- the oracles ------------------------------------------------------------------------------------


def _parameters(sizes, rng):
    weights = [rng.normal(size=(sizes[l + 1], sizes[l])) for l in range(len(sizes) - 1)]
    biases = [rng.normal(size=sizes[l + 1]) for l in range(len(sizes) - 1)]
    return weights, biases


@pytest.mark.parametrize("sizes, hidden", [((2, 3, 3), "sigmoid"), ((3, 4, 4), "tanh"), ((2, 3, 3), "softmax")])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_oracle_and_direct_oracle_agree_for_softmax_ce(sizes, hidden, reduction):
    rng = np.random.default_rng(3)
    weights, biases = _parameters(sizes, rng)
    X = rng.normal(size=(7, sizes[0]))
    one_hot = np.eye(sizes[-1])[rng.integers(0, sizes[-1], 7)]
    soft = rng.dirichlet(np.ones(sizes[-1]), 7) * 0.8  # rows summing to 0.8: delta = 0.8 a - y
    oracle = Oracle(sizes, hidden, "softmax", "ce", reduction)
    direct = DirectOracle(sizes, hidden, "softmax", "ce", reduction)
    for Y in (one_hot, soft):
        dW, db = oracle.gradients(weights, biases, X, Y)
        dW_direct, db_direct = direct.gradients(weights, biases, X, Y)
        for got, want in zip(dW + db, dW_direct + db_direct):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
        assert oracle.loss_value(weights, biases, X, Y) == pytest.approx(direct.loss_value(weights, biases, X, Y), rel=1e-13)
    out = oracle.forward(weights, biases, X)
    assert out.shape == (7, sizes[-1])
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-14)


def test_oracle_gradient_is_the_derivative_of_its_loss():
    # independent of both oracles' formulas: central differences of the loss value
    rng = np.random.default_rng(4)
    sizes = (3, 4, 5)
    weights, biases = _parameters(sizes, rng)
    X, Y = rng.normal(size=(6, 3)), rng.dirichlet(np.ones(5), 6)
    oracle = Oracle(sizes, "tanh", "softmax", "ce", "mean")
    dW, db = oracle.gradients(weights, biases, X, Y)
    h = 1e-6
    for params, grads in ((weights, dW), (biases, db)):
        for p, g in zip(params, grads):
            for index in np.ndindex(p.shape):
                keep = p[index]
                p[index] = keep + h
                up = oracle.loss_value(weights, biases, X, Y)
                p[index] = keep - h
                down = oracle.loss_value(weights, biases, X, Y)
                p[index] = keep
                assert g[index] == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-9)
