"""Formulas of the "Losses" page, from ``spec.losses``."""

from __future__ import annotations

import functools

import sympy as sp

from spec import activations, losses, network
from spec.activations import a
from spec.losses import bce, mse, y
from spec.proof import tidy

from . import common
from .common import display, mark, proof_mark, tex


def fraction(expr) -> str:
    """``expr`` as one tidy fraction, e.g. (a - y) / (a (1 - a)) rather than -(a - y) / (a (a - 1))."""
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    sign = 1
    parts = []
    for part in (num, den):
        if tidy(part).could_extract_minus_sign():
            sign, part = -sign, -part
        parts.append(tidy(part))
    if sp.cancel(sign * parts[0] / parts[1] - expr) != 0:
        raise common.BuildFailure(f"rewriting {expr} as a fraction changed its value")
    if parts[1] == 1:
        return ("- " if sign < 0 else "") + tex(parts[0])
    return ("- " if sign < 0 else "") + rf"\frac{{{tex(parts[0])}}}{{{tex(parts[1])}}}"


def _loss(loss):
    slope = fraction(loss.d_da)
    lines = [rf"\ell(a, y) &= {tex(loss.expr)}", rf"\frac{{\partial \ell}}{{\partial a}} &= {tex(loss.d_da)}"]
    if slope != tex(loss.d_da):
        lines.append(rf"&= {slope}")
    return display(*lines) + mark(("the spec's loss, spec.losses", "symbolic"), ("✓ derived by sympy.diff", "symbolic"))


def mse_block():
    return _loss(mse)


def bce_block():
    return _loss(bce)


def mse_sigmoid():
    od = mse.output_delta("sigmoid")
    sig = activations.get("sigmoid")
    return display(
        rf"\delta = \frac{{\partial \ell}}{{\partial a}} \, \sigma'(z) = \left({tex(mse.d_da)}\right) \cdot {tex(sig.output_form)} = {tex(od.in_a)}"
    ) + proof_mark(od.proofs, what="the output error of mse with a sigmoid output")


@functools.lru_cache(maxsize=None)
def cancellation():
    proof = losses.prove_sigmoid_bce_cancellation()
    common.require([proof], "the sigmoid + BCE cancellation")
    return proof


def bce_sigmoid():
    od = bce.output_delta("sigmoid")
    sig = activations.get("sigmoid")
    return (
        display(
            rf"\delta &= \frac{{\partial \ell}}{{\partial a}} \, \sigma'(z) = {fraction(bce.d_da)} \cdot {tex(sig.output_form)} = {tex(od.in_a)}",
            rf"\frac{{\partial}}{{\partial z}} \ell\left(\sigma(z), y\right) &= {tex(od.in_z)} = {tex(sig.expr - y)}",
        )
        + proof_mark([cancellation(), *od.proofs], what="the sigmoid + BCE output error")
    )


def cancellation_status():
    p = cancellation()
    return f"`{p.claim}`: **{'proven' if p.ok else 'NOT PROVEN'}** (by `{p.method}`, when this page was built)."


def output_errors():
    """The output error for every registered output activation and each loss it may feed."""
    rows = []
    for loss in (mse, bce):
        for name in activations.names():
            act = activations.get(name)
            try:
                od = loss.output_delta(name)
            except ValueError:
                continue  # BCE needs outputs in (0, 1)
            chain = od.proofs[0]
            common.require([chain], f"delta = l'(a) f'(z) for {loss.name} with {name}")
            if od.in_a is None:
                formula = rf"\(\left({fraction(loss.d_da)}\right) f'(z)\)"
                status = "no output form: f'(z) is evaluated from z"
            else:
                formula = rf"\({tex(common.brief(od.in_a))}\)"
                through_a = od.proofs[1]
                if through_a.ok:
                    status = f"✓ proven ({through_a.method})"
                elif all(p.ok for p in act.proofs):
                    # in_a = cancel(l'(a) g(a)): with f'(z) = g(f(z)) proven, in_a(f(z)) = l'(f(z)) f'(z) = delta
                    status = "✓ follows from the proven chain rule and the output form proven piece by piece"
                else:
                    raise common.BuildFailure(f"output error of {loss.name} with {name}: {through_a}")
            rows.append((f"`{loss.name}`", f"[{name}](activations/{name}.md)", formula, status))
    return common.table(["loss", "output activation", r"\(\delta = \partial \ell / \partial z\) through \(a\)", "status"], rows)


@functools.lru_cache(maxsize=None)
def mean_proof():
    result = network.prove_backprop((2, 2, 1), reduction="mean", samples=3)
    common.require(result.parameters + result.instantiation, "prove_backprop with the mean reduction")
    return result


def reductions():
    n, N = sp.symbols("n N", integer=True, positive=True)
    ell = sp.Symbol("ell_n")
    lab = {ell: r"\ell_n"}
    result = mean_proof()
    count = len(result.parameters)
    return display(
        rf"L_{{\text{{sum}}}} &= {tex(sp.Sum(ell, (n, 1, N)), lab)}, \qquad \delta^{{(D)}}_n = \frac{{\partial \ell_n}}{{\partial z^{{(D)}}_n}}",
        rf"L_{{\text{{mean}}}} &= {tex(sp.Sum(ell, (n, 1, N)) / N, lab)}, \qquad \delta^{{(D)}}_n = {tex(1 / N)} \frac{{\partial \ell_n}}{{\partial z^{{(D)}}_n}}",
    ) + mark(
        (f"✓ proven symbolically for both reductions, all {count} parameters of the 2-2-1 network", "symbolic"),
        ("✓ property-tested: impl with sum and mean against the spec", "property"),
    )


def sum_of_losses(loss=mse) -> str:
    """The summed loss over samples n, e.g. sum_n (a_n - y_n)^2 / 2, as inline math."""
    n, N = sp.symbols("n N", integer=True, positive=True)
    a_n, y_n = sp.Symbol("a_n", real=True), sp.Symbol("y_n", real=True)
    return rf"\({tex(sp.Sum(loss.expr.subs({a: a_n, y: y_n}), (n, 1, N)), {a_n: 'a_n', y_n: 'y_n'})}\)"


BLOCKS = {
    "inline-bce-delta": lambda: rf"\({tex(bce.output_delta('sigmoid').in_a)}\)",
    "inline-mse": lambda: rf"\({tex(mse.expr)}\)",
    "inline-sum-mse": sum_of_losses,
    "mse": mse_block,
    "bce": bce_block,
    "mse-sigmoid": mse_sigmoid,
    "bce-sigmoid": bce_sigmoid,
    "cancellation-status": cancellation_status,
    "output-errors": output_errors,
    "reductions": reductions,
}
