"""The shape every generated ``act_NAME.py`` (in the user folder) must have, checked on its syntax tree.

``add-activation`` prints its modules from SymPy expressions, never from the
user's text; this check is the second line of defence. It parses the code
with ``ast`` (nothing runs) and accepts only:

* the module docstring;
* ``import numpy``, ``import scipy.special``,
  ``from impl.activations import Activation``, ``from impl._added import like``;
* ``def f(z)``, ``def df(z)``, optionally ``def d2f(z)`` and optionally ``def df_from_output(a)``, each a
  single ``return`` of arithmetic (``+ - * / **``, unary ``-``) over the
  argument, number literals, lists and tuples, and calls of NumPy ufuncs,
  ``numpy.select``, ``numpy.logical_and.reduce`` / ``logical_or.reduce``,
  ``scipy.special`` ufuncs and ``like``;
* ``ACTIVATION = Activation(name=..., f=f, df=df, df_from_output=..., d2f=...,
  range=(..., ...), range_closed=(..., ...), smooth=..., reviewed=False)`` with literal values
  (``d2f=d2f`` exactly when ``def d2f`` is there, else ``None``; the same for ``df_from_output``).

Anything else (another statement, an attribute such as ``numpy.load``, a
name other than the argument, a string outside the docstring) is refused.
No SymPy here: the parent process of ``add-activation`` runs this check
again before it writes the file.
"""

from __future__ import annotations

import ast
import functools

#: NumPy attributes that are values, not functions.
NUMPY_CONSTANTS = frozenset({"pi", "e", "nan", "inf"})
#: NumPy functions that are not ufuncs but may be called.
NUMPY_FUNCTIONS = frozenset({"select"})
#: ``numpy.<ufunc>.<method>`` calls allowed (Piecewise conditions with several parts).
UFUNC_METHODS = {("logical_and", "reduce"), ("logical_or", "reduce")}
IMPORTS = (("import", "numpy"), ("import", "scipy.special"), ("from", "impl.activations", "Activation"),
           ("from", "impl._added", "like"))
FUNCTIONS = (("f", "z"), ("df", "z"), ("d2f", "z"), ("df_from_output", "a"))
#: Functions a generated module may leave out (its ACTIVATION then says ``None``).
OPTIONAL = ("d2f", "df_from_output")
KEYWORDS = ("name", "f", "df", "df_from_output", "d2f", "range", "range_closed", "smooth", "reviewed")


class UnsafeCode(ValueError):
    """Generated code that is not of the expected shape."""


@functools.lru_cache(maxsize=None)
def _ufuncs(module_name: str) -> frozenset:
    import importlib

    import numpy

    module = importlib.import_module(module_name)
    return frozenset(n for n in dir(module) if not n.startswith("_") and isinstance(getattr(module, n), numpy.ufunc))


def _dotted(node) -> tuple | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return (node.id, *reversed(parts))
    return None


def _fail(node, why):
    line = getattr(node, "lineno", "?")
    raise UnsafeCode(f"line {line}: {why}")


def _callable(node, argument):
    dotted = _dotted(node)
    if dotted == ("like",):
        return
    if dotted is not None and dotted[0] == "numpy":
        if len(dotted) == 2 and (dotted[1] in _ufuncs("numpy") or dotted[1] in NUMPY_FUNCTIONS):
            return
        if len(dotted) == 3 and tuple(dotted[1:]) in UFUNC_METHODS:
            return
    if dotted is not None and dotted[:2] == ("scipy", "special") and len(dotted) == 3:
        if dotted[2] in _ufuncs("scipy.special"):
            return
    _fail(node, f"a call to {ast.unparse(node)!r}, which is not a NumPy or scipy.special ufunc, numpy.select or like")


def _expression(node, argument):
    """An arithmetic/call expression over the argument, numbers and NumPy/SciPy ufuncs."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
        _expression(node.left, argument)
        _expression(node.right, argument)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _expression(node.operand, argument)
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, (int, float)):  # bool is an int: True appears in numpy.select
            _fail(node, f"the constant {node.value!r}")
    elif isinstance(node, ast.Name):
        if node.id != argument:
            _fail(node, f"the name {node.id!r} (only {argument!r} may appear)")
    elif isinstance(node, ast.Attribute):
        dotted = _dotted(node)
        if dotted is None or len(dotted) != 2 or dotted[0] != "numpy" or dotted[1] not in NUMPY_CONSTANTS:
            _fail(node, f"the attribute {ast.unparse(node)!r}")
    elif isinstance(node, (ast.List, ast.Tuple)):
        for item in node.elts:
            _expression(item, argument)
    elif isinstance(node, ast.Call):
        _callable(node.func, argument)
        if _dotted(node.func) == ("like",):
            if len(node.args) != 2 or not (isinstance(node.args[0], ast.Name) and node.args[0].id == argument):
                _fail(node, f"like() must be called as like({argument}, value)")
        for item in node.args:
            _expression(item, argument)
        for keyword in node.keywords:
            if keyword.arg != "default" or _dotted(node.func) != ("numpy", "select"):
                _fail(node, f"the keyword argument {keyword.arg!r}")
            _expression(keyword.value, argument)
    else:
        _fail(node, f"the construct {type(node).__name__}: {ast.unparse(node)!r}")


def check_expression(code: str, argument: str) -> None:
    """Raise `UnsafeCode` unless ``code`` is an expression a generated function may return."""
    try:
        tree = ast.parse(code, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        raise UnsafeCode(f"the code does not parse ({err})") from None
    _expression(tree.body, argument)


def _function(node, name, argument):
    if not isinstance(node, ast.FunctionDef) or node.name != name:
        _fail(node, f"expected def {name}({argument})")
    args = node.args
    if (
        args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg or args.defaults or args.kw_defaults
        or [a.arg for a in args.args] != [argument] or any(a.annotation for a in args.args)
    ):
        _fail(node, f"{name} must take exactly one plain argument {argument!r}")
    if node.decorator_list or node.returns is not None or getattr(node, "type_params", None):
        _fail(node, f"{name} must have no decorators, annotations or type parameters")
    if len(node.body) != 1 or not isinstance(node.body[0], ast.Return) or node.body[0].value is None:
        _fail(node, f"{name} must be a single return statement")
    _expression(node.body[0].value, argument)


def _bound(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return
    if _dotted(node) == ("numpy", "inf"):
        return
    _fail(node, f"a range bound must be a number or numpy.inf, got {ast.unparse(node)!r}")


def _activation(node, name, defined):
    if not (
        isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == "ACTIVATION" and isinstance(node.value, ast.Call)
        and _dotted(node.value.func) == ("Activation",) and not node.value.args
    ):
        _fail(node, "expected ACTIVATION = Activation(...) with keyword arguments only")
    keywords = node.value.keywords
    if [k.arg for k in keywords] != list(KEYWORDS):
        _fail(node, f"Activation(...) must have the keywords {', '.join(KEYWORDS)}, in that order")
    values = {k.arg: k.value for k in keywords}
    if not (isinstance(values["name"], ast.Constant) and values["name"].value == name):
        _fail(node, f"the activation must be named {name!r}")
    for key in ("f", "df"):
        if _dotted(values[key]) != (key,):
            _fail(node, f"{key}={key} expected")
    for key in OPTIONAL:
        value = values[key]
        if key in defined:
            if _dotted(value) != (key,):
                _fail(node, f"{key}={key} expected")
        elif not (isinstance(value, ast.Constant) and value.value is None):
            _fail(node, f"{key}=None expected (there is no def {key})")
    bounds = values["range"]
    if not (isinstance(bounds, ast.Tuple) and len(bounds.elts) == 2):
        _fail(node, "range must be a pair")
    for bound in bounds.elts:
        _bound(bound)
    closed = values["range_closed"]
    if not (
        isinstance(closed, ast.Tuple)
        and len(closed.elts) == 2
        and all(isinstance(end, ast.Constant) and isinstance(end.value, bool) for end in closed.elts)
    ):
        _fail(node, "range_closed must be a pair of True/False")
    if not (isinstance(values["smooth"], ast.Constant) and isinstance(values["smooth"].value, bool)):
        _fail(node, "smooth must be True or False")
    if not (isinstance(values["reviewed"], ast.Constant) and values["reviewed"].value is False):
        _fail(node, "a generated module must say reviewed=False")


def _import(node, expected):
    if expected[0] == "import":
        ok = isinstance(node, ast.Import) and [(a.name, a.asname) for a in node.names] == [(expected[1], None)]
        text = f"import {expected[1]}"
    else:
        ok = (
            isinstance(node, ast.ImportFrom) and node.module == expected[1] and node.level == 0
            and [(a.name, a.asname) for a in node.names] == [(expected[2], None)]
        )
        text = f"from {expected[1]} import {expected[2]}"
    if not ok:
        _fail(node, f"expected {text}")


def check_module(code: str, name: str) -> None:
    """Raise `UnsafeCode` unless ``code`` is a generated activation module of the expected shape."""
    if not isinstance(code, str) or not code.isascii():
        raise UnsafeCode("the code must be ASCII text")
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        raise UnsafeCode(f"the code does not parse ({err})") from None
    body = list(tree.body)
    if not body or not (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                        and isinstance(body[0].value.value, str)):
        raise UnsafeCode("line 1: expected the module docstring")
    body.pop(0)
    for expected in IMPORTS:
        if not body:
            raise UnsafeCode(f"missing {expected}")
        _import(body.pop(0), expected)
    if not 3 <= len(body) <= len(FUNCTIONS) + 1:
        raise UnsafeCode(f"expected f, df, optionally d2f and df_from_output, then ACTIVATION; got {len(body)} statements")
    functions, expected = body[:-1], list(FUNCTIONS)
    defined = []
    for node in functions:
        # the next expected function, skipping optional ones this module leaves out
        while expected and isinstance(node, ast.FunctionDef) and node.name != expected[0][0] and expected[0][0] in OPTIONAL:
            expected.pop(0)
        if not expected:
            _fail(node, "expected f, df, optionally d2f and df_from_output, in that order, then ACTIVATION")
        function, argument = expected.pop(0)
        _function(node, function, argument)
        defined.append(function)
    if defined[:2] != ["f", "df"]:
        raise UnsafeCode("expected def f(z) and def df(z) first")
    _activation(body[-1], name, set(defined))
