"""``backprop-spec add-activation``: a new activation from one expression.

The expression is parsed without running it (`spec.parse`), checked,
and derived like every registered activation. Then two files change:

* ``spec/added_activations.json`` gets an entry (the expression as text),
  which `spec.activations` registers at import;
* ``impl/added/NAME.py`` is written: a starting NumPy implementation printed
  from the spec's expressions by SymPy's SciPy code printer, marked
  ``reviewed=False`` until someone makes it stable in the tails.

From then on the tests and the docs, which are driven by the registries,
cover the new activation with no further edits.
"""

from __future__ import annotations

import json
import keyword
from dataclasses import dataclass
from pathlib import Path

import sympy as sp
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from sympy.printing.numpy import SciPyPrinter

from spec import activations
from spec.activations import Activation, a, z
from spec.parse import parse_expression

SPEC_DIR = Path(__file__).resolve().parent
IMPL_DIR = SPEC_DIR.parent / "impl"

#: Where f and f' must be real and finite: both signs, out to |z| = 40, including 0 and
#: the integers (where kinks and poles such as 1/z usually sit) and points between.
CHECK_GRID = sorted(
    {sp.Rational(k, 4) for k in range(-160, 161)} | {sp.Rational(k, 10) + sp.Rational(1, 997) for k in range(-400, 401, 3)}
)


@dataclass
class Plan:
    """What ``add-activation`` would write, before anything is written."""

    activation: Activation
    entry: dict
    impl_path: Path
    impl_code: str
    review: list[str]


def parse_params(items) -> dict[str, str]:
    """``["alpha=1.5", ...]`` into ``{"alpha": "1.5"}``, checked."""
    params = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.isidentifier() or keyword.iskeyword(name) or name in {"z", "a"}:
            raise ValueError(f"--param: expected NAME=NUMBER with NAME an identifier other than z and a, got {item!r}")
        try:
            number = sp.Rational(value)
        except (TypeError, ValueError, SyntaxError):
            raise ValueError(f"--param: expected a number after {name}=, got {value!r}") from None
        if not number.is_finite:
            raise ValueError(f"--param: expected a finite number for {name}, got {value!r}")
        params[name] = value
    return params


def plan(name: str, expr_text: str, params: dict[str, str] | None = None, description: str = "") -> Plan:
    """Check the new activation and prepare the files, writing nothing.

    Raises:
        ValueError: a taken or invalid name, text that is not a plain
            mathematical expression, a free symbol other than ``z`` and the
            declared parameters, or a function that is not real, finite and
            differentiable almost everywhere on the real line.
    """
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"NAME: expected a Python identifier such as my_act, got {name!r}")
    if name in activations.names():
        raise ValueError(f"NAME: an activation called {name!r} already exists")
    if (IMPL_DIR / "added" / f"{name}.py").exists():
        raise ValueError(f"NAME: {IMPL_DIR / 'added' / (name + '.py')} already exists")
    params = dict(params or {})
    symbols = {p: sp.Symbol(p, real=True) for p in params}
    expr = parse_expression(expr_text, allowed={"z": z} | symbols, argument="EXPR")
    if z not in expr.free_symbols:
        raise ValueError(f"EXPR: expected an expression in z, got the constant {expr}")
    entry = {"name": name, "expr": expr_text, "params": params, "description": description or f"added: {expr_text}"}
    act = activations.from_entry(entry)
    try:
        act.kinks
    except NotImplementedError as err:
        raise ValueError(f"EXPR: cannot tell where the pieces of f switch: {err}") from None
    _check_differentiable(act)
    code, review = _impl_code(act, expr_text)
    return Plan(act, entry, IMPL_DIR / "added" / f"{name}.py", code, review)


def _check_differentiable(act: Activation) -> None:
    """Refuse what backprop cannot use: jumps, undefined or infinite values, complex values."""
    derivative = act.derivative
    if derivative.has(sp.DiracDelta, sp.Derivative, sp.Subs):
        raise ValueError(
            f"EXPR: f is not differentiable almost everywhere (f'(z) = {derivative} has a "
            "delta function or an unevaluated derivative: f jumps or cannot be differentiated)"
        )
    if derivative == 0:
        raise ValueError("EXPR: f'(z) = 0 everywhere: no gradient would flow through this activation")
    import mpmath

    F = sp.lambdify(z, act.expr, modules="mpmath")
    D = sp.lambdify(z, derivative, modules="mpmath")
    with mpmath.workdps(30):
        for point in CHECK_GRID:
            t = mpmath.mpf(point.p) / point.q
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
                        f"{what}({mpmath.nstr(t, 6)}) = {value}"
                    )


def _printed(printer, expr, var) -> str:
    code = printer.doprint(expr)
    if var not in expr.free_symbols:
        return f"like({var}, {code})"
    if expr.has(sp.Piecewise):
        return f"like({var}, {code})"
    return code


def _impl_code(act: Activation, expr_text: str) -> tuple[str, list[str]]:
    printer = SciPyPrinter({"fully_qualified_modules": True})
    f_code = _printed(printer, act.expr, z)
    df_code = _printed(printer, act.derivative, z)
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
    g_code = None
    if act.output_form is not None:
        try:
            g_code = _printed(printer, act.output_form, a)
        except PrintMethodNotImplementedError as err:
            # e.g. erfinv: the output form exists but SymPy's SciPy printer cannot write it
            review.append(f"the proven output form g(a) = {activations.display(act.output_form)} could not be "
                          f"printed as NumPy code ({str(err).splitlines()[0]}); training uses df(z) until "
                          "someone writes df_from_output by hand")
    if g_code is not None:
        output_block = (
            f"def df_from_output(a):\n"
            f"    # f'(z) = g(a) with a = f(z):  g(a) = {activations.display(act.output_form)}\n"
            f"    return {g_code}\n"
        )
        output_name = "df_from_output"
    elif act.output_form is not None:
        output_block = f"# The output form g(a) = {activations.display(act.output_form)} could not be printed as code.\n"
        output_name = "None"
    else:
        reason = act.output_form_reason.replace("\n", " ")
        output_block = f"# No output form: {reason}\n"
        output_name = "None"
    smooth = len(act.kinks) == 0 and not act.expr.has(sp.Abs, sp.sign, sp.Piecewise, sp.Max, sp.Min)
    low, high = act.range
    notes = "\n".join(f"* {line}" for line in review)
    code = f'''"""{act.name}: f(z) = {expr_text}

Generated by ``backprop-spec add-activation`` from the spec's SymPy expressions
with SymPy's SciPy code printer. These are the textbook formulas: before relying
on them, review them for the tails.

{notes}

When f is within 1e-12 and f' within 1e-10 relative of the spec on [-30, 30],
both are finite with no warning for |z| up to 1e4, and float32 input gives
float32 output, set ``reviewed=True`` below: the tests then hold this
activation to those bars. Until then they check it against the spec for
moderate inputs (|z| <= 20).
"""

import numpy
import scipy.special  # noqa: F401  (the printed formulas may call it)

from impl.activations import Activation
from impl.added import like


def f(z):
    # f(z) = {activations.display(act.expr)}
    return {f_code}


def df(z):
    # f'(z) = {activations.display(act.derivative)}
    return {df_code}


{output_block}

ACTIVATION = Activation(
    name={act.name!r},
    f=f,
    df=df,
    df_from_output={output_name},
    range=({_literal(low)}, {_literal(high)}),
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
        lines.append(f"  output form: none ({act.output_form_reason})")
    else:
        lines.append(f"  output form: g(a) = {activations.display(act.output_form)}  ({act.output_form_reason})")
    lines.append("wrote:")
    lines += [f"  {path}" for path in written]
    lines.append(f"review {p.impl_path.name} before relying on it (it is marked reviewed=False):")
    lines += [f"  - {line}" for line in p.review]
    lines.append(f"then run its tests: pytest -k {act.name}")
    return "\n".join(lines)


def _literal(value) -> str:
    """A Python literal for a range bound, infinities included."""
    number = float(value)
    if number == float("inf"):
        return 'float("inf")'
    if number == float("-inf"):
        return 'float("-inf")'
    return repr(number)


def write(p: Plan) -> list[Path]:
    """Write the plan's files: the JSON entry and the NumPy module."""
    added_file = activations.ADDED_FILE
    entries = json.loads(added_file.read_text())
    entries.append(p.entry)
    p.impl_path.write_text(p.impl_code)
    added_file.write_text(json.dumps(entries, indent=2) + "\n")
    return [added_file, p.impl_path]
