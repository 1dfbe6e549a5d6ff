"""The general proof (`spec.general`, `prove --general`): every width and depth, and what is only stated."""

import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from spec import general
from spec.cli import commands as cli
from spec.general import W, a_prev, b, delta, k, n_l, n_prev, p, q, j, z_prev
from spec.network import sigma, sigma_prime


@pytest.fixture(scope="module")
def result():
    return general.prove_general()


def test_every_step_sympy_was_asked_to_prove_is_proven(result):
    assert result.ok
    checked = [s for s in result.steps if s.kind in ("proven", "evidence")]
    assert checked and all(s.ok for s in checked), [str(s) for s in checked if not s.ok]
    # exactly one premise, the chain rule for n_l variables, and it is not claimed as proven
    premises = [s for s in result.steps if s.kind == "premise"]
    assert len(premises) == 1 and "chain rule" in premises[0].method
    assert "not proven by SymPy" in str(premises[0])
    # the induction is words only
    assert result.part("d") and all(s.kind == "stated" and s.quantity is None for s in result.part("d"))
    assert all("not a SymPy proof" in str(s) for s in result.part("d"))


def test_local_derivatives_reduce_to_the_textbook_forms(result):
    # independent truth: the forms written by hand here, compared structurally with what SymPy reduced to
    expected = [
        W[k, j],
        sp.KroneckerDelta(k, p) * a_prev[q],
        sp.KroneckerDelta(k, p),
        W[k, j] * sigma_prime(z_prev[j]),
    ]
    steps = result.part("a")
    assert len(steps) == 4
    for step, want in zip(steps, expected):
        assert step.ok, str(step)
        assert sp.expand(step.reduced - want) == 0, (step.claim, step.reduced)
    # SymPy's own result still had the Kronecker deltas' sums for the first, second and fourth
    assert all(steps[t].computed.has(sp.Sum, sp.KroneckerDelta) for t in (0, 1, 3))


def _numeric_instance(seed=0, widths=(3, 2)):
    """A concrete layer (tanh, a fixed smooth L of z(l)), its gradients by central differences."""
    rng = np.random.default_rng(seed)
    m, n = widths
    Wv, bv, zpv = rng.normal(size=(n, m)), rng.normal(size=n), rng.normal(size=m)
    c = rng.normal(size=n)

    def loss(Wv, bv, zpv):
        zl = Wv @ np.tanh(zpv) + bv
        # L(z) = sum_k c_k sin(z_k) + (sum_k z_k)^2 / 2: couples the units
        return np.sum(c * np.sin(zl)) + np.sum(zl) ** 2 / 2

    zl = Wv @ np.tanh(zpv) + bv
    dL_dz = c * np.cos(zl) + np.sum(zl)
    h = 1e-6

    def fd(arr, idx, which):
        plus, minus = [x.copy() for x in (Wv, bv, zpv)], [x.copy() for x in (Wv, bv, zpv)]
        plus[which][idx] += h
        minus[which][idx] -= h
        return (loss(*plus) - loss(*minus)) / (2 * h)

    return m, n, Wv, bv, zpv, dL_dz, fd


def _evaluate(expr, m, n, Wv, zpv, dL_dz, P=None, Q=None, J=None):
    """The lemma's SymPy formula at a concrete layer: indices from 1, sigma = tanh."""
    values = {n_prev: m, n_l: n}
    expr = expr.subs(values)
    expr = expr.subs({index: value for index, value in ((p, P), (q, Q), (j, J)) if value is not None})
    expr = expr.replace(sigma_prime, lambda x: 1 - sp.tanh(x) ** 2).replace(sigma, sp.tanh).doit()
    numbers = {}
    for e in expr.atoms(sp.Indexed):
        idx = [int(t) - 1 for t in e.indices]
        base = e.base
        numbers[e] = (Wv[idx[0], idx[1]] if base == W else dL_dz[idx[0]] if base == delta
                      else zpv[idx[0]] if base == z_prev else np.tanh(zpv[idx[0]]) if base == a_prev else None)
    return float(expr.xreplace({key: sp.Float(v) for key, v in numbers.items()}))


def test_the_lemma_agrees_with_finite_differences_on_a_concrete_layer(result):
    # independent truth: central differences of a concrete L(z(l)) with tanh, against the proven formulas
    m, n, Wv, bv, zpv, dL_dz, fd = _numeric_instance()
    by_name = {s.claim: s for s in result.part("b") if s.kind == "proven"}
    dz, dW, db = (by_name[general.LEMMA[name][0]] for name in ("z⁽ˡ⁻¹⁾ⱼ", "W⁽ˡ⁾ₚ_q", "b⁽ˡ⁾ₚ"))
    for J in range(1, m + 1):
        assert _evaluate(dz.claimed, m, n, Wv, zpv, dL_dz, J=J) == pytest.approx(fd(None, J - 1, 2), rel=1e-7)
    for P in range(1, n + 1):
        assert _evaluate(db.claimed, m, n, Wv, zpv, dL_dz, P=P) == pytest.approx(fd(None, P - 1, 1), rel=1e-7)
        for Q in range(1, m + 1):
            got = _evaluate(dW.claimed, m, n, Wv, zpv, dL_dz, P=P, Q=Q)
            assert got == pytest.approx(fd(None, (P - 1, Q - 1), 0), rel=1e-7)


@pytest.mark.parametrize(
    "name, wrong",
    [
        # the transpose: W_jk instead of W_kj
        ("z⁽ˡ⁻¹⁾ⱼ", sp.Sum(W[j, k] * delta[k], (k, 1, n_l)) * sigma_prime(z_prev[j])),
        # the derivative of the activation forgotten
        ("z⁽ˡ⁻¹⁾ⱼ", sp.Sum(W[k, j] * delta[k], (k, 1, n_l))),
        # the derivative at the output instead of the pre-activation
        ("z⁽ˡ⁻¹⁾ⱼ", sp.Sum(W[k, j] * delta[k], (k, 1, n_l)) * sigma_prime(sigma(z_prev[j]))),
        # indices swapped in the weight gradient
        ("W⁽ˡ⁾ₚ_q", delta[q] * a_prev[p]),
        # the bias gradient summed over the layer
        ("b⁽ˡ⁾ₚ", sp.Sum(delta[k], (k, 1, n_l))),
    ],
)
def test_a_planted_wrong_lemma_is_not_proven(name, wrong):
    claims = dict(general.LEMMA)
    claims[name] = (f"wrong {name}", wrong)
    steps = {s.claim: s for s in general.one_layer_lemma(claims)}
    assert not steps[f"wrong {name}"].ok
    assert "did not reduce to 0" in steps[f"wrong {name}"].method
    # the others still are
    assert all(s.ok for c, s in steps.items() if c != f"wrong {name}")


def test_sums_are_only_evaluated_for_the_stated_range():
    i = general.i
    # 0-based: the condition 0 <= j <= n - 1 is not the stated 1 <= j <= n, so the Piecewise stays
    zero_based = sp.Sum(W[k, i] * sp.KroneckerDelta(i, j), (i, 0, n_prev - 1))
    assert general.in_range(zero_based).has(sp.Piecewise)
    one_based = sp.Sum(W[k, i] * sp.KroneckerDelta(i, j), (i, 1, n_prev))
    assert general.in_range(one_based) == W[k, j]
    # an index whose range is not stated is not assumed in range
    assert general.in_range(one_based, {k: n_l}).has(sp.Piecewise)


def test_the_base_case_covers_every_loss_and_compatible_output(result):
    from spec import activations, losses

    steps = result.part("c")
    text = "\n".join(s.claim for s in steps)
    for loss in losses.names():
        for act in activations.names():
            if losses.compatible(loss, act):
                assert f"[{loss}, {act}" in text, (loss, act)
    assert all(s.ok for s in steps)
    # softmax with cross-entropy: a_k sum_i y_i - y_k for every n, and a - y for unit targets
    assert "[ce, softmax, any number of units] = aₖ·Σᵢ yᵢ − yₖ" in text
    assert "δ⁽ᴰ⁾ₖ = aₖ − yₖ when the targets sum to 1" in text


def run(*args):
    proc = subprocess.run([sys.executable, "-m", "spec.cli", *args], capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout, proc.stderr


def test_cli_prove_general_prints_one_line_per_step_and_exits_0(result):
    code, out, err = run("prove", "--general")
    assert code == 0, err
    lines = out.splitlines()
    for step in result.steps:
        prefix = f"  {step.label:<4} {step.claim}"
        assert any(line.startswith(prefix) for line in lines), prefix
    assert "  ok   ∂z⁽ˡ⁾ₖ/∂a⁽ˡ⁻¹⁾ⱼ = W⁽ˡ⁾ₖⱼ   [" in out
    assert "  ok   ∂L/∂z⁽ˡ⁻¹⁾ⱼ = (Σₖ W⁽ˡ⁾ₖⱼ·δ⁽ˡ⁾ₖ)·σ′(z⁽ˡ⁻¹⁾ⱼ)   [" in out
    assert "  premise ∂L/∂θ = Σₖ δ⁽ˡ⁾ₖ·∂z⁽ˡ⁾ₖ/∂θ" in out
    assert sum(line.startswith("  stated ") for line in lines) == len(general.INDUCTION)
    n = sum(s.kind in ("proven", "evidence") for s in result.steps)
    assert lines[-1].startswith(f"PROVEN: {n} of {n} steps by SymPy, given 1 stated premise")
    # entries count from 1, the last layer is D: no zero-based entry and no "L" as a layer
    assert "₀" not in out and "z⁽ᴸ⁾" not in out


def test_cli_prove_general_exits_1_when_a_step_fails(monkeypatch, capsys):
    wrong = dict(general.LEMMA)
    wrong["W⁽ˡ⁾ₚ_q"] = ("∂L/∂W⁽ˡ⁾ₚ_q = δ⁽ˡ⁾_q·a⁽ˡ⁻¹⁾ₚ (planted)", delta[q] * a_prev[p])
    monkeypatch.setattr(general, "LEMMA", wrong)
    assert cli.main(["prove", "--general"]) == 1
    out = capsys.readouterr().out
    assert "  FAIL ∂L/∂W⁽ˡ⁾ₚ_q = δ⁽ˡ⁾_q·a⁽ˡ⁻¹⁾ₚ (planted)" in out
    assert out.splitlines()[-1].startswith("NOT PROVEN: ")


@pytest.mark.parametrize(
    "args, options",
    [
        (["--general", "--sizes", "2,2,1"], ("--general", "--sizes")),
        (["--sizes", "3,4,2", "--general"], ("--general", "--sizes")),
        (["--general", "--loss", "mse"], ("--general", "--loss")),
        (["--general", "--activation", "tanh", "--samples", "3"], ("--general", "--activation", "--samples")),
    ],
)
def test_general_refuses_the_options_of_one_network(args, options):
    code, out, err = run("prove", *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    for option in options:
        assert option in err, (option, err)


def test_prove_without_general_keeps_its_defaults():
    code, out, _ = run("prove", "--quiet")
    assert code == 0
    assert out.startswith("network 2-2-1, hidden sigmoid, output sigmoid, loss mse (sum over a batch of 2 symbolic samples)")


def test_the_general_proof_honours_the_time_limit(capsys):
    """``prove --general --timeout 0.01``: stopped after the first group of steps, said so, exit 1 (it ran to the end)."""
    code = cli.main(["prove", "--general", "--timeout", "0.01"])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.startswith("NOT PROVEN: stopped after ") and "of 6 groups of steps checked" in captured.err
    assert "PROVEN:" not in captured.out
