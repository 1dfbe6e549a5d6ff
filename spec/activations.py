r"""Activation functions as SymPy expressions: the registry everything else follows.

Each activation is one expression :math:`f(z)` in the real symbol :data:`z`.
Everything else is derived from it, never typed by hand:

* ``derivative``: :math:`f'(z)`, by ``sympy.diff``;
* ``output_form``: :math:`g(a)` with :math:`f'(z) = g(f(z))` for every real
  :math:`z`, written in the symbol :data:`a` (the output), or ``None`` with a
  stated reason. This is why code may write the sigmoid's derivative as
  ``a * (1 - a)``: its argument is the sigmoid's *output*;
* ``proofs``: what was proven about the two, and how.

An output form is only claimed once ``g(f(z)) - f'(z)`` has been reduced to
zero symbolically (see :mod:`spec.proof`). Candidates for ``g`` come from
two places: replacing :math:`f(z)` by :math:`a` inside :math:`f'(z)`, and
inverting :math:`a = f(z)` with ``sympy.solve``. ``solve`` can return
several branches, some of them wrong; a candidate that fails the proof is
simply discarded, so a wrong branch can never be claimed.
"""

from __future__ import annotations

import functools
import keyword

import sympy as sp

from spec.proof import Proof, prove_equal, tidy

#: The pre-activation, a real number.
z = sp.Symbol("z", real=True)
#: The activation's output :math:`a = f(z)`.
a = sp.Symbol("a", real=True)


class Activation:
    r"""One activation function, given as a SymPy expression in :data:`z`.

    Args:
        name: A Python identifier, e.g. ``"sigmoid"``.
        expr: A SymPy expression in :data:`z`, or a string that parses to one
            (parsed safely by :func:`spec.parse.parse_expression`, never ``eval``).
        description: One line for the docs.

    Attributes:
        name: The registry key.
        expr: :math:`f(z)`.
        derivative: :math:`f'(z)`, derived with ``sympy.diff``.
        output_form: :math:`g(a)` with :math:`f'(z) = g(f(z))` proven for all
            real :math:`z`, or ``None``.
        output_form_reason: How the output form was established, or why none
            is claimed.
    """

    def __init__(self, name: str, expr, description: str = ""):
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"name: expected a Python identifier, got {name!r}")
        if isinstance(expr, str):
            from spec.parse import parse_expression

            expr = parse_expression(expr, allowed={"z": z})
        expr = sp.sympify(expr)
        extra = expr.free_symbols - {z}
        if extra:
            raise ValueError(
                f"expr: expected an expression in z only, got free symbols "
                f"{', '.join(sorted(map(str, extra)))}"
            )
        self.name = name
        self.expr = expr
        self.description = description

    def __repr__(self) -> str:
        return f"Activation({self.name!r}, {self.expr})"

    # --- derived, lazily: deriving every activation at import would slow every CLI call

    @functools.cached_property
    def derivative(self):
        """:math:`f'(z)`, derived with ``sympy.diff``."""
        return sp.diff(self.expr, z)

    @functools.cached_property
    def _output_form(self) -> tuple:
        return _derive_output_form(self.name, self.expr, self.derivative)

    @property
    def output_form(self):
        """:math:`g(a)` with :math:`f'(z) = g(f(z))` for all real :math:`z`, or ``None``."""
        return self._output_form[0]

    @property
    def output_form_reason(self) -> str:
        """How the output form was established, or why there is none."""
        return self._output_form[1]

    @property
    def proofs(self) -> list[Proof]:
        """The proofs behind :attr:`output_form` (empty when none is claimed)."""
        return list(self._output_form[2])

    @functools.cached_property
    def range(self) -> tuple:
        """Infimum and supremum of :math:`f` over the real line, as SymPy numbers."""
        from sympy.calculus.util import function_range

        values = function_range(self.expr, z, sp.S.Reals)
        return (values.inf, values.sup)

    def latex(self) -> dict[str, str]:
        """LaTeX for ``f``, ``derivative`` and ``output_form`` (``None`` if absent)."""
        return {
            "f": sp.latex(self.expr),
            "derivative": sp.latex(self.derivative),
            "output_form": None if self.output_form is None else sp.latex(self.output_form),
        }

    # --- numeric oracles

    @functools.cached_property
    def numpy_f(self):
        """:math:`f` lambdified for NumPy arrays (an oracle, not tuned for the tails)."""
        return _lambdify_z(self.expr)

    @functools.cached_property
    def numpy_df(self):
        """:math:`f'` lambdified for NumPy arrays."""
        return _lambdify_z(self.derivative)


def _lambdify_z(expr):
    fn = sp.lambdify(z, expr, modules="numpy", cse=True)
    if expr.free_symbols:
        return fn
    # A constant expression lambdifies to a scalar; broadcast it like z.
    import numpy as np

    return lambda values: np.full(np.shape(values), float(expr))


def _candidates(expr, derivative):
    """Expressions in ``a`` that might equal f'(z) at a = f(z), most direct first."""
    if z not in derivative.free_symbols:
        yield derivative, "f'(z) does not depend on z"
        return
    direct = derivative.subs(expr, a)
    if z not in direct.free_symbols:
        yield direct, "f(z) replaced by a inside f'(z)"
    try:
        branches = sp.solve(sp.Eq(a, expr), z)
    except NotImplementedError:
        branches = []
    for inverse in branches:
        g = derivative.subs(z, inverse)
        for step in (sp.cancel, lambda e: sp.cancel(sp.expand(e.rewrite(sp.exp)))):
            try:
                g = step(g)
            except (sp.PolynomialError, NotImplementedError):
                continue
        if z not in g.free_symbols:
            yield tidy(g), f"inverted a = f(z) with solve, branch z = {inverse}"


def _derive_output_form(name, expr, derivative):
    """Find ``g`` with ``g(f(z)) = f'(z)`` and prove it, or say why none is claimed."""
    tried = 0
    for g, origin in _candidates(expr, derivative):
        tried += 1
        proof = prove_equal(f"{name}: f'(z) = g(f(z)) with g(a) = {g}", g.subs(a, expr), derivative)
        if proof.ok:
            return g, f"{origin}; proven symbolically ({proof.method})", (proof,)
    if tried == 0:
        reason = "no candidate: f'(z) could not be written through f(z) and a = f(z) could not be inverted"
    else:
        reason = f"none of {tried} candidate(s) from inverting a = f(z) could be proven equal to f'(z)"
    return None, reason, ()


# --- the registry ------------------------------------------------------------

_REGISTRY: dict[str, Activation] = {}


def register(activation: Activation) -> Activation:
    """Add ``activation`` to the registry; its name must be new."""
    if not isinstance(activation, Activation):
        raise TypeError(f"activation: expected an Activation, got {type(activation).__name__}")
    if activation.name in _REGISTRY:
        raise ValueError(f"activation: the name {activation.name!r} is already registered")
    _REGISTRY[activation.name] = activation
    return activation


def get(name: str) -> Activation:
    """The registered activation called ``name``."""
    if not isinstance(name, str):
        raise TypeError(f"activation: expected a name (str), got {type(name).__name__}")
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"activation: unknown name {name!r}; expected one of {', '.join(names())}"
        ) from None


def names() -> tuple[str, ...]:
    """Names of the registered activations, in registration order."""
    return tuple(_REGISTRY)


# One row per activation: everything else is derived from the expression.
register(Activation("identity", z, "f(z) = z: no nonlinearity (regression outputs)."))
register(Activation("sigmoid", 1 / (1 + sp.exp(-z)), "The logistic function, values in (0, 1)."))
register(Activation("tanh", sp.tanh(z), "The hyperbolic tangent, values in (-1, 1)."))
