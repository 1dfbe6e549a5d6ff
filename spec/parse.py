"""Turn user text into a SymPy expression without running any of it.

``sympy.sympify`` and ``parse_expr`` call Python's ``eval``: text such as
``__import__('os').system(...)`` would run. Here the text is parsed by
Python's ``ast`` module (which only reads it) and the tree is rebuilt into
SymPy node by node, accepting nothing but numbers, the allowed symbols,
arithmetic and a fixed table of mathematical functions.
"""

from __future__ import annotations

import ast
import operator

import sympy as sp

#: Functions an expression may call, by the name it uses.
FUNCTIONS = {
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "tanh": sp.tanh,
    "asinh": sp.asinh,
    "atan": sp.atan,
    "erf": sp.erf,
    "erfc": sp.erfc,
    "Abs": sp.Abs,
    "abs": sp.Abs,
    "Max": sp.Max,
    "Min": sp.Min,
    "Heaviside": sp.Heaviside,
    "sign": sp.sign,
}

#: Named constants.
CONSTANTS = {"pi": sp.pi, "E": sp.E}

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}

MAX_LENGTH = 2000
MAX_EXPONENT = 64


def parse_expression(text: str, allowed: dict[str, sp.Symbol], argument: str = "expr") -> sp.Expr:
    """Parse ``text`` into a SymPy expression using only whitelisted constructs.

    Args:
        text: e.g. ``"z / (1 + exp(-z))"``. ``^`` is accepted as a power.
        allowed: Names that may appear as symbols, mapped to their SymPy symbols.
        argument: The argument name used in error messages.

    Raises:
        ValueError: The text is not a plain mathematical expression in the
            allowed names; the message says what was found.
    """
    if not isinstance(text, str):
        raise TypeError(f"{argument}: expected a string, got {type(text).__name__}")
    if not text.strip():
        raise ValueError(f"{argument}: expected a mathematical expression, got an empty string")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"{argument}: expected at most {MAX_LENGTH} characters, got {len(text)}")
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError as err:
        raise ValueError(f"{argument}: not a valid expression: {text!r} ({err.msg})") from None
    return _build(tree.body, allowed, argument)


def _build(node, allowed, argument):
    def fail(what):
        raise ValueError(
            f"{argument}: only numbers, the symbols {', '.join(sorted(allowed))}, "
            f"+ - * / ** and the functions {', '.join(sorted(FUNCTIONS))} are allowed; got {what}"
        )

    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            fail(f"the constant {node.value!r}")
        return sp.Rational(str(node.value)) if isinstance(node.value, float) else sp.Integer(node.value)
    if isinstance(node, ast.Name):
        if node.id in allowed:
            return allowed[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        fail(f"the name {node.id!r}")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left = _build(node.left, allowed, argument)
        right = _build(node.right, allowed, argument)
        if isinstance(node.op, ast.Pow) and right.is_number and abs(right) > MAX_EXPONENT:
            # 10**10**10 would make SymPy compute a huge integer.
            fail(f"the exponent {right} (at most {MAX_EXPONENT} in size)")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_build(node.operand, allowed, argument))
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            fail(f"a call to {ast.unparse(node.func)!r}")
        if node.keywords:
            fail("keyword arguments")
        args = [_build(arg, allowed, argument) for arg in node.args]
        try:
            return FUNCTIONS[node.func.id](*args)
        except TypeError as err:
            raise ValueError(f"{argument}: bad call to {node.func.id}: {err}") from None
    fail(f"the construct {ast.unparse(node)!r}")
