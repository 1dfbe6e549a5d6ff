"""The general proof on the Proofs page: every step of `spec.general.prove_general`, with its SymPy result.

Each step is shown as SymPy produced it: what was differentiated, what
``sympy.diff`` returned, what that is for indices in range, the formula
claimed, and how the difference reached 0. The stated premise and the
induction are shown as what they are, stated, never marked as proven. A
step that fails stops the build.
"""

from __future__ import annotations

import functools

import sympy as sp

from spec import activations, general

from . import common

#: What each kind of step is called on the page.
KIND_TEXT = {
    "proven": "✓ proven by SymPy",
    "evidence": "✓ checked by SymPy on instances: supporting evidence, not a proof for every width",
    "premise": "stated premise, not proven by SymPy",
    "stated": "written out, not a SymPy proof",
}


@functools.lru_cache(maxsize=None)
def result() -> general.GeneralProof:
    proof = general.prove_general()
    common.require([s for s in proof.steps if s.kind in ("proven", "evidence")], "the general backprop proof")
    return proof


def formula(expr) -> str:
    """LaTeX for one of the general proof's expressions (a softmax layer's units shown from 1, as everywhere).

    A derivative is written as a fraction of partials, \\(\\partial z^{(l)}_k / \\partial a^{(l-1)}_j\\).
    """
    if isinstance(expr, sp.Derivative):
        (v, _), = expr.variable_count
        return rf"\frac{{\partial {formula(expr.expr)}}}{{\partial {formula(v)}}}"
    expr = common.brief(expr)
    if expr.has(activations.Z) or expr.has(activations.A):
        return common.tex_layer(expr, tau_name=r"\tau")
    return common.tex(expr, general.LATEX_NAMES, tau_name=r"\tau")


#: Short headings for the parts (the page's table of contents); the full titles follow them.
HEADINGS = {
    "a": "(a) Local derivatives", "b": "(b) The one-layer lemma", "c": "(c) The base case",
    "d": "(d) The induction over the layers",
}


def _lines(step: general.Step) -> list[tuple[str, str]]:
    """``(LaTeX, note)`` for each form of a step: SymPy's result, in range, claimed; repeats left out."""
    rows = [(step.computed, "sympy.diff"), (step.reduced, "indices in range"), (step.claimed, "claimed")]
    if step.kind == "premise":
        rows = [(step.claimed, "stated")]
    lines, last = [], None
    for expr, note in rows:
        if expr is None:
            continue
        if last is not None and sp.srepr(expr) == sp.srepr(last):
            # the same expression: one line, both notes (no sum to evaluate: nothing was done "in range")
            if note != "indices in range":
                lines[-1] = (lines[-1][0], f"{lines[-1][1]}; {note}")
            continue
        lines.append((formula(expr), note))
        last = expr
    return lines


def _math(step: general.Step) -> str:
    """The step's display: \\(quantity = \\dots\\), one aligned line per form, each with its note."""
    lines = _lines(step)
    lhs = formula(step.quantity)
    if len(lines) == 1:
        return common.display(rf"{lhs} = {lines[0][0]} \qquad \text{{({lines[0][1]})}}")
    return common.display(*(
        rf"{lhs if n == 0 else ''} &= {expr} && \text{{({note})}}" for n, (expr, note) in enumerate(lines)
    ))


def _step(step: general.Step) -> str:
    out = [f"{step.claim}\n"]
    if step.quantity is not None:
        out.append(_math(step))
    out.append(f"<small>{KIND_TEXT[step.kind]} ({step.method})</small>\n")
    return "\n".join(out)


def _unit_step(step: general.Step) -> str:
    """One named output activation's \\(\\ell'(f(z))\\, f'(z) = d\\ell/dz\\), as a list item."""
    return (
        f"* {step.claim.rsplit('[', 1)[-1].rstrip(']')}: "
        rf"\({formula(step.quantity)} = {formula(step.computed)}\), "
        rf"equal to \(\ell'(f(z))\, f'(z) = {formula(step.claimed)}\); "
        f"{KIND_TEXT[step.kind] if step.ok else 'NOT PROVEN'} ({step.method})"
    )


def render() -> str:
    """The whole general proof as Markdown, part by part."""
    proof = result()
    out = []
    for part, title in general.PARTS.items():
        out.append(f"\n### {HEADINGS[part]}\n\n{title}.\n")
        steps = proof.part(part)
        if part == "d":
            out.append("\n".join(f"{n}. {s.claim}" for n, s in enumerate(steps, 1)) + "\n")
            out.append(f"<small>{KIND_TEXT['stated']}</small>\n")
            continue
        units = [s for s in steps if s.quantity is not None and s.quantity.expr == general.ell]
        for s in steps:
            if units and s is units[0]:
                out.append("For each named elementwise output activation, on one unit (each unit's error depends on "
                           "its own unit only, as just proven):\n\n" + "\n".join(_unit_step(u) for u in units) + "\n")
            if not any(s is u for u in units):
                out.append(_step(s))
    checked = [s for s in proof.steps if s.kind in ("proven", "evidence")]
    out.append(
        f"\n**{sum(s.ok for s in checked)} of {len(checked)} steps proven or checked by SymPy** while this page was "
        f"built ({proof.seconds:.1f} s), given one stated premise (the chain rule for \\(n_l\\) variables) and the "
        "induction written out.\n"
    )
    return "\n".join(out)
