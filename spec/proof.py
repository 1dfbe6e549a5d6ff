"""Deciding that a symbolic identity holds, with cheap targeted simplifiers.

Every claim in the specification is proven the same way: write it as
``lhs - rhs`` and reduce that difference to exactly zero. ``sympy.simplify``
is deliberately not used: on these identities it was 15 to 50 times slower
than the targeted steps below and can hang on larger expressions. Each step
is sound (it rewrites an expression into an equal one), so reaching ``0``
is a proof; failing to reach ``0`` proves nothing either way and is
reported as "not proven".
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.printing.str import StrPrinter


@dataclass(frozen=True)
class Proof:
    """The outcome of proving one identity.

    Attributes:
        claim: The identity in words or symbols, e.g. ``"dL/dW(1)[0,1] = delta(1)[0] a(0)[1]"``.
        ok: True when ``lhs - rhs`` was reduced to exactly zero.
        method: The simplifier that reached zero (``"expand"``, ``"cancel"``, ...),
            or why the proof failed.
    """

    claim: str
    ok: bool
    method: str

    def __str__(self) -> str:
        if self.method.startswith("checked"):
            status = "holds numerically" if self.ok else "FAILS numerically"
        else:
            status = "proven" if self.ok else "NOT PROVEN"
        return f"{self.claim}: {status} ({self.method})"


def _expand(e):
    return sp.expand(e.doit())


def _cancel(e):
    return sp.cancel(sp.together(e))


def _exp_cancel(e):
    # Hyperbolic and trigonometric functions become exponentials, whose
    # rational combinations cancel.
    return sp.cancel(sp.together(sp.expand(e.rewrite(sp.exp))))


def _piecewise(e):
    # Piecewise and Heaviside pieces: fold them, then reduce each piece.
    folded = sp.piecewise_fold(e.rewrite(sp.Piecewise))
    if isinstance(folded, sp.Piecewise):
        return sp.Piecewise(*[(_exp_cancel(piece), cond) for piece, cond in folded.args])
    return _exp_cancel(folded)


def pull_out_of_sums(e):
    r"""Linearity of every (single) ``Sum`` in ``e``: \(\sum_i (c f_i + g_i) = c \sum_i f_i + \sum_i g_i\).

    A factor is pulled out when it does not contain the summation index (a
    sum over another index inside it is such a factor); a constant term
    \(\sum_{i=l}^{h} c\) becomes \((h - l + 1) c\), which holds for any
    limits under SymPy's (Karr's) convention for sums.
    """

    def split(s):
        if len(s.limits) != 1:
            return s
        ((v, lo, hi),) = s.limits
        terms = []
        for term in sp.Add.make_args(sp.expand(s.function)):
            free, dependent = term.as_independent(v, as_Add=False)
            terms.append(free * (sp.Sum(dependent, (v, lo, hi)) if dependent != 1 else hi - lo + 1))
        return sp.Add(*terms)

    return e.replace(lambda x: isinstance(x, sp.Sum), split)


def _canonical_sums(e):
    """Rename every sum's index by its nesting depth, so that equal sums written with other letters compare equal."""

    def depth(x):
        inner = [depth(s) for s in x.function.atoms(sp.Sum) if s is not x] if isinstance(x, sp.Sum) else []
        return 1 + max(inner, default=0)

    def rename(s):
        if len(s.limits) != 1:
            return s
        ((v, lo, hi),) = s.limits
        new = sp.Symbol(f"_sum_index_{depth(s)}", integer=True)
        return sp.Sum(s.function.xreplace({v: new}), (new, lo, hi))

    return e.replace(lambda x: isinstance(x, sp.Sum), rename)


def _sums(e):
    # symbolic-length sums (Sum over i = 0..n-1): linearity, then expand, until nothing changes
    if not e.has(sp.Sum):
        return e
    e = sp.expand(e.doit())
    for _ in range(4):
        new = sp.expand(_canonical_sums(pull_out_of_sums(e)))
        if new == e:
            break
        e = new
    return e


# Ordered from cheapest to most expensive.
STEPS = (
    ("expand", _expand),
    ("cancel", _cancel),
    ("exp rewrite + cancel", _exp_cancel),
    ("piecewise fold + cancel", _piecewise),
    ("sum linearity + expand", _sums),
)


def reduce_to_zero(expr) -> str | None:
    """Return the name of the first simplifier that turns ``expr`` into 0, else None."""
    expr = sp.sympify(expr)
    if expr == 0:
        return "identical"
    for name, step in STEPS:
        try:
            if step(expr) == 0:
                return name
        except (sp.PolynomialError, NotImplementedError, TypeError, ValueError):
            continue
    return None


def prove_equal(claim: str, lhs, rhs) -> Proof:
    """Prove ``lhs == rhs`` by reducing their difference to zero."""
    method = reduce_to_zero(sp.sympify(lhs) - sp.sympify(rhs))
    if method is None:
        return Proof(claim, False, "difference did not reduce to 0")
    return Proof(claim, True, method)


def prove_matrix_equal(claim: str, lhs, rhs) -> Proof:
    """Prove two matrices equal entry by entry; one `Proof`, ok only if every entry's difference reduces to 0.

    ``method`` names the simplifiers used (``"expand on 9 entries"``), or the
    first entry that did not reduce.
    """
    lhs, rhs = sp.Matrix(lhs), sp.Matrix(rhs)
    if lhs.shape != rhs.shape:
        return Proof(claim, False, f"shapes differ: {lhs.shape} and {rhs.shape}")
    methods = []
    for (r, c), left in zip(((r, c) for r in range(lhs.rows) for c in range(lhs.cols)), lhs):
        method = reduce_to_zero(left - rhs[r, c])
        if method is None:
            return Proof(claim, False, f"entry [{r}, {c}]: difference did not reduce to 0")
        if method not in methods:
            methods.append(method)
    return Proof(claim, True, f"{', '.join(methods) or 'identical'} on {lhs.rows * lhs.cols} entries")


class _PlainPrinter(StrPrinter):
    """SymPy's ``str`` without class names: ``sum_{j=0}^{n-1} exp(z_j)``, ``z_i``, ``delta_{ik}``, ``[[...], ...]``."""

    printmethod = "_plain_str"  # not Indexed._sympystr: z_i, not z[i]

    def _print_Sum(self, expr):
        body = self._print(expr.function)
        if expr.function.is_Add:
            body = f"({body})"
        for v, lo, hi in reversed(expr.limits):
            body = f"sum_{{{self._print(v)}={self._print(lo)}}}^{{{self._print(hi)}}} {body}"
        return body

    def _print_Indexed(self, expr):
        indices = "".join(self._print(t) for t in expr.indices)
        return f"{self._print(expr.base.label)}_{indices if len(indices) == 1 else '{' + indices + '}'}"

    def _print_KroneckerDelta(self, expr):
        return f"delta_{{{self._print(expr.args[0])}{self._print(expr.args[1])}}}"

    def _print_MatrixBase(self, expr):
        return "[" + ", ".join("[" + ", ".join(self._print(e) for e in expr.row(r)) + "]" for r in range(expr.rows)) + "]"

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase


def plain(expr) -> str:
    """``expr`` as one line of text for people: sums as ``sum_{j=0}^{n-1} ...``, indexed entries as ``z_i``."""
    return _PlainPrinter().doprint(sp.sympify(expr))


def tidy(expr):
    """Factor ``expr`` for display: ``a (1 - a)`` rather than ``-a (a - 1)``, ``a - y`` rather than ``y - a``.

    Only the written form changes; the value is the same.
    """
    expr = sp.factor(expr)
    sign, factors = 1, []
    for factor in sp.Mul.make_args(expr):
        if factor.is_number and factor.is_negative:
            sign, factor = -sign, -factor
        elif factor.is_Add:
            constant, rest = factor.as_coeff_Add()
            # y - a -> a - y ;  a - 1 -> 1 - a
            if factor.could_extract_minus_sign() or (constant.is_negative and rest.is_Symbol):
                sign, factor = -sign, -factor
        factors.append(factor)
    if sign < 0:
        factors.insert(0, sp.Integer(-1))
    return sp.Mul(*factors)
