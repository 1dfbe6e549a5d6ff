r"""Activation functions as SymPy expressions: the registry everything else follows.

Each activation is one expression \(f(z)\) in the real symbol `z`.
Everything else is derived from it, never typed by hand:

* ``derivative``: \(f'(z)\), by ``sympy.diff``;
* ``output_form``: \(g(a)\) with \(f'(z) = g(f(z))\) for every real
  \(z\), written in the symbol `a` (the output), or ``None`` with a
  stated reason. This is why code may write the sigmoid's derivative as
  ``a * (1 - a)``: its argument is the sigmoid's *output*;
* ``derived(order)``: one `Derived` per order (\(f'\), \(f''\), ...), holding
  that derivative, its output form, how it was found or why none, and the proofs.

An output form is only claimed once ``g(f(z)) - f'(z)`` has been reduced to
zero symbolically (see `spec.proof`). Candidates for ``g`` come from
two places: replacing \(f(z)\) by \(a\) inside \(f'(z)\), and
inverting \(a = f(z)\) with ``sympy.solve``. ``solve`` can return
several branches, some of them wrong; a candidate that fails the proof is
simply discarded, so a wrong branch can never be claimed.

Two kinds of activation share the registry:

* `Activation`, *elementwise* (``elementwise = True``): \(a_i = f(z_i)\), one
  expression in `z`, applied to every unit of a layer on its own. Its
  Jacobian is diagonal, which is why backprop may multiply by \(f'(z)\)
  entry by entry.
* `VectorActivation` (``elementwise = False``): the layer's outputs depend on
  the whole layer vector, \(a_i = f_i(z_0, \dots, z_{n-1})\) (softmax). The
  spec holds one component \(f_i\) written with `Z`, `i`, `j` and `n`; the
  Jacobian \(J = \partial f / \partial z\) is derived by
  ``Matrix.jacobian`` for any concrete \(n\), and backprop multiplies by
  \(J^T\).

Code that relies on an activation acting entry by entry says so: it takes
``names(elementwise=True)``, or calls `require_elementwise`, which names the
place and the activation in a clear error instead of computing something
wrong.
"""

from __future__ import annotations

import functools
import keyword

import sympy as sp

from sympy.printing.str import StrPrinter

from impl._registry import Registry
from spec.proof import Proof, prove_equal, prove_matrix_equal, tidy

#: The pre-activation, a real number.
z = sp.Symbol("z", real=True)
#: The activation's output \(a = f(z)\).
a = sp.Symbol("a", real=True)

#: The layer vector \(z\) of a vector activation, indexed ``Z[i]``.
Z = sp.IndexedBase("z", real=True)
#: The layer's outputs \(a = f(z)\), indexed ``A[i]``.
A = sp.IndexedBase("a", real=True)
#: Unit indices, and the number of units \(n\) of the layer.
i, j, k = sp.symbols("i j k", integer=True)
n = sp.Symbol("n", integer=True, positive=True)
_n = n  # for methods whose argument n is a number of units


class NotElementwiseError(ValueError):
    """A vector activation reached code that applies an activation entry by entry."""


def require_elementwise(act, where: str):
    r"""Return ``act`` if it is elementwise, else raise `NotElementwiseError` naming ``where``.

    For code whose formula only holds entry by entry (``f'(z)`` multiplied
    elementwise, an output form \(g(a)\), a plot of \(f\) against \(z\)).
    """
    if getattr(act, "elementwise", True):
        return act
    raise NotElementwiseError(
        f"{where}: {act.name!r} is a vector activation (each output depends on the whole layer, its "
        f"derivative is a Jacobian matrix); this needs an elementwise one: {', '.join(names(elementwise=True))}"
    )


class Activation:
    r"""One activation function, given as a SymPy expression in `z`.

    Args:
        name: A Python identifier, e.g. ``"sigmoid"``.
        expr: A SymPy expression in `z`, or a string that parses to one
            (parsed safely by `spec.parse.parse_expression`, never ``eval``).
        description: One line for the docs.

    Attributes:
        name: The registry key.
        expr: \(f(z)\).
        derivative: \(f'(z)\), derived with ``sympy.diff`` (``derived(1).expr``).
        output_form: \(g(a)\) with \(f'(z) = g(f(z))\) proven for all
            real \(z\), or ``None`` (``derived(1).output_form``; how, or why
            none: ``derived(1).reason``). Every order alike: `derived`.
        elementwise: Always ``True``: \(a_i = f(z_i)\), unit by unit.
        output_set: ``"interval"``: each output on its own lies in `range`
            (compare `VectorActivation.output_set`).
    """

    elementwise = True
    output_set = "interval"

    def __init__(self, name: str, expr, description: str = "", params: dict | None = None):
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"name: expected a Python identifier, got {name!r}")
        if isinstance(expr, str):
            from spec.parse import parse_expression

            expr = parse_expression(expr, allowed={"z": z})
        expr = sp.sympify(expr)
        params = dict(params or {})
        extra = expr.free_symbols - {z} - set(params)
        if extra:
            raise ValueError(
                f"expr: expected an expression in z only, got free symbols "
                f"{', '.join(sorted(map(str, extra)))}"
            )
        self.name = name
        #: Parameters (SymPy symbols) and their default values, e.g. ELU's alpha = 1.
        self.params = params
        #: f(z) with the parameters left as symbols (for display).
        self.symbolic_expr = expr
        #: f(z) with the parameters at their defaults.
        self.expr = expr.subs(params)
        self.description = description

    def __repr__(self) -> str:
        return f"Activation({self.name!r}, {self.expr})"

    def apply(self, column):
        r"""\(f\) applied to a SymPy column (or any matrix) entry by entry: elementwise."""
        return column.applyfunc(lambda t: self.expr.subs(z, t))

    # --- derived, lazily: deriving every activation at import would slow every CLI call

    def derived(self, order: int) -> Derived:
        r"""The ``order``-th derivative \(f^{(n)}\) and what follows from it, built once (see `Derived`)."""
        if isinstance(order, bool) or not isinstance(order, int) or order < 1:
            raise ValueError(f"order: expected a positive int, got {order!r}")
        cache = self.__dict__.setdefault("_derived", {})
        if order not in cache:
            cache[order] = Derived(self, order)
        return cache[order]

    @property
    def derivative(self):
        r"""\(f'(z)\), derived with ``sympy.diff``: ``derived(1).expr``."""
        return self.derived(1).expr

    @property
    def output_form(self):
        r"""\(g(a)\) with \(f'(z) = g(f(z))\) for all real \(z\), or ``None``: ``derived(1).output_form``."""
        return self.derived(1).output_form

    @functools.cached_property
    def image(self):
        r"""The set of values of \(f\) over the real line, a SymPy ``Interval`` with the right ends.

        Derived piece by piece (`pieces`): a piece monotone on its interval maps it
        onto the interval between its end values, an end included exactly where the
        piece's interval includes it; otherwise SymPy's ``function_range``, or the
        limits at the ends and the values at the roots of \(f'(z) = 0\) (each root
        a witness \(z^*\) where the bound is attained). The union of the pieces'
        images is the image: relu's \(\{0\} \cup (0, \infty) = [0, \infty)\).
        """
        return sp.Union(*(_image(piece, interval) for piece, interval in pieces(self.expr)))

    @functools.cached_property
    def range(self) -> tuple:
        r"""Infimum and supremum of \(f\) over the real line, as SymPy numbers (whether attained: `image`)."""
        values = self.image
        return (values.inf, values.sup)

    @property
    def range_closed(self) -> tuple[bool, bool]:
        """Whether the infimum and the supremum of `range` are attained (values of f)."""
        values = self.image
        low, high = values.inf, values.sup
        return (low.is_finite is True and values.contains(low) == sp.true,
                high.is_finite is True and values.contains(high) == sp.true)

    def range_text(self) -> str:
        """`image` written as people do: ``[0, ∞)``, ``(−1, 1)``, ``[−1, 1]``."""
        return interval_text(self.image)

    @functools.cached_property
    def piece_boundaries(self) -> tuple:
        """Points where a piecewise definition switches pieces (a kink, or a point where f' is continuous).

        Numeric checks avoid these: a difference quotient straddling one may mix two formulas.
        """
        points = set()
        for _, interval in pieces(self.expr):
            points |= {p for p in (interval.inf, interval.sup) if p.is_finite}
        return tuple(sorted(points))

    @functools.cached_property
    def kinks(self) -> tuple:
        """Points where f' jumps: the one-sided slopes differ (or f itself jumps).

        Where two pieces meet with equal slopes (elu with alpha = 1, softsign at 0)
        there is no kink; those points are still in `piece_boundaries`.
        """
        kinks = []
        for p, (left, right) in self.derived(1).one_sided.items():
            if left is sp.nan or right is sp.nan or sp.simplify(left - right) != 0:
                kinks.append(p)
        return tuple(kinks)

    def latex(self) -> dict[str, str]:
        """LaTeX for ``f``, ``derivative``, ``output_form``, ``second_derivative`` and ``second_output_form`` (``None`` if absent)."""
        first, second = self.derived(1), self.derived(2)
        return {
            "f": sp.latex(self.symbolic_expr),
            "derivative": sp.latex(first.display),
            "output_form": None if first.output_form is None else sp.latex(first.output_form),
            "second_derivative": sp.latex(second.display),
            "second_output_form": None if second.output_form is None else sp.latex(second.output_form),
        }

    @functools.cached_property
    def numpy_f(self):
        r"""\(f\) lambdified for NumPy arrays (an oracle, not tuned for the tails)."""
        return _lambdify_z(self.expr)


def _prime(order: int) -> tuple[str, str]:
    """How the text names the order-th derivative and its output form: ``("f'", "g")``, ``("f''", "h")``, ``("f'''", "h3")``."""
    return "f" + "'" * order, {1: "g", 2: "h"}.get(order, f"h{order}")


class Derived:
    r"""The ``order``-th derivative of an elementwise `Activation` and what is derived from it.

    Build it with ``act.derived(order)``, which keeps one per order. ``symbolic``
    and ``expr`` are derived at once; every other attribute on first use, once.

    Attributes:
        order: 1 for \(f'\), 2 for \(f''\), and so on.
        symbolic: \(f^{(n)}(z)\) with the parameters as symbols, by ``sympy.diff``
            of the order below. From order 2 on, the ``DiracDelta`` terms that ``diff``
            gives where a piece boundary comes from ``Abs`` or ``sign`` (softsign) are
            dropped: they are 0 at every other z, and at the boundary \(f^{(n)}\) does
            not exist.
        expr: \(f^{(n)}(z)\), parameters at their defaults. Away from the
            `Activation.piece_boundaries` this is the derivative; at a boundary where it
            jumps it is a convention, the value of the formula there: the piece whose
            condition includes the point (relu'(0) = 0 and relu''(0) = 0, as in
            PyTorch), and for softsign \(\operatorname{sign}(0) = 0\) gives
            \(f''(0) = 0\), the mean of the one-sided \(-2\) and \(2\).
            `impl.activations` ``df`` and ``d2f`` take the same values; `one_sided`
            gives both sides.
    """

    def __init__(self, act: Activation, order: int):
        self.activation = act
        self.order = order
        if order == 1:
            self.symbolic = sp.diff(act.symbolic_expr, z)
        else:
            self.symbolic = _drop_deltas(sp.diff(act.derived(order - 1).symbolic, z))
        self.expr = self.symbolic.subs(act.params)

    def __repr__(self) -> str:
        return f"Derived({self.activation.name!r}, order={self.order}: {self.expr})"

    @functools.cached_property
    def display(self):
        r"""`symbolic` in its shortest proven-equal form: softsign's \(f' = 1/(1 + |z|)^2\), the sigmoid's \(f'' = e^{z}(1 - e^{z})/(1 + e^{z})^3\)."""
        return simplest_equal(self.symbolic) if self.order == 1 else _shortest_equal(self.symbolic)

    @functools.cached_property
    def _found(self) -> tuple:
        act = self.activation
        if self.order == 1:
            return _derive_output_form(act.name, act.expr, self.expr, {})
        first, below = act.derived(1), act.derived(self.order - 1)
        h, how, proofs, per_piece = _derive_output_form(
            act.name, act.expr, first.expr, {}, order=self.order, target=self.expr,
            firsts=first._found[3], previous=below._found[3],
        )
        if h is not None:
            # at a boundary where the derivative jumps, h(f(z)) takes one side; the value there is a convention
            prime, h_name = _prime(self.order)
            for point in act.piece_boundaries:
                at_h, at_f = h.subs(a, act.expr.subs(z, point)), self.expr.subs(z, point)
                if sp.simplify(at_h - at_f) != 0:
                    how += (f"; at z = {pretty(point)}, where {prime} jumps, {h_name}(f({pretty(point)})) = {pretty(at_h)} "
                            f"(one side) while the convention gives {prime}({pretty(point)}) = {pretty(at_f)}")
        return h, how, proofs, per_piece

    @property
    def output_form(self):
        r"""\(g(a)\) with \(f^{(n)}(z) = g(f(z))\) for all real \(z\) (away from jumps), proven; or ``None``.

        Candidates come from replacing \(f(z)\) by \(a\), from inverting \(a = f(z)\)
        and, from order 2 on, first from the chain rule \(f^{(n)}(z) = g_{n-1}'(a)\, g_1(a)\)
        with the proven forms of the orders below (sigmoid: \(f'' = a(1 - a)(1 - 2a)\));
        each is proven piece by piece and checked densely at 60 digits. ``None``
        where f is not one-to-one (silu, gelu).
        """
        return self._found[0]

    @property
    def reason(self) -> str:
        """How `output_form` was established, or why there is none."""
        return self._found[1]

    @property
    def proofs(self) -> list[Proof]:
        """The proofs behind `output_form` (empty when none is claimed)."""
        return list(self._found[2])

    @functools.cached_property
    def one_sided(self) -> dict:
        """``{point: (from the left, from the right)}`` at each piece boundary: limits of the neighbouring pieces' derivative.

        Both are ``nan`` where f itself jumps (no derivative from either side).
        """
        parts = pieces(self.activation.expr)
        out = {}
        for p in self.activation.piece_boundaries:
            left = right = None
            for piece, interval in parts:
                for component in (interval.args if isinstance(interval, sp.Union) else (interval,)):
                    if not isinstance(component, sp.Interval) or component.measure == 0:
                        continue
                    if component.sup == p:
                        left = (sp.limit(sp.diff(piece, z, self.order), z, p, "-"), sp.limit(piece, z, p, "-"))
                    if component.inf == p:
                        right = (sp.limit(sp.diff(piece, z, self.order), z, p, "+"), sp.limit(piece, z, p, "+"))
            if left is None or right is None or sp.simplify(left[1] - right[1]) != 0:
                out[p] = (sp.nan, sp.nan)
            else:
                out[p] = (left[0], right[0])
        return out

    @functools.cached_property
    def numpy(self):
        r"""`expr` lambdified for NumPy arrays (an oracle, not tuned for the tails)."""
        return _lambdify_z(self.expr)


def display(expr):
    """``expr`` for printing: long exact fractions (SELU's constants) shown as 17-digit decimals."""
    long = {r: sp.Float(r, 17) for r in expr.atoms(sp.Rational) if r.q > 10**6}
    return expr.xreplace(long)


_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_GREEK = {"alpha": "α", "lambda": "λ", "beta": "β", "gamma": "γ", "pi": "π"}
_RELATION = {"==": "=", "!=": "≠", ">=": "≥", "<=": "≤", ">": ">", "<": "<"}


class _MathPrinter(StrPrinter):
    """One line of Unicode math: |z|, e^(−z), x², √2, ∞, ≥, {z if z > 0; 0 otherwise}."""

    def _print_Symbol(self, expr):
        return _GREEK.get(expr.name, expr.name)

    def _print_Infinity(self, expr):
        return "∞"

    def _print_NegativeInfinity(self, expr):
        return "-∞"

    def _print_Pi(self, expr):
        return "π"

    def _print_Exp1(self, expr):
        return "e"

    def _print_Reals(self, expr):
        return "ℝ"

    def _print_Abs(self, expr):
        return f"|{self._print(expr.args[0])}|"

    def _print_sign(self, expr):
        return f"sgn({self._print(expr.args[0])})"

    def _print_exp(self, expr):
        arg = expr.args[0]
        text = self._print(arg)
        return f"e^{text}" if arg.is_Symbol or (arg.is_Integer and arg >= 0) else f"e^({text})"

    def _print_Pow(self, expr, rational=False):
        base, power = expr.as_base_exp()
        if power == sp.Rational(1, 2):
            inner = self._print(base)
            return f"√{inner}" if base.is_Atom else f"√({inner})"
        if power.is_Integer and power < 0:
            return "1/" + self.parenthesize(sp.Pow(base, -power), sp.printing.precedence.PRECEDENCE["Mul"], strict=False)
        if power.is_Integer and power > 1:
            text = self.parenthesize(base, sp.printing.precedence.PRECEDENCE["Pow"], strict=False)
            if base.is_Pow or isinstance(base, sp.exp):
                text = f"({self._print(base)})"
            return text + str(power).translate(_SUPERSCRIPTS)
        return super()._print_Pow(expr, rational)

    def _print_Relational(self, expr):
        return f"{self._print(expr.lhs)} {_RELATION.get(expr.rel_op, expr.rel_op)} {self._print(expr.rhs)}"

    def _print_And(self, expr):
        return self._print_condition(expr)

    _print_Or = _print_And

    def _print_condition(self, cond):
        symbols = cond.free_symbols
        if len(symbols) == 1 and not isinstance(cond, sp.core.relational.Relational):
            (symbol,) = symbols
            try:
                return f"{self._print(symbol)} ∈ {interval_text(cond.as_set())}"
            except (NotImplementedError, TypeError):
                pass
        if isinstance(cond, sp.core.relational.Relational):
            return self._print_Relational(cond)
        joiner = " and " if isinstance(cond, sp.And) else " or "
        return joiner.join(self._print(c) for c in cond.args)

    def _print_Piecewise(self, expr):
        parts = []
        for piece, cond in expr.args:
            if cond == sp.true:
                parts.append(f"{self._print(piece)} otherwise")
            else:
                parts.append(f"{self._print(piece)} if {self._print_condition(cond)}")
        return "{" + "; ".join(parts) + "}"

    def _print_Interval(self, expr):
        return interval_text(expr)

    def _print_Union(self, expr):
        return interval_text(expr)

    def _print_FiniteSet(self, expr):
        return interval_text(expr)


_SUBSCRIPTS = str.maketrans("0123456789ijkn", "₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₙ")


def _subscript(text: str) -> str:
    """``text`` in subscript characters where Unicode has them (digits, i, j, k, n), else ``_text``."""
    out = text.translate(_SUBSCRIPTS)
    return out if all(c in "₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₙ" for c in out) else f"_{text}"


class _LayerPrinter(_MathPrinter):
    """A vector activation's formulas with units counted from 1, as on the site: z_0 → z₁, Z[i] → zᵢ, Σⱼ."""

    printmethod = "_layer_str"  # not Indexed._sympystr

    def _print_Symbol(self, expr):
        import re

        unit = re.fullmatch(r"([a-zA-Z]+)_(\d+)", expr.name)
        if unit:
            return unit[1] + _subscript(str(int(unit[2]) + 1))
        letter = re.fullmatch(r"([a-zA-Z]+)_([ijkn])", expr.name)  # y_i: a unit named by a letter
        if letter:
            return letter[1] + _subscript(letter[2])
        return super()._print_Symbol(expr)

    def _print_Indexed(self, expr):
        return self._print(expr.base.label) + "".join(_subscript(self._print(t)) for t in expr.indices)

    def _print_KroneckerDelta(self, expr):
        return "δ" + "".join(_subscript(self._print(t)) for t in expr.args)

    def _print_Sum(self, expr):
        body = self._print(expr.function)
        if expr.function.is_Add:
            body = f"({body})"
        # every sum of a layer runs over its units, j = 1 .. n (0 .. n - 1 in the spec's code)
        return "".join(f"Σ{_subscript(self._print(v))} " for v, _, _ in expr.limits) + body

    def _print_exp(self, expr):
        arg = expr.args[0]
        if isinstance(arg, sp.Indexed) or arg.is_Symbol:
            return f"e^{self._print(arg)}"
        return super()._print_exp(expr)


def pretty_layer(expr) -> str:
    """A vector activation's ``expr`` (or matrix row) as one line of Unicode math, units counted from 1."""
    expr = sp.sympify(expr)
    if isinstance(expr, sp.MatrixBase):
        return "[" + "; ".join(", ".join(pretty_layer(e) for e in expr.row(r)) for r in range(expr.rows)) + "]"
    return _math_text(_LayerPrinter().doprint(display(expr)))


def _math_text(text: str) -> str:
    """ASCII operators to Unicode: `*` as a middle dot, `-` as a minus sign (not in 1e-9)."""
    import re

    text = text.replace("**", "^").replace("*", "·")
    return re.sub(r"(?<![0-9]e)-", "−", text)


def pretty(expr) -> str:
    """``expr`` as one line of readable Unicode math (no SymPy class names): ``e^(−z)/(1 + e^(−z))²``."""
    return _math_text(_MathPrinter().doprint(display(sp.sympify(expr))))


def interval_text(values) -> str:
    """A SymPy set of reals as people write it: ``[0, ∞)``, ``(−1, 1)``, ``{0}``, ``ℝ`` as ``(−∞, ∞)``."""
    values = sp.sympify(values)
    if values == sp.S.Reals:
        return "(−∞, ∞)"
    if values == sp.S.EmptySet:
        return "∅"
    if isinstance(values, sp.Interval):
        left = "(" if values.left_open or not values.inf.is_finite else "["
        right = ")" if values.right_open or not values.sup.is_finite else "]"
        return f"{left}{pretty(values.inf)}, {pretty(values.sup)}{right}"
    if isinstance(values, sp.FiniteSet):
        return "{" + ", ".join(pretty(v) for v in values) + "}"
    if isinstance(values, sp.Union):
        return " ∪ ".join(interval_text(part) for part in values.args)
    return _math_text(str(values))


def simplest_equal(expr):
    r"""The shortest of ``expr`` and rewrites of it proven equal at every real z.

    A rewrite uses \(\operatorname{sign}(z) = |z|/z\) (true for \(z \ne 0\)) and
    cancels; it counts only if it agrees with ``expr`` for positive z, for
    negative z (reduced to 0 symbolically) and at z = 0 itself.
    """
    signs = {s: sp.Abs(s.args[0]) / s.args[0] for s in expr.atoms(sp.sign)}
    if not signs:
        return expr
    try:
        candidate = sp.cancel(sp.together(expr.xreplace(signs)))
        # factor with |z| as its own variable, z**2 = |z|**2: 1/(z**2 + 2|z| + 1) -> 1/(|z| + 1)**2
        u = sp.Dummy("u", nonnegative=True)
        in_u = candidate.xreplace({sp.Abs(z): u}).subs(z**2, u**2)
        factored = sp.factor(in_u).xreplace({u: sp.Abs(z)})
        candidate = min(sp.factor(candidate), factored, key=sp.count_ops)
    except (sp.PolynomialError, NotImplementedError):
        return expr
    if candidate.has(sp.sign) or sp.count_ops(candidate) >= sp.count_ops(expr):
        return expr
    t = sp.Symbol("t", positive=True)
    for side in (t, -t):
        if sp.simplify((candidate - expr).subs(z, side)) != 0:
            return expr
    at_zero = candidate.subs(z, 0)
    if not at_zero.is_finite or sp.simplify(at_zero - expr.subs(z, 0)) != 0:
        return expr
    return candidate


def _drop_deltas(expr):
    """``expr`` with every ``DiracDelta`` term set to 0 (each is 0 away from one point, where f'' does not exist)."""
    return expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)


def _sign_symbol_form(expr):
    r"""``expr`` with \(\operatorname{sign}(z) = s\), \(|z| = u\) and \(z = s u\), where \(s^3 = s\), factored.

    softsign's \(2 z \operatorname{sign}(z)^2/(|z| + 1)^3 - 2 \operatorname{sign}(z)/(|z| + 1)^2\)
    becomes \(-2 \operatorname{sign}(z)/(|z| + 1)^3\). ``None`` where there is no ``sign``.
    """
    if not expr.has(sp.sign):
        return None
    s_, u = sp.Dummy("s", real=True), sp.Dummy("u", nonnegative=True)
    in_su = expr.xreplace({sp.sign(z): s_, sp.Abs(z): u}).xreplace({z: s_ * u})
    if in_su.has(z):
        return None
    # s in {-1, 0, 1}: s^k = s for odd k, s^2 for even k
    in_su = sp.expand(in_su).replace(
        lambda e: e.is_Pow and e.base == s_ and e.exp.is_Integer and e.exp > 2,
        lambda e: s_ if e.exp % 2 else s_**2,
    )
    return sp.factor(sp.together(in_su)).xreplace({s_: sp.sign(z), u: sp.Abs(z)})


def _shortest_equal(expr):
    """The shortest of ``expr`` and rewrites of it proven equal at every real z (factored, `simplest_equal`, signs as `_sign_symbol_form`)."""
    from spec.proof import reduce_to_zero

    best = expr
    candidates = [simplest_equal(expr)]
    for rewrite in (lambda e: sp.factor(sp.together(e)), tidy, _sign_symbol_form):
        try:
            candidates.append(rewrite(expr))
        except (sp.PolynomialError, NotImplementedError, TypeError, AttributeError):
            continue
    t = sp.Symbol("t", positive=True)
    for candidate in candidates:
        if candidate is None or sp.count_ops(candidate) >= sp.count_ops(best):
            continue
        if reduce_to_zero(candidate - expr) is None:
            # sign(z) rewrites: reduce for z > 0, z < 0 and at z = 0 separately
            if not all(reduce_to_zero((candidate - expr).subs(z, side)) is not None for side in (t, -t, 0)):
                continue
        best = candidate
    return best


def _lambdify_z(expr):
    fn = sp.lambdify(z, expr, modules=["scipy", "numpy"], cse=True)
    if expr.free_symbols:
        return fn
    # A constant expression lambdifies to a scalar; broadcast it like z.
    import numpy as np

    return lambda values: np.full(np.shape(values), float(expr))


@functools.lru_cache(maxsize=256)
def pieces(expr) -> tuple[tuple, ...]:
    """``(piece, interval)`` pairs that make up ``f`` over the real line.

    A smooth expression is one piece on all of R. ``Piecewise``, ``Abs``,
    ``Max``, ``Min``, ``Heaviside`` and ``sign`` are folded into a single
    ``Piecewise`` whose conditions become disjoint intervals (the first true
    condition wins, as in SymPy).
    """
    if not expr.has(sp.Piecewise, sp.Abs, sp.Max, sp.Min, sp.Heaviside, sp.sign):
        return ((expr, sp.S.Reals),)
    folded = sp.piecewise_fold(expr.rewrite(sp.Piecewise))
    if not isinstance(folded, sp.Piecewise):
        return ((folded, sp.S.Reals),)
    out, rest = [], sp.S.Reals
    for piece, condition in folded.args:
        interval = rest if condition == sp.true else condition.as_set().intersect(rest)
        if interval.has(sp.ConditionSet):
            # e.g. Max(z, exp(z) - 1): where z >= e^z - 1 holds has no closed form for SymPy
            raise NotImplementedError(f"SymPy cannot solve the condition {condition} of the piece {piece}")
        rest = rest - interval
        if interval != sp.S.EmptySet:
            out.append((piece, interval))
    return tuple(out)


@functools.lru_cache(maxsize=256)  # the output forms of f' and f'' ask for the same pieces' images
def _image(piece, interval):
    """The set of values ``piece`` takes on ``interval``.

    Raises:
        NotImplementedError: SymPy's answer is the empty set, which cannot be right,
            both for the piece and for the piece rewritten with exp.
    """
    if z not in piece.free_symbols:
        return sp.FiniteSet(piece)
    image = _image_of(piece, interval)
    if image is sp.S.EmptySet:
        # SymPy 1.14 gets limits of 2**z wrong, but not of exp(z log 2)
        rewritten = piece.rewrite(sp.exp)
        image = _image_of(rewritten, interval) if rewritten != piece else image
        if image is sp.S.EmptySet:
            raise NotImplementedError(f"SymPy finds no values of {piece} on {interval}")
    return image


def _image_of(piece, interval):
    if isinstance(interval, sp.Interval):
        monotone = _monotone_image(piece, interval)
        if monotone is not None:
            return monotone
    from sympy.calculus.util import function_range

    try:
        return function_range(piece, z, interval)
    except NotImplementedError:
        return _numeric_image(piece, interval)


def _monotone_image(piece, interval):
    """The image of a piece whose slope has one sign on the whole real line, from its ends; else ``None``.

    A strictly monotone function maps an interval onto the interval between
    its values (limits, at open or infinite ends) at the two ends, with each
    end included exactly where the matching end of ``interval`` is. Much
    cheaper than SymPy's general ``function_range``.
    """
    slope = sp.diff(piece, z)
    if slope.is_positive:
        increasing = True
    elif slope.is_negative:
        increasing = False
    else:
        return None
    ends = []
    for end, side, is_open in ((interval.inf, "+", interval.left_open), (interval.sup, "-", interval.right_open)):
        value = piece.subs(z, end) if end.is_finite else sp.limit(piece, z, end, side)
        ends.append((value, is_open or not end.is_finite))
    (low, low_open), (high, high_open) = ends if increasing else ends[::-1]
    image = sp.Interval(low, high, low_open, high_open)
    # an empty image means a limit at an end is wrong (SymPy 1.14 gives 2**z -> oo as z -> -oo)
    return None if image is sp.S.EmptySet else image


def _numeric_image(piece, interval):
    """The image when SymPy cannot find it: limits at the ends, extrema from f'(z) = 0 at 30 digits.

    A bound is attained (a closed end) where it is the value at a witness z:
    a root z* of f'(z) = 0 inside the interval (silu's and gelu's minimum), or
    an end the interval includes; a limit at an open or infinite end is not.
    """
    import mpmath

    low_end, high_end = interval.inf, interval.sup
    # (value, attained)
    candidates = []
    for end, side, is_open in ((low_end, "+", interval.left_open), (high_end, "-", interval.right_open)):
        if end.is_finite and not is_open:
            candidates.append((piece.subs(z, end), True))
        else:
            candidates.append((sp.limit(piece, z, end, side), False))
    F = sp.lambdify(z, piece, modules="mpmath")
    D = sp.lambdify(z, sp.diff(piece, z), modules="mpmath")
    with mpmath.workdps(30):
        grid = [mpmath.mpf(t) for t in DENSE_GRID if low_end <= t <= high_end]
        slopes = [D(t) for t in grid]
        for t0, t1, d0, d1 in zip(grid, grid[1:], slopes, slopes[1:]):
            if d0 == 0:
                # the slope vanishes on a grid point (z erf(z) at 0): a candidate extremum
                candidates.append((sp.Float(mpmath.nstr(F(t0), 20), 20), True))
            elif d0 * d1 < 0:
                turn = mpmath.findroot(D, (t0, t1), solver="anderson")
                candidates.append((sp.Float(mpmath.nstr(F(turn), 20), 20), True))
    low = sp.Min(*(v for v, _ in candidates))
    high = sp.Max(*(v for v, _ in candidates))
    low_open = not any(attained and v == low for v, attained in candidates)
    high_open = not any(attained and v == high for v, attained in candidates)
    return sp.Interval(low, high, low_open, high_open)


def _candidate_stages(expr, derivative, prime="f'", first=None, previous=None):
    r"""Lists of ``(g, origin)`` candidates, cheapest way of finding them first.

    Each stage is a function so that a later, costlier stage (``solve`` for z)
    only runs when no candidate of an earlier one could be proven.

    ``derivative`` is what g must give (``prime`` names it: ``f'`` or ``f''``).
    With ``first``, the proven output form \(g\) of \(f'\) on this piece, a
    first stage offers the chain rule's \(f''(z) = g'(a)\, f'(z) = g'(a)\, g(a)\);
    with ``previous`` too, the proven form \(h_{n-1}\) of the order below,
    \(f^{(n)}(z) = h_{n-1}'(a)\, g(a)\).
    """

    def chain():
        if first is None:
            return []
        if previous is None or previous == first:
            h = sp.diff(first, a) * first
            how = "chain rule from the proven f'(z) = g(a): f''(z) = g'(a)·f'(z) = g'(a)·g(a)"
        else:
            h = sp.diff(previous, a) * first
            below = prime[:-1]
            how = f"chain rule from the proven {below}(z) = p(a) and f'(z) = g(a): {prime}(z) = p'(a)·g(a)"
        return [(min(h, tidy(h), key=sp.count_ops), how)]

    def constant():
        if z not in derivative.free_symbols:
            return [(derivative, f"{prime}(z) does not depend on z")]
        return []

    def direct():
        g = derivative.subs(expr, a)
        return [(g, f"f(z) replaced by a inside {prime}(z)")] if z not in g.free_symbols else []

    def building_block():
        # Solve a = f(z) for one building block u(z) of f (tanh(z), e^{-z}) and put
        # u = u(a) into f'(z): cheaper and tidier than solving for z itself.
        found = []
        for block in sorted(expr.atoms(sp.Function), key=sp.count_ops):
            u_symbol = sp.Dummy("u", real=True)
            in_u = expr.subs(block, u_symbol)
            if z not in block.free_symbols or z in in_u.free_symbols:
                continue
            try:
                solutions = _solve_for(a - in_u, u_symbol)
            except NotImplementedError:
                continue
            for u in solutions:
                g = derivative.subs(block, u)
                if z not in g.free_symbols:
                    g = sp.cancel(g)
                    found.append((min(tidy(g), sp.expand(g), key=sp.count_ops), f"solved a = f(z) for {pretty(block)} = {pretty(u)}"))
        return found

    def inverse():
        try:
            branches = sp.solve(sp.Eq(a, expr), z, check=False)
        except NotImplementedError:
            return []
        found = []
        for branch in branches:
            raw = derivative.subs(z, branch)
            if z in raw.free_symbols:
                continue
            origin = f"inverted a = f(z) with solve, branch z = {pretty(branch)}"
            for step in (sp.cancel, lambda e: sp.cancel(sp.expand(e.rewrite(sp.exp)))):
                try:
                    g = step(raw)
                except (sp.PolynomialError, NotImplementedError):
                    continue
                # the shorter of the factored and the expanded form: a(1 - a), 1 - e^{-a}
                found.append((min(tidy(g), sp.expand(g), key=sp.count_ops), origin))
            # the raw substitution too: tidying can hide an identity
            # (sinh(asinh(z)) = z is lost once sinh becomes exponentials)
            found.append((raw, origin))
        return found

    return (chain, constant, direct, building_block, inverse)


def _solve_for(expr, symbol):
    """Candidate solutions of ``expr = 0`` for ``symbol``; each is proven by the caller.

    When ``expr`` is rational in ``symbol`` with a numerator of degree 1 or 2
    (the usual case: the sigmoid is 1/(1 + u) in u = e^{-z}), the numerator's
    roots; otherwise SymPy's ``solve`` (without its own check, which imports
    ``sympy.physics``, a third of a second).
    """
    numerator = sp.numer(sp.together(expr))
    if numerator.is_polynomial(symbol):
        poly = sp.Poly(numerator, symbol)
        if 1 <= poly.degree() <= 2:
            return list(sp.roots(poly))
        # cubic and higher: Cardano's radicals (or RootOf) make candidates that
        # SymPy needs minutes to simplify and prove; none is offered
        return []
    return sp.solve(expr, symbol, check=False)


def _invert_piece(name, piece, interval, order=1, first=None, previous=None):
    r"""``(g, how, proof)`` for one piece, or ``(None, reason, None)``.

    ``order`` 1 looks for \(f'(z) = g(f(z))\), 2 for \(f''(z) = h(f(z))\), and so on
    (``first``, ``previous``: this piece's proven forms of orders 1 and ``order - 1``,
    for the chain-rule stage).
    """
    derivative = sp.diff(piece, z, order)
    prime, g_name = _prime(order)
    tried = 0
    for stage in _candidate_stages(piece, derivative, prime, first, previous):
        # within a stage, simplest first: several may be provable, and the shortest reads best
        for g, origin in sorted(stage(), key=lambda c: sp.count_ops(c[0])):
            tried += 1
            where = "" if interval == sp.S.Reals else f" for z ∈ {interval_text(interval)}"
            proof = prove_equal(
                f"{name}: {prime}(z) = {g_name}(f(z)) with {g_name}(a) = {pretty(g)}{where}", g.subs(a, piece), derivative
            )
            if proof.ok:
                return g, f"{origin}; {proof.method}", proof
    if tried == 0:
        return None, f"a = {piece} could not be inverted and {prime}(z) could not be written through f(z)", None
    return None, f"none of {tried} candidate(s) from inverting a = {piece} could be proven equal to {prime}(z)", None


#: Where the dense numeric checks look: both signs, out to |z| = 40, every
#: 1/20 where activations bend (|z| <= 5), every 1/2 in the tails, and right
#: next to every kink.
DENSE_GRID = tuple(
    sorted({t / 20 for t in range(-100, 101)} | {t / 2 for t in range(-80, 81)})
)
DENSE_DIGITS = 60


def _dense_points(kinks):
    """The grid and the points just beside each kink, but not the kinks themselves.

    At a kink f' does not exist; the value there is a convention (SymPy's
    Heaviside(0) = 1/2 for ``Max(z, z/10)``, PyTorch's one-sided slopes for the
    registered activations, whose pieces prove theirs symbolically), so the
    numeric check compares g(f(z)) with f'(z) only where f' is defined.
    """
    import mpmath

    at = {float(k) for k in kinks}
    points = [mpmath.mpf(t) for t in DENSE_GRID if t not in at]
    for k in sorted(at):
        k = mpmath.mpf(k)
        points += [k - mpmath.mpf("1e-9"), k + mpmath.mpf("1e-9")]
    return points


def _dense_check(f, derivative, g, kinks) -> tuple[bool, str]:
    """Compare g(f(z)) with f'(z) at 60 digits over the dense grid and at the kinks."""
    import mpmath

    F = sp.lambdify(z, f, modules="mpmath")
    D = sp.lambdify(z, derivative, modules="mpmath")
    G = sp.lambdify(a, g, modules="mpmath")
    worst = mpmath.mpf(0)
    with mpmath.workdps(DENSE_DIGITS):
        points = _dense_points(kinks)
        for t in points:
            want = D(t)
            error = abs(G(F(t)) - want) / max(abs(want), mpmath.mpf(10) ** -30)
            worst = max(worst, error)
    ok = worst <= mpmath.mpf(10) ** -20
    beside = " and beside each piece boundary" if kinks else ""
    return ok, f"checked at {len(points)} points of z in [−40, 40]{beside}, {DENSE_DIGITS} digits: worst relative error {mpmath.nstr(worst, 3)}"


def _non_injective_witness(f, derivative, target=None, prime="f'") -> str | None:
    """If f' takes both signs, f is not one-to-one: find z1, z2 with f(z1) = f(z2) but f'(z1) != f'(z2).

    With ``target`` (f'', named ``prime``) the witness compares the target's values at z1 and z2.
    """
    import mpmath

    # A screen in float64 first (cheap, and Python's math module needs no import):
    # f' with one sign everywhere on the grid means no witness is looked for; a
    # sign change is then confirmed at 30 digits.
    slope = sp.lambdify(z, derivative, modules="math")
    screen = []
    for t in DENSE_GRID:
        try:
            screen.append(float(slope(t)))
        except (ArithmeticError, ValueError, TypeError):
            screen.append(float("nan"))
    if not (any(v > 0 for v in screen) and any(v < 0 for v in screen)):
        return None
    F = sp.lambdify(z, f, modules="mpmath")
    D = sp.lambdify(z, derivative, modules="mpmath")
    T = D if target is None else sp.lambdify(z, target, modules="mpmath")
    with mpmath.workdps(30):
        grid = [mpmath.mpf(t) for t in DENSE_GRID]
        values = [D(t) for t in grid]
        if not (any(v > 0 for v in values) and any(v < 0 for v in values)):
            return None
        # the first sign change of f', stepping over exact zeros
        nonzero = [(t, v) for t, v in zip(grid, values) if v != 0]
        (t0, _), (t1, _) = next(
            (p, q) for p, q in zip(nonzero, nonzero[1:]) if p[1] * q[1] < 0
        )
        turn = mpmath.findroot(D, (t0, t1), solver="anderson")
        # a level just off the extremum, reached on both sides of it
        z2 = turn + mpmath.mpf("0.25")
        level = F(z2)
        left = [t for t in grid if t < turn]
        for t0, t1 in zip(reversed(left[:-1]), reversed(left[1:])):
            if (F(t0) - level) * (F(t1) - level) <= 0:
                z1 = mpmath.findroot(lambda t: F(t) - level, (t0, t1), solver="anderson")
                v1, v2 = T(z1), T(z2)
                if abs(v1 - v2) <= mpmath.mpf(10) ** -20 * max(abs(v1), abs(v2), 1):
                    break  # the same value at both: this pair is no witness
                return (
                    f"f is not one-to-one: f'(z) changes sign at z = {mpmath.nstr(turn, 6)}, and "
                    f"f({mpmath.nstr(z1, 6)}) = f({mpmath.nstr(z2, 6)}) = {mpmath.nstr(level, 6)} while "
                    f"{prime} there is {mpmath.nstr(v1, 6)} and {mpmath.nstr(v2, 6)}: "
                    "no function of the output can give both"
                )
        return f"f is not one-to-one (f'(z) changes sign at z = {mpmath.nstr(turn, 6)}); no single-valued function of a is claimed"


def _derive_output_form(name, expr, derivative, params, order=1, target=None, firsts=None, previous=None):
    """Find ``g`` with ``g(f(z)) = f'(z)`` for all real z and prove it, or say why none is claimed.

    With ``order=2``: ``h`` with ``h(f(z)) = f''(z)`` (``target``, the spec's f''),
    the same way piece by piece, with the chain rule h = g'·g from ``firsts`` (each
    piece's proven g, or None) as the first stage; any higher ``order`` likewise, with
    ``previous`` the pieces' proven forms of the order below.

    Returns ``(g or None, how or why, proofs, the pieces' g or None)``.
    """
    expr, derivative = expr.subs(params), derivative.subs(params)
    target = derivative if target is None else target.subs(params)
    prime, g_name = _prime(order)
    witness = _non_injective_witness(expr, derivative, None if order == 1 else target, prime)
    if witness is not None:
        return None, witness, (), None
    try:
        parts = pieces(expr)
        kinks = sorted({p for _, iv in parts for p in (iv.inf, iv.sup) if p.is_finite})
    except NotImplementedError as err:
        return None, f"SymPy could not split f into pieces on intervals ({err}), so no output form is claimed", (), None
    found, proofs, hows = [], [], []
    for index, (piece, interval) in enumerate(parts):
        first = firsts[index] if firsts is not None and len(firsts) == len(parts) else None
        below = previous[index] if previous is not None and len(previous) == len(parts) else None
        g, how, proof = _invert_piece(name, piece, interval, order, first, below)
        if g is None:
            return None, how, (), None
        found.append((g, (piece, interval)))
        proofs.append(proof)
        hows.append(how if len(parts) == 1 else f"for z ∈ {interval_text(interval)}: {how}")
    per_piece = tuple(g_i for g_i, _ in found)
    if len(found) == 1:
        g, how = found[0][0], hows[0]
        origin = "proven symbolically"
    else:
        # g is assembled from the pieces' images, which must not overlap
        found = [(g_i, _image(*piece)) for g_i, piece in found]
        for i in range(len(found)):
            for j in range(i + 1, len(found)):
                if sp.Intersection(found[i][1], found[j][1]) != sp.S.EmptySet:
                    return None, (
                        f"two pieces of f take the values {sp.Intersection(found[i][1], found[j][1])}: "
                        f"{g_name} would not be single-valued"
                    ), (), None
        if all(g_i == found[0][0] for g_i, _ in found):
            g = found[0][0]  # the same on every piece (relu's f'' = 0): no Piecewise needed
        else:
            g = sp.Piecewise(*[(g_i, image.as_relational(a)) for g_i, image in found])
        methods = [how.split(": ", 1)[1] for how in hows]
        # the same way on every piece: said once
        how = methods[0] if len(set(methods)) == 1 else "; ".join(hows)
        origin = f"proven symbolically on each of the {len(found)} pieces, whose images are disjoint"
    ok, checked = _dense_check(expr, target, g, kinks)
    if not ok:
        return None, f"a candidate {g_name}(a) = {g} was proven piecewise but failed the dense check ({checked})", (), None
    proofs.append(Proof(f"{name}: {g_name}(f(z)) = {prime}(z) numerically", True, checked))
    # the numeric check is its own fact, stated once (in the proofs), not repeated here
    return g, f"{origin} ({how})", tuple(proofs), per_piece


# --- vector activations ----------------------------------------------------------


class _ElementwiseOnly:
    """A class attribute of `VectorActivation` that only an elementwise activation has: reading it raises `NotElementwiseError`."""

    def __init__(self, order: int):
        self.order = order

    def __get__(self, act, owner=None):
        if act is None:
            return self
        raise NotElementwiseError(act.why_not_elementwise(self.order))


class VectorActivation:
    r"""An activation acting on a whole layer: \(a_i = f_i(z_0, \dots, z_{n-1})\).

    Args:
        name: A Python identifier, e.g. ``"softmax"``.
        component: \(f_i\) as a SymPy expression in the layer vector `Z`
            (entries ``Z[i]``, ``Z[j]``), the unit index `i` and the number of
            units `n`, e.g. ``exp(Z[i]) / Sum(exp(Z[j]), (j, 0, n - 1))``.
        description: One line for the docs.
        output_set: What the outputs of one sample are: ``"simplex"``, each
            in `range` and summing to 1 (proven for every ``n`` asked, in
            `proofs`), or ``"box"``, each in `range`.
        range: Infimum and supremum of every component, as SymPy numbers.

    Attributes:
        elementwise: Always ``False``.
        output_form: Always ``None``: no elementwise output form exists, see
            `why_not_elementwise`; the layer's own output form is
            `jacobian_output_form`. ``derived(order)`` raises `NotElementwiseError`.

    Everything else is derived for a concrete number of units ``n``:
    `vector` (\(f(z)\) as a column), `jacobian` (by ``Matrix.jacobian``,
    never typed), `jacobian_output_form` (\(G\) with \(J(z) = G(f(z))\),
    proven) and `proofs`.
    """

    elementwise = False
    #: Vector activations have no parameters, kinks, pieces or elementwise output form.
    params: dict = {}
    kinks: tuple = ()
    piece_boundaries: tuple = ()

    def __init__(self, name: str, component, description: str = "", output_set: str = "simplex", range=(0, 1)):
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"name: expected a Python identifier, got {name!r}")
        component = sp.sympify(component)
        extra = component.free_symbols - {Z, Z.label, i, _n} - set(component.atoms(sp.Indexed)) - _bound_indices(component)
        if extra:
            raise ValueError(
                f"component: expected an expression in Z[...], i and n, got free symbols {', '.join(sorted(map(str, extra)))}"
            )
        if output_set not in ("simplex", "box"):
            raise ValueError(f"output_set: expected 'simplex' or 'box', got {output_set!r}")
        self.name = name
        self.component = component
        self.description = description
        self.output_set = output_set
        self.range = tuple(sp.sympify(v) for v in range)

    def __repr__(self) -> str:
        return f"VectorActivation({self.name!r}, {self.component})"

    # --- what only an elementwise activation has: a clear error, not a wrong number

    def why_not_elementwise(self, order: int = 0) -> str:
        r"""Why there is no scalar \(f^{(n)}(z)\) for ``order`` n (0: no \(f(z)\) itself).

        Order 1, the reason no elementwise output form \(g\) with \(\partial a_i / \partial z_i
        = g(a_i)\) replaces the Jacobian: backprop through a layer needs every entry
        \(\partial a_i / \partial z_k\), not only the diagonal. For softmax the
        off-diagonal entries are \(-a_i a_k \ne 0\): output \(i\) moves when *another*
        unit's \(z_k\) does, so \(\delta_k = \sum_i J_{ik}\, \partial\ell/\partial a_i\)
        mixes every unit. Even row by row, \(a_i\) alone does not determine the row:
        row \(i\) of \(J\) is \(a_i(e_i - a)\), which needs all of \(a\). (The diagonal
        entry alone, \(a_i(1 - a_i)\), looks like the sigmoid's output form;
        multiplying by it entry by entry is a known mistake that drops the
        \(-a_k \sum_i a_i\,\partial\ell/\partial a_i\) term.) From order 2 on the
        derivative has one index more than the order (a tensor per sample).
        """
        if order == 0:
            return (f"{self.name} is a vector activation: it has no expression f(z) of one variable z (each output "
                    "depends on the whole layer); use component, vector(n) and jacobian(n)")
        if order == 1:
            return (
                f"{self.name} is a vector activation: output i depends on every zₖ of the layer, so backprop needs "
                "the whole Jacobian Jᵢₖ = ∂aᵢ/∂zₖ, whose off-diagonal entries are not 0 (for softmax "
                "−aᵢ·aₖ); no g(aᵢ) of the unit's own output gives them, and aᵢ alone does not determine row i "
                "(it needs all of a). The layer's output form is the matrix G(a) with J(z) = G(f(z)): see "
                "jacobian_output_form(n)"
            )
        if order == 2:
            return (
                f"{self.name} is a vector activation: its second derivative ∂²aᵢ/∂zⱼ∂zₖ has three indices "
                "(a 3-tensor per sample), not one number f''(z) per unit"
            )
        return (f"{self.name} is a vector activation: its derivative of order {order} has {order + 1} indices "
                f"(a tensor per sample), not one number per unit")

    def derived(self, order: int):
        """Not defined for a vector activation: raises `NotElementwiseError` with `why_not_elementwise`."""
        raise NotElementwiseError(self.why_not_elementwise(order))

    #: f(z) and f'(z) of one variable do not exist: reading them raises `NotElementwiseError`.
    expr = symbolic_expr = _ElementwiseOnly(0)
    derivative = _ElementwiseOnly(1)
    #: No g with f'(z_i) = g(a_i): see `why_not_elementwise`.
    output_form = None

    # --- derived for n units

    @staticmethod
    @functools.lru_cache(maxsize=None)
    def zs(n: int):
        """Column of real symbols ``z_0 .. z_{n-1}``: the layer's pre-activations."""
        return sp.Matrix([sp.Symbol(f"z_{t}", real=True) for t in range(_units(n))])

    @staticmethod
    @functools.lru_cache(maxsize=None)
    def As(n: int):
        """Column of real symbols ``a_0 .. a_{n-1}``: the layer's outputs."""
        return sp.Matrix([sp.Symbol(f"a_{t}", real=True) for t in range(_units(n))])

    @functools.lru_cache(maxsize=None)
    def vector(self, n: int):
        r"""\(f(z)\) for ``n`` units: a column in `zs` (the component with its sums written out)."""
        n_ = _units(n)
        zs = self.zs(n_)
        entries = self.component.atoms(sp.Indexed)
        out = []
        for t in range(n_):
            # f_t: i = t, n units; Sum(..., (j, 0, n - 1)) written out; z[t] -> z_t
            e = self.component.subs({i: t, _n: n_}).doit()
            e = e.xreplace({Z[u]: zs[u] for u in range(n_)})
            if e.atoms(sp.Indexed) or (entries and e.has(Z)):
                raise ValueError(f"component: for n = {n_} it refers to entries of z outside z[0] .. z[{n_ - 1}]: {e}")
            out.append(e)
        return sp.Matrix(out)

    def apply(self, column):
        """\\(f\\) applied to a SymPy column: the whole column at once (not entry by entry)."""
        column = sp.Matrix(column)
        zs = self.zs(column.rows)
        return self.vector(column.rows).xreplace(dict(zip(zs, column)))

    @functools.lru_cache(maxsize=None)
    def jacobian(self, n: int):
        r"""\(J[i, k] = \partial f_i / \partial z_k\) for ``n`` units, by ``Matrix.jacobian`` (never typed)."""
        return self.vector(n).jacobian(self.zs(n))

    @functools.lru_cache(maxsize=None)
    def _jacobian_output_form(self, n: int) -> tuple:
        return _derive_jacobian_output_form(self, _units(n))

    def jacobian_output_form(self, n: int):
        r"""The matrix \(G(a)\) in `As` with \(J(z) = G(f(z))\) for all real \(z\), proven; or ``None``.

        For softmax \(G = \operatorname{diag}(a) - a a^T\); see `jacobian_output_form_reason`.
        """
        return self._jacobian_output_form(n)[0]

    def jacobian_output_form_reason(self, n: int) -> str:
        """How `jacobian_output_form` was derived and proven, or why none is claimed."""
        return self._jacobian_output_form(n)[1]

    @functools.lru_cache(maxsize=None)
    def proofs(self, n: int) -> list[Proof]:
        """What is proven for ``n`` units: the output set (simplex: the outputs sum to 1) and the Jacobian's output form."""
        n_ = _units(n)
        out = []
        if self.output_set == "simplex":
            out.append(prove_equal(f"{self.name}: Σᵢ fᵢ(z) = 1 for n = {n_}", sum(self.vector(n_)), 1))
        out.extend(self._jacobian_output_form(n_)[2])
        return list(out)

    @functools.cached_property
    def _general(self) -> tuple:
        return _derive_general_jacobian(self)

    @property
    def general_jacobian(self):
        r"""\(\partial f_i / \partial z_k\) for a symbolic number of units \(n\), by ``sympy.diff`` of `component` by ``Z[k]``."""
        return self._general[0]

    @property
    def general_jacobian_output_form(self):
        r"""\(J_{ik}\) through the outputs `A` for every \(n\) (softmax: \(a_i(\delta_{ik} - a_k)\)), proven; or ``None``."""
        return self._general[1]

    def general_proofs(self) -> list[Proof]:
        """What is proven for every number of units: the output set (simplex: the outputs sum to 1) and `general_jacobian_output_form`."""
        return list(self._general[2])

    def latex(self, n: int = 3) -> dict[str, str]:
        """LaTeX for the component, and for ``n`` units the Jacobian and its output form (``None`` if absent)."""
        G = self.jacobian_output_form(n)
        return {
            "f": sp.latex(self.component),
            "jacobian": sp.latex(self.jacobian(n)),
            "output_form": None if G is None else sp.latex(G),
        }

    # --- numeric oracles, column layout: units on axis 0 (units x samples)

    @functools.lru_cache(maxsize=None)
    def _lambdified(self, n: int):
        zs = list(self.zs(n))
        f = sp.lambdify(zs, list(self.vector(n)), modules=["scipy", "numpy"], cse=True)
        J = sp.lambdify(zs, list(self.jacobian(n)), modules=["scipy", "numpy"], cse=True)
        return f, J

    def numpy_f(self, z):
        r"""\(f\) for NumPy arrays with the units on axis 0 (``(n,)`` or ``(n, samples)``): the plain formula, an oracle."""
        import numpy as np

        z = np.asarray(z, dtype=float)
        n_ = _units(z.shape[0])
        f, _ = self._lambdified(n_)
        # constant entries (softmax over one unit is 1) broadcast to the samples too
        return np.stack(np.broadcast_arrays(*f(*z), z[0])[:n_])

    def numpy_jacobian(self, z):
        r"""\(J\) for NumPy arrays with the units on axis 0: shape ``(n, n, ...)``, ``J[i, k] = d a_i / d z_k``."""
        import numpy as np

        z = np.asarray(z, dtype=float)
        n_ = _units(z.shape[0])
        _, J = self._lambdified(n_)
        return np.stack(np.broadcast_arrays(*J(*z), z[0])[: n_ * n_]).reshape((n_, n_) + z.shape[1:])


def _units(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, sp.Integer)) or int(n) < 1:
        raise ValueError(f"n: expected a positive number of units, got {n!r}")
    return int(n)


def _bound_indices(expr) -> set:
    """The dummy indices of the sums in ``expr`` (``j`` in ``Sum(exp(Z[j]), (j, 0, n - 1))``)."""
    return {limit[0] for s in expr.atoms(sp.Sum) for limit in s.limits}


def _exp_scale(expr, zs, As, s):
    r"""``expr`` with \(e^{z_k} = s\, a_k\) for every unit and \(\sum_j e^{z_j} = s\) (so \(\sum_k a_k = 1\)).

    Every exponential must be of an integer combination of the units, e.g.
    ``exp(2 z_0)``, which becomes \((s a_0)^2\). Returns ``None`` otherwise.
    """
    total = sp.Add(*[sp.exp(t) for t in zs])
    expr = expr.xreplace({total: s})
    bad = []

    def scaled(e):
        try:
            poly = sp.Poly(sp.expand(e.args[0]), *zs)
        except sp.PolynomialError:
            bad.append(e)
            return e
        out = sp.Integer(1)
        for monomial, coeff in poly.terms():
            if sum(monomial) != 1 or not coeff.is_integer:
                bad.append(e)
                return e
            out *= (s * As[monomial.index(1)]) ** coeff
        return out

    expr = expr.replace(lambda e: isinstance(e, sp.exp), scaled)
    return None if bad else expr


def evaluate_unit_deltas(expr, unit=None, length=None):
    r"""``expr`` with the sums over the layer of Kronecker deltas evaluated for a unit of the layer.

    ``Sum(g(j) * KroneckerDelta(j, k), (j, 0, n - 1))`` is ``g(k)`` when
    \(0 \le k \le n - 1\) and 0 otherwise (SymPy's ``Piecewise``); ``unit``
    (default `k`) is one of the layer's units, so the first piece is taken.
    """
    unit, length = k if unit is None else unit, _n if length is None else length
    expr = expr.doit()
    in_range = sp.And(unit >= 0, unit <= length - 1)
    return expr.replace(
        lambda e: isinstance(e, sp.Piecewise) and len(e.args) == 2 and e.args[0].cond == in_range,
        lambda e: e.args[0].expr,
    )


def _derive_general_jacobian(act: VectorActivation) -> tuple:
    r"""\(\partial f_i / \partial z_k\) with \(n\) symbolic, written through the outputs and proven.

    ``sympy.diff`` of the component by ``Z[k]``, the Kronecker deltas' sums
    evaluated for a unit \(k\), the factors free of each sum's index
    pulled out, then \(f_i(z) \to a_i\) and \(f_k(z) \to a_k\). Proven by
    putting \(f\) back and reducing the difference to the derivative to 0.

    Returns ``(J_ik, G_ik or None, proofs)``.
    """
    from spec.proof import pull_out_of_sums

    J = evaluate_unit_deltas(sp.diff(act.component, Z[k]))
    f_i, f_k = act.component, act.component.subs(i, k)
    proofs = []
    if act.output_set == "simplex":
        proofs.append(prove_equal(f"{act.name}: Σᵢ fᵢ(z) = 1 for any number of units n", sp.Sum(f_i, (i, 0, _n - 1)), 1))
    G = sp.factor(sp.expand(pull_out_of_sums(J)).subs(f_i, A[i]).subs(f_k, A[k]))
    if G.has(Z):
        return J, None, tuple(proofs)
    claim = f"{act.name}: ∂fᵢ/∂zₖ = {pretty_layer(G)} for any number of units n and units i, k"
    proofs.append(prove_equal(claim, G.subs({A[i]: f_i, A[k]: f_k}), J))
    return J, G, tuple(proofs)


def _derive_jacobian_output_form(act: VectorActivation, n: int) -> tuple:
    r"""Find \(G\) with \(J(z) = G(f(z))\) for ``n`` units and prove it, or say why none is claimed.

    The derivation, for activations built of exponentials (softmax): write
    \(e^{z_k} = s\,a_k\) with \(s = \sum_j e^{z_j} > 0\) a new symbol (so
    that \(\sum_k a_k = 1\)), put that into every entry of \(J\) and
    cancel. The candidate counts only if \(s\) cancels (and no \(z\) is
    left); it is then proven by substituting \(a_k = f_k(z)\) back and
    reducing \(J(z) - G(f(z))\) to zero entry by entry. Otherwise the
    components themselves are replaced by \(a_k\) inside \(J\) (the
    elementwise ``direct`` stage) and proven the same way.

    Returns ``(G or None, how or why, proofs)``.
    """
    J, zs, As = act.jacobian(n), act.zs(n), act.As(n)
    s = sp.Symbol("s", positive=True)
    back = dict(zip(As, act.vector(n)))
    tried = []
    scaled = _exp_scale(J, zs, As, s)
    if scaled is not None:
        G = scaled.applyfunc(lambda e: tidy(sp.cancel(e)))
        if G.free_symbols <= set(As):
            tried.append((G, "e^zₖ = s·aₖ with s = Σⱼ e^zⱼ > 0 (so Σₖ aₖ = 1) put into J; s cancelled"))
    direct = J.xreplace({f: a_t for a_t, f in back.items()})
    if direct.free_symbols <= set(As):
        tried.append((direct, "fₖ(z) replaced by aₖ inside J"))
    for G, origin in tried:
        proof = prove_matrix_equal(
            f"{act.name}: J(z) = G(f(z)) for n = {n}, G(a) = {pretty_layer(G)}", G.xreplace(back), J
        )
        if proof.ok:
            return G, f"{origin}; proven: J(z) − G(f(z)) reduced to 0 entry by entry ({proof.method})", (proof,)
    if not tried:
        return None, f"no candidate G(a): J for n = {n} could not be written through the outputs a", ()
    return None, f"none of {len(tried)} candidate(s) G(a) could be proven equal to J for n = {n}", ()


# --- the registry ------------------------------------------------------------

#: Every activation, by name (the generic `impl._registry.Registry`, as on the NumPy side).
_REGISTRY: Registry[Activation | VectorActivation] = Registry(
    "activation", (Activation, VectorActivation), argument="activation"
)


def register(activation):
    """Add ``activation`` (an `Activation` or a `VectorActivation`) to the registry; its name must be new."""
    return _REGISTRY.register(activation)


def get(name: str) -> Activation:
    """The registered activation called ``name``.

    Raises:
        ValueError: no activation has that name; for an entry of `ADDED_FILE` that
            could not be loaded, the message names the file, the entry and the error.
    """
    try:
        return _REGISTRY.get(name)
    except ValueError as err:
        if name in _ADDED_ERRORS:
            raise ValueError(f"activation {name!r} could not be loaded: {_ADDED_ERRORS[name]}") from None
        problems = "".join(f"; {problem}" for key, problem in _ADDED_ERRORS.items() if key.startswith("<"))
        raise ValueError(f"{err}{problems}") from None


def load_errors() -> dict[str, str]:
    """Entries of `ADDED_FILE` that could not be registered: name (or ``<file>``, ``<entry N>``) to the error."""
    return dict(_ADDED_ERRORS)


def names(elementwise: bool | None = None) -> tuple[str, ...]:
    """Names of the registered activations, in registration order.

    Args:
        elementwise: ``True`` for the elementwise ones only (what code that
            applies f entry by entry may take: output forms, plots of f(z),
            per-unit identification), ``False`` for the vector ones (softmax),
            ``None`` for all.
    """
    return _REGISTRY.names(elementwise=elementwise)


# One row per activation: everything else is derived from the expression.
# Kinks follow PyTorch's autograd: the condition that includes the kink point
# picks which one-sided derivative is used there (relu'(0) = 0,
# leaky_relu'(0) = slope, elu'(0) = alpha, selu'(0) = scale * alpha,
# hard_tanh'(+-1) = 0; softsign'(0) = 1 from sign(0) = 0).
alpha = sp.Symbol("alpha", positive=True)
slope = sp.Symbol("negative_slope", positive=True)
SELU_ALPHA = sp.Rational("1.6732632423543772848170429916717")
SELU_SCALE = sp.Rational("1.0507009873554804934193349852946")

register(Activation("identity", z, "f(z) = z: no nonlinearity (regression outputs)."))
register(Activation("sigmoid", 1 / (1 + sp.exp(-z)), "The logistic function σ(z) = 1/(1 + e^−z)."))
register(Activation("tanh", sp.tanh(z), "The hyperbolic tangent."))
register(Activation("relu", sp.Piecewise((z, z > 0), (0, True)), "Rectified linear unit max(0, z); f′(0) = 0, as in PyTorch."))
register(
    Activation(
        "leaky_relu",
        sp.Piecewise((z, z > 0), (slope * z, True)),
        "ReLU with a small slope for z ≤ 0 (PyTorch's default 0.01); f′(0) = the slope, as in PyTorch.",
        params={slope: sp.Rational(1, 100)},
    )
)
register(
    Activation(
        "elu",
        sp.Piecewise((z, z > 0), (alpha * (sp.exp(z) - 1), True)),
        "Exponential linear unit with α = 1.",
        params={alpha: sp.Integer(1)},
    )
)
selu_scale, selu_alpha = sp.symbols("lambda alpha", positive=True)
register(
    Activation(
        "selu",
        selu_scale * sp.Piecewise((z, z > 0), (selu_alpha * (sp.exp(z) - 1), True)),
        "Scaled ELU with the self-normalising constants λ and α; f′(0) = λα (the left slope), as in PyTorch.",
        params={selu_scale: SELU_SCALE, selu_alpha: SELU_ALPHA},
    )
)
register(Activation("softplus", sp.log(1 + sp.exp(z)), "A smooth ReLU, log(1 + e^z) (exact, no linearisation)."))
register(Activation("silu", z / (1 + sp.exp(-z)), "z·σ(z), also called swish."))
register(Activation("gelu", z * (1 + sp.erf(z / sp.sqrt(2))) / 2, "z·Φ(z), Φ the standard normal CDF (the exact erf form)."))
register(Activation("softsign", z / (1 + sp.Abs(z)), "z/(1 + |z|): like tanh, with polynomial tails."))
register(
    Activation(
        "hard_tanh",
        sp.Piecewise((-1, z <= -1), (1, z >= 1), (z, True)),
        "The identity clamped to the band from −1 to 1, a cheap tanh; f′(±1) = 0, as in PyTorch.",
    )
)
register(
    VectorActivation(
        "softmax",
        sp.exp(Z[i]) / sp.Sum(sp.exp(Z[j]), (j, 0, n - 1)),
        "e^zᵢ / Σⱼ e^zⱼ over the layer: outputs in (0, 1) summing to 1 (class probabilities).",
        output_set="simplex",
        range=(0, 1),
    )
)


#: The activations that ship with the package, in registration order (the added ones come after).
BUILTIN_NAMES: tuple[str, ...] = tuple(_REGISTRY.names())


def builtin_names(elementwise: bool | None = None) -> tuple[str, ...]:
    """Names of the activations that ship with the package (not added with ``add-activation``).

    Args:
        elementwise: as in `names`.
    """
    return tuple(n for n in _REGISTRY.names(elementwise=elementwise) if n in BUILTIN_NAMES)


# --- activations added with `backprop-spec add-activation` ----------------------

from spec import user_folder  # noqa: E402  (the user folder of added activations)

#: The registry of added activations this process read (see `spec.user_folder`).
ADDED_FILE = user_folder.registry_path()

#: Entries of `ADDED_FILE` that could not be registered, by name, with the reason.
_ADDED_ERRORS: dict[str, str] = {}


def from_entry(entry: dict) -> Activation:
    """Build an activation from an entry of `ADDED_FILE`; the text is parsed safely, never run.

    Every field is checked as ``add-activation`` checks its arguments (a hand-edited
    entry gets no more trust than the command line); a ValueError names the field.
    """
    from spec.user_folder import ENTRY_KEYS
    from spec.parse import check_description, check_name, check_param_name, parse_expression, parse_number

    if not isinstance(entry, dict):
        raise ValueError(f"expected an object with the keys {', '.join(ENTRY_KEYS)}, got a {type(entry).__name__}")
    unknown = sorted(set(map(str, entry)) - set(ENTRY_KEYS))
    if unknown or "name" not in entry or "expr" not in entry:
        raise ValueError(f"expected the keys {', '.join(ENTRY_KEYS)} (name and expr required), got {', '.join(sorted(map(str, entry)))}")
    name = check_name(entry["name"], argument="name")
    raw_params = entry.get("params", {})
    if not isinstance(raw_params, dict):
        raise ValueError(f"params: expected an object of NAME: number, got a {type(raw_params).__name__}")
    params = {}
    for key, value in raw_params.items():
        check_param_name(key, argument="params")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValueError(f"params: {key}: expected a number, got {value!r}")
        params[sp.Symbol(key, real=True)] = sp.Rational(str(parse_number(str(value), argument=f"params: {key}")))
    description = check_description(entry.get("description", ""), argument="description")
    if not isinstance(entry["expr"], str):
        raise ValueError(f"expr: expected a string, got {type(entry['expr']).__name__}")
    allowed = {"z": z} | {str(symbol): symbol for symbol in params}
    expr = parse_expression(entry["expr"], allowed=allowed, argument="expr")
    return Activation(name, expr, description, params=params)


def _load_added() -> None:
    """Register every entry of `ADDED_FILE`; one that is broken is recorded, not raised (see `get`).

    Every entry is one expression in z, so every added activation is elementwise
    (`from_entry` builds an `Activation`); vector activations are registered in code.
    """
    from spec.user_folder import RegistryError, display_path, entry_label, read_entries

    try:
        entries = read_entries(ADDED_FILE)
    except RegistryError as err:
        _ADDED_ERRORS["<file>"] = str(err)
        return
    for i, entry in enumerate(entries):
        where = f"{display_path(ADDED_FILE)}: {entry_label(i, entry)}"
        name = entry.get("name") if isinstance(entry, dict) else None
        key = name if isinstance(name, str) and name not in _ADDED_ERRORS and name not in _REGISTRY else f"<entry {i}>"
        try:
            register(from_entry(entry))
        except (ValueError, TypeError) as err:
            _ADDED_ERRORS[key] = f"{where}: {err}"


_load_added()
