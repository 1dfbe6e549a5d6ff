"""``backprop-spec add-activation``: a new activation from one expression.

The expression is parsed without running it (`spec.parse`), checked,
and derived like every registered activation. Then two files in the user
folder change (see `spec.user_folder`; ``$BACKPROP_SPEC_HOME/activations``, by
default ``~/.local/share/backprop-spec/activations``), never a file of the package:

* the registry ``activations.json`` gets an entry: the expression as SymPy
  prints it (not the text typed), which `spec.activations` registers at import;
* ``act_NAME.py`` is written: a starting NumPy implementation printed
  from the spec's expressions by SymPy's SciPy code printer, marked
  ``reviewed=False`` until someone makes it stable in the tails.

``backprop-spec remove-activation NAME`` takes both out again.

Nothing in either file is copied from the user's text: the code and its
comments are printed from the parsed SymPy expressions, and the module is
checked against a whitelist of syntax (`spec.extend.codecheck`) before it is written.

`plan` does the symbolic work and writes nothing; the command runs it in a
child process with a time budget (`spec.extend.sandbox`) and writes the files
in the parent only once it has succeeded. From then on the tests and the
docs, which are driven by the registries, cover the new activation with no
further edits.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import sympy as sp
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from sympy.printing.numpy import SciPyPrinter

from spec import activations, user_folder
from spec.extend import codecheck
from spec.activations import Activation, a, z
from spec.parse import (
    MAX_EXPONENT, check_description, check_name, check_param_name, parse_expression, parse_number, quote,
)

#: The project's folder (the one holding spec/, impl/ and, in a checkout, tests/).
PROJECT_DIR = Path(__file__).resolve().parents[2]

#: Where f and f' must be real and finite numerically (the second check, after the
#: symbolic one): both signs, out to |z| = 40, including 0 and the integers (where
#: kinks and poles such as 1/z usually sit) and points between.
CHECK_GRID = sorted(
    {sp.Rational(k, 4) for k in range(-160, 161)} | {sp.Rational(k, 10) + sp.Rational(1, 997) for k in range(-400, 401, 3)}
)
MAX_DESCRIPTION_DEFAULT = 200


@dataclass
class Plan:
    """What ``add-activation`` would write, before anything is written."""

    activation: Activation
    entry: dict
    impl_path: Path
    impl_code: str
    review: list[str]


def parse_params(items) -> dict[str, str]:
    """``["alpha=1.5", ...]`` into ``{"alpha": "3/2"}``: checked, values exact and printed canonically.

    A value is a decimal number (``1.5``, ``-2e-3``) or a fraction of integers
    (``1/3``), 0 or between 1e-100 and 1e100 in size; an expression such as
    ``pi/2`` is not accepted.
    """
    params = {}
    for item in items or []:
        if not isinstance(item, str):
            raise ValueError(f"--param: expected NAME=NUMBER, got {type(item).__name__}")
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep:
            raise ValueError(f"--param: expected NAME=NUMBER, got {quote(item)}")
        check_param_name(name)
        if name in params:
            raise ValueError(f"--param: {name} is given twice")
        params[name] = str(parse_number(value, argument=f"--param {name}"))
    return params


def _check_name_is_free(name: str) -> None:
    from spec import losses

    check_name(name)
    if name in activations.builtin_names():
        raise ValueError(f"NAME: an activation called {name!r} already exists")
    if name in losses.names():
        raise ValueError(f"NAME: {name!r} is the name of a loss")
    registry = user_folder.registry_path()
    entries = user_folder.read_entries(registry)  # RegistryError (a ValueError) names the file
    if name in activations.load_errors() or name in user_folder.entry_names(entries):
        raise ValueError(
            f"NAME: an activation called {name!r} was already added (in {registry}); "
            f"remove it first with: backprop-spec remove-activation {name}"
        )
    path = user_folder.module_path(name)
    if path.exists():
        raise ValueError(
            f"NAME: {path} exists with no entry in {registry} (left by an interrupted command); "
            f"remove it with: backprop-spec remove-activation {name}"
        )
    if name in activations.names():
        raise ValueError(f"NAME: an activation called {name!r} already exists")


def plan(name: str, expr_text: str, params: dict[str, str] | None = None, description: str = "",
         progress=None) -> Plan:
    """Check the new activation and prepare the files, writing nothing.

    Args:
        progress: Called with a description of each stage before it starts
            (the child process reports them, so that a timeout can say where).

    Raises:
        ValueError: a taken or invalid name, text that is not a plain
            mathematical expression, a free symbol other than ``z`` and the
            declared parameters, or a function that is not real, finite and
            differentiable almost everywhere on the real line (decided symbolically,
            then checked numerically).
    """
    say = progress or (lambda stage: None)
    say("checking NAME")
    _check_name_is_free(name)
    say("checking --param")
    params = parse_params([f"{k}={v}" for k, v in (params or {}).items()])
    symbols = {p: sp.Symbol(p, real=True) for p in params}
    say("parsing EXPR")
    expr = parse_expression(expr_text, allowed={"z": z} | symbols, argument="EXPR")
    if z not in expr.free_symbols:
        raise ValueError(f"EXPR: expected an expression in z, got the constant {_brief(expr)}")
    unused = sorted(p for p, s in symbols.items() if s not in expr.free_symbols)
    if unused:
        raise ValueError(f"--param: {', '.join(unused)} does not appear in EXPR")
    description = check_description(description)
    values = {symbols[p]: sp.Rational(v) for p, v in params.items()}
    # a parameter used as an exponent is held to the same bound as a number written there
    for power in expr.atoms(sp.Pow):
        exponent = power.exp.xreplace(values)
        if power.exp.free_symbols & set(values) and exponent.is_number and abs(exponent) > MAX_EXPONENT:
            raise ValueError(
                f"--param: the exponent {power.exp} = {exponent} in EXPR is larger than {MAX_EXPONENT} in size"
            )
    act = Activation(name, expr, description, params=values)
    say("finding where the pieces of f switch")
    try:
        act.piece_boundaries
    except NotImplementedError as err:
        raise ValueError(f"EXPR: cannot tell where the pieces of f switch: {err}") from None
    say("deriving f'(z)")
    _check_differentiable(act)
    say("checking symbolically that f and f' are real and finite on the whole real line")
    _check_real_and_finite(act)
    say("checking f and f' numerically on a grid over [-40, 40]")
    _check_grid(act)
    say("searching for the output form and proving it")
    act.output_form
    say("finding the range of f")
    try:
        act.range
    except NotImplementedError as err:
        raise ValueError(f"EXPR: SymPy could not find the range of f ({str(err).splitlines()[0][:120]})") from None
    say("printing the NumPy code")
    # the JSON entry holds SymPy's printing of the parsed expression, never the text typed
    canonical = _canonical(expr, {"z": z} | symbols)
    if not description:
        description = f"Added with add-activation: f(z) = {canonical}"
        if len(description) > MAX_DESCRIPTION_DEFAULT:
            description = "Added with add-activation."
        act.description = description
    entry = {"name": name, "expr": canonical, "params": params, "description": description}
    if activations.from_entry(entry).symbolic_expr != expr:
        raise ValueError(f"EXPR: the entry for {quote(canonical)} does not read back as the same expression")
    code, review = _impl_code(act)
    try:
        codecheck.check_module(code, name)
    except codecheck.UnsafeCode as err:
        raise ValueError(f"EXPR: the generated code failed its safety check ({err}); nothing was written") from None
    return Plan(act, entry, user_folder.module_path(name), code, review)


def _brief(expr, limit: int = 80) -> str:
    text = str(activations.display(expr))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _canonical(expr, allowed) -> str:
    """``str(expr)``, the form stored in the JSON file, provided it parses back to ``expr``."""
    text = str(expr)
    try:
        back = parse_expression(text, allowed=allowed, argument="EXPR")
    except ValueError as err:
        back = err
    if back != expr:
        raise ValueError(
            f"EXPR: SymPy writes this expression as {quote(text)}, which does not read back as the same "
            "expression; write it another way"
        )
    return text


# --- checks -----------------------------------------------------------------------


def _check_differentiable(act: Activation) -> None:
    """Refuse what backprop cannot use: jumps (as delta functions), unevaluated derivatives, a zero slope."""
    derivative = act.derivative
    if derivative.has(sp.DiracDelta, sp.Derivative, sp.Subs):
        raise ValueError(
            f"EXPR: f is not differentiable almost everywhere (f'(z) = {_brief(derivative)} has a "
            "delta function or an unevaluated derivative: f jumps or cannot be differentiated)"
        )
    if derivative == 0:
        raise ValueError("EXPR: f'(z) = 0 everywhere: no gradient would flow through this activation")


class _Undecided(Exception):
    """SymPy could not decide a condition; the activation is refused rather than accepted."""


#: Functions that are real and finite for every real argument.
_EVERYWHERE = (
    sp.exp, sp.sin, sp.cos, sp.sinh, sp.cosh, sp.tanh, sp.asinh, sp.atan, sp.erf, sp.erfc,
    sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min,
)


def _check_real_and_finite(act: Activation) -> None:
    """f and f' real and finite at every real z, decided symbolically, piece by piece.

    Each piece of f (see `spec.activations.pieces`) must be real and finite on the
    closure of its interval, and so must its derivative (so f' stays bounded next to
    a kink); where two pieces meet they must agree (f does not jump), and f' at a
    kink (SymPy's convention there) must be a real number. A condition SymPy cannot
    decide refuses the activation, with a message saying so.
    """
    try:
        parts = activations.pieces(act.expr)
        for piece, where in parts:
            for component in _components(where):
                _require_defined("f(z)", piece, component.closure, len(parts) > 1)
                if isinstance(component, sp.Interval) and component.measure > 0:
                    _require_defined("f'(z)", sp.diff(piece, z), component.closure, len(parts) > 1)
        for kink in act.piece_boundaries:
            values = {piece.subs(z, kink) for piece, where in parts if _touches(where, kink)}
            first, *others = sorted(values, key=sp.default_sort_key)
            for other in others:
                same = (other - first).equals(0) if other - first != 0 else True
                if same is False:
                    raise ValueError(
                        f"EXPR: f jumps at z = {kink}: its pieces there give {_brief(first)} and {_brief(other)} "
                        "(f must be continuous for backprop)"
                    )
                if same is None:
                    raise _Undecided(f"whether f is continuous at z = {kink} ({_brief(first)} vs {_brief(other)})")
            slope = act.derivative.subs(z, kink)
            _require_number("f'(z)", slope, f"at the kink z = {kink}")
    except _Undecided as why:
        raise ValueError(
            f"EXPR: could not decide symbolically {why}; refused rather than accepted (write f another way)"
        ) from None


def _components(where):
    if isinstance(where, (sp.Interval, sp.FiniteSet)):
        return [where]
    if isinstance(where, sp.Union) and all(isinstance(p, (sp.Interval, sp.FiniteSet)) for p in where.args):
        return list(where.args)
    raise _Undecided(f"where f is defined (a piece of f holds on {_brief(where)})")


def _touches(where, point) -> bool:
    return any(point in component.closure for component in _components(where))


def _require_number(what, value, where):
    if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan) or value.is_extended_real is False or value.is_finite is False:
        raise ValueError(f"EXPR: {what} must be real and finite for every real z; {where} it is {_brief(value)}")
    if value.is_extended_real is None or value.is_finite is None:
        number = value.evalf(30)
        if not (number.is_Number and number.is_finite):
            raise _Undecided(f"whether {what} = {_brief(value)} is a real number {where}")


def _require_defined(what, expr, domain, has_kinks):
    """Every operation in ``expr`` real and finite for every z in ``domain``."""
    scope = " (and have finite one-sided limits at the kinks)" if has_kinks else ""
    walk = sp.preorder_traversal(expr)
    for node in walk:
        if node.is_number:
            _require_number(what, node, f"the constant {_brief(node)} in it")
            walk.skip()
            continue
        if isinstance(node, (sp.Symbol, sp.Add, sp.Mul)) or isinstance(node, _EVERYWHERE):
            continue
        if isinstance(node, sp.Pow):
            base, exponent = node.args
            if exponent.is_Integer:
                needs = [(sp.Ne(base, 0), "is not defined where", sp.Eq(base, 0))] if exponent < 0 else []
            elif exponent.is_Rational or (exponent.is_number and exponent.is_real):
                if exponent.is_negative:
                    needs = [(base > 0, "is not real and finite where", base <= 0)]
                else:
                    needs = [(base >= 0, "is not real where", base < 0)]
            else:
                needs = [(base > 0, "is not real and finite where", base <= 0)]
        elif isinstance(node, sp.log):
            needs = [(node.args[0] > 0, "is not defined where", node.args[0] <= 0)]
        elif isinstance(node, sp.tan):
            needs = [(sp.Ne(sp.cos(node.args[0]), 0), "is not defined where", sp.Eq(sp.cos(node.args[0]), 0))]
        else:
            raise _Undecided(f"whether {_brief(node)} in {what} is real and finite (SymPy wrote it with "
                             f"{type(node).__name__}, which this check does not know)")
        for holds, phrase, violated in needs:
            if holds is sp.true or _holds_by_assumptions(holds):
                continue
            if holds is sp.false:
                raise ValueError(
                    f"EXPR: {what} must be real and finite for every real z{scope}; {_brief(node, 60)} is not real "
                    "for every real z"
                )
            bad = _solve(violated, domain, node)
            if bad != sp.S.EmptySet:
                raise ValueError(
                    f"EXPR: {what} must be real and finite for every real z{scope}; {_brief(node, 60)} "
                    f"{phrase} {_condition_text(violated)}, e.g. at z = {_example(bad)}"
                )


def _condition_text(condition) -> str:
    if isinstance(condition, sp.Eq):
        return f"{_brief(condition.lhs, 50)} = {_brief(condition.rhs, 20)}"
    return _brief(condition, 60)


def _holds_by_assumptions(condition) -> bool:
    """Decided from SymPy's assumptions alone (z is real): exp(z) + 1 > 0, z**2 + 1 >= 0."""
    if isinstance(condition, sp.Ne):
        return condition.lhs.is_zero is False if condition.rhs == 0 else False
    if isinstance(condition, sp.StrictGreaterThan) and condition.rhs == 0:
        return condition.lhs.is_positive is True
    if isinstance(condition, sp.GreaterThan) and condition.rhs == 0:
        return condition.lhs.is_nonnegative is True
    return False


def _solve(violated, domain, node):
    """The z in ``domain`` where ``violated`` holds; `_Undecided` when SymPy cannot tell."""
    try:
        if isinstance(violated, sp.Eq):
            bad = sp.solveset(violated.lhs - violated.rhs, z, domain)
        else:
            bad = sp.solveset(violated, z, domain)
    except (NotImplementedError, ValueError, TypeError) as err:
        raise _Undecided(f"where {_condition_text(violated)} in {_brief(node)} (SymPy: {str(err).splitlines()[0][:80]})") from None
    if bad.has(sp.ConditionSet):
        raise _Undecided(f"whether {_condition_text(violated)} for some real z (SymPy cannot solve it)")
    return bad


def _example(points) -> str:
    """One point of a set SymPy returned, for the message."""
    try:
        if isinstance(points, sp.FiniteSet):
            return str(activations.display(sorted(points, key=sp.default_sort_key)[0]))
        if isinstance(points, sp.Interval):
            low, high = points.inf, points.sup
            if low.is_finite and high.is_finite:
                return str(low if not points.left_open else (low + high) / 2)
            if high.is_finite:
                return str(high if not points.right_open else high - 1)
            return str(low if low.is_finite and not points.left_open else (low + 1 if low.is_finite else 0))
        if isinstance(points, sp.ImageSet):
            variable = points.lamda.variables[0]
            return str(points.lamda.expr.subs(variable, 0))
        if isinstance(points, sp.Union):
            return _example(points.args[0])
    except (TypeError, ValueError, AttributeError):
        pass
    return _brief(points, 60)


def _check_grid(act: Activation) -> None:
    """The second, numeric check: f and f' real and finite at 30 digits on `CHECK_GRID` and at the kinks."""
    import mpmath

    derivative = act.derivative
    F = sp.lambdify(z, act.expr, modules="mpmath")
    D = sp.lambdify(z, derivative, modules="mpmath")
    points = sorted(set(CHECK_GRID) | set(act.piece_boundaries))
    with mpmath.workdps(30):
        for point in points:
            t = mpmath.mpf(point.p) / point.q if isinstance(point, sp.Rational) else mpmath.mpf(str(sp.N(point, 40)))
            for what, fn in (("f", F), ("f'", D)):
                try:
                    value = fn(t)
                except (ValueError, ZeroDivisionError, TypeError, OverflowError) as err:
                    raise ValueError(f"EXPR: {what}({mpmath.nstr(t, 6)}) cannot be evaluated ({err})") from None
                if isinstance(value, (int, float)):
                    # a constant piece evaluates to a plain number
                    value = mpmath.mpf(value)
                if not isinstance(value, mpmath.mpf) or not mpmath.isfinite(value):
                    raise ValueError(
                        f"EXPR: {what}(z) must be real and finite for every real z; "
                        f"{what}({mpmath.nstr(t, 6)}) = {mpmath.nstr(value, 6)}"
                    )


# --- the generated module --------------------------------------------------------


class _Printer(SciPyPrinter):
    """SymPy's SciPy printer, writing only names the generated module imports.

    ``pi`` as ``numpy.pi`` (not ``scipy.constants.pi``), ``Max``/``Min`` as nested
    ``numpy.maximum``/``numpy.minimum`` (not ``functools.reduce``), ``Abs`` as
    ``numpy.absolute`` (not the builtin).
    """

    def __init__(self):
        super().__init__({"fully_qualified_modules": True, "strict": True})

    def _print_Pi(self, expr):
        return "numpy.pi"

    def _print_Abs(self, expr):
        return f"numpy.absolute({self._print(expr.args[0])})"

    def _nested(self, function, args):
        first, *rest = args
        if not rest:
            return self._print(first)
        return f"{function}({self._print(first)}, {self._nested(function, rest)})"

    def _print_Max(self, expr):
        return self._nested("numpy.maximum", expr.args)

    def _print_Min(self, expr):
        return self._nested("numpy.minimum", expr.args)


def _printed(printer, expr, var) -> str:
    code = printer.doprint(expr)
    if var not in expr.free_symbols or expr.has(sp.Piecewise, sp.Heaviside):
        # a constant, or numpy.select over constants: the shape and float type of the input
        return f"like({var}, {code})"
    return code


def _text(value) -> str:
    """Printed text for a comment or the docstring: one line of printable ASCII, no quote or backslash."""
    text = " ".join(str(value).split())
    return "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in text)


def _allowed(code, var, what, expr):
    try:
        codecheck.check_expression(code, var)
    except codecheck.UnsafeCode as err:
        raise ValueError(
            f"EXPR: SymPy prints {what} = {_brief(expr, 60)} as code the generated module may not contain ({err})"
        ) from None
    return code


def _impl_code(act: Activation) -> tuple[str, list[str]]:
    printer = _Printer()
    try:
        f_code = _allowed(_printed(printer, act.expr, z), "z", "f(z)", act.expr)
        df_code = _allowed(_printed(printer, act.derivative, z), "z", "f'(z)", act.derivative)
    except PrintMethodNotImplementedError as err:
        raise ValueError(f"EXPR: SymPy cannot print f or f' as NumPy code ({str(err).splitlines()[0]})") from None
    review = []
    if act.expr.has(sp.exp, sp.cosh, sp.sinh):
        review.append("exp/cosh/sinh overflow for large |z| (a warning, then inf or nan): rewrite f and f' so "
                      "that large z never reaches exp (e.g. expit, logaddexp, exp(-|z|))")
    if act.expr.has(sp.Piecewise, sp.Abs, sp.Max, sp.Min):
        review.append("numpy.select evaluates every piece everywhere: a piece that overflows where it is not "
                      "used still warns; compute each piece only where it applies")
    if act.expr.has(sp.erf, sp.erfc):
        review.append("1 + erf(x) loses every digit for large negative x: use scipy.special.ndtr or erfc")
    review.append("sums of nearly equal terms (1 - f, e^z - 1) lose relative accuracy: use expm1, log1p, "
                  "or an algebraically equal form")
    # f''(z) the same way; an f'' SymPy cannot print (or that prints as code the check refuses)
    # leaves d2f = None, and the tests say that this activation's f'' is not covered
    try:
        d2f_code = _printed(printer, act.derived(2).expr, z)
        codecheck.check_expression(d2f_code, "z")
    except (PrintMethodNotImplementedError, codecheck.UnsafeCode) as err:
        d2f_code = None
        review.append(f"f''(z) = {activations.display(act.derived(2).expr)} could not be printed as NumPy code "
                      f"({str(err).splitlines()[0]}): d2f is None until someone writes it by hand")
    if d2f_code is not None:
        d2f_block = (
            f"def d2f(z):\n"
            f"    # f''(z) = {_text(activations.display(act.derived(2).expr))}\n"
            f"    return {d2f_code}\n\n\n"
        )
        d2f_name = "d2f"
    else:
        d2f_block, d2f_name = "", "None"
    g_code = None
    if act.output_form is not None:
        try:
            g_code = _printed(printer, act.output_form, a)
            codecheck.check_expression(g_code, "a")
        except (PrintMethodNotImplementedError, codecheck.UnsafeCode) as err:
            g_code = None
            # e.g. erfinv: the output form exists but SymPy's SciPy printer cannot write it
            review.append(f"the proven output form g(a) = {activations.display(act.output_form)} could not be "
                          f"printed as NumPy code ({str(err).splitlines()[0]}); training uses df(z) until "
                          "someone writes df_from_output by hand")
    if g_code is not None:
        output_block = (
            f"def df_from_output(a):\n"
            f"    # f'(z) = g(a) with a = f(z):  g(a) = {_text(activations.display(act.output_form))}\n"
            f"    return {g_code}\n"
        )
        output_name = "df_from_output"
    elif act.output_form is not None:
        output_block = f"# The output form g(a) = {_text(activations.display(act.output_form))} could not be printed as code.\n"
        output_name = "None"
    else:
        output_block = f"# No output form: {_text(act.derived(1).reason)}\n"
        output_name = "None"
    smooth = len(act.piece_boundaries) == 0 and not act.expr.has(sp.Abs, sp.sign, sp.Piecewise, sp.Max, sp.Min, sp.Heaviside)
    low, high = act.range
    closed = tuple(bool(end) for end in act.range_closed)
    notes = "\n".join(f"* {_text(line)}" for line in review)
    code = f'''"""{act.name}: f(z) = {_text(act.expr)}

Generated by ``backprop-spec add-activation`` from the spec's SymPy expressions
with SymPy's SciPy code printer. These are the textbook formulas: before relying
on them, review them for the tails.

{notes}

When f is within 1e-12, f' within 1e-10 and f'' within 1e-9 relative of the spec
on [-30, 30], all are finite with no warning for |z| up to 1e4, and float32 input gives
float32 output, set ``reviewed=True`` below: the tests then hold this
activation to those bars. Until then they check it against the spec for
moderate inputs (|z| <= 5).
"""

import numpy
import scipy.special  # noqa: F401  (the printed formulas may call it)

from impl.activations import Activation
from impl._added import like


def f(z):
    # f(z) = {_text(activations.display(act.expr))}
    return {f_code}


def df(z):
    # f'(z) = {_text(activations.display(act.derivative))}
    return {df_code}


{d2f_block}{output_block}

ACTIVATION = Activation(
    name={act.name!r},
    f=f,
    df=df,
    df_from_output={output_name},
    d2f={d2f_name},
    range=({_literal(low)}, {_literal(high)}),
    range_closed={closed!r},
    smooth={smooth},
    reviewed=False,
)
'''
    return code, review


def report(p: Plan, written) -> str:
    """What the command prints: the derivation, the files, and what to review."""
    act = p.activation
    lines = [
        f"added {act.name}:",
        f"  f(z)  = {activations.display(act.expr)}",
        f"  f'(z) = {activations.display(act.derivative)}",
    ]
    if act.output_form is None:
        lines.append(f"  output form: none ({act.derived(1).reason})")
    else:
        lines.append(f"  output form: g(a) = {activations.display(act.output_form)}  ({act.derived(1).reason})")
    lines.append("wrote:")
    lines += [f"  {path}" for path in written]
    lines.append(f"review {p.impl_path.name} before relying on it (it is marked reviewed=False):")
    lines += [f"  - {line}" for line in p.review]
    lines.append(f"then run its tests: {test_command(act.name)}")
    lines.append(f"(remove it with: backprop-spec remove-activation {act.name})")
    return "\n".join(lines)


def test_command(name: str) -> str:
    """The shell command that runs the tests of activation ``name``, from any folder.

    It names this interpreter (the one with pytest, in the project's virtual
    environment) and runs in the project's folder, where the tests are.
    """
    if not (PROJECT_DIR / "tests").is_dir():
        return f"the project's test suite with -k {name} (the tests are not part of this installation)"
    python, folder = shlex.quote(sys.executable), shlex.quote(str(PROJECT_DIR))
    return f"cd {folder} && {python} -m pytest -q -k {name}"


def _literal(value) -> str:
    """A Python literal for a range bound, infinities included."""
    number = float(value)
    if number == float("inf"):
        return "numpy.inf"
    if number == float("-inf"):
        return "-numpy.inf"
    return repr(number)


def write(p: Plan) -> list[Path]:
    """Write the plan's files to the user folder: the NumPy module and the JSON entry (see `spec.user_folder.add`)."""
    return user_folder.add(p.entry, p.impl_code)
