"""Turn user text into a SymPy expression without running any of it.

``sympy.sympify`` and ``parse_expr`` call Python's ``eval``: text such as
``__import__('os').system(...)`` would run. Here the text is parsed by
Python's ``ast`` module (which only reads it) and the tree is rebuilt into
SymPy node by node, accepting nothing but the grammar below. Everything
``add-activation`` writes is printed from the rebuilt SymPy expression, never
copied from the text.

The grammar of an expression (``EXPR``)::

    expr  := number | symbol | pi | E
           | expr OP expr            OP: + - * / ** (^ is read as **)
           | + expr | - expr | ( expr )
           | FUNCTION(expr, ...)     FUNCTION: see FUNCTIONS
           | Piecewise((expr, cond), ..., (expr, True))
    cond  := expr CMP expr           CMP: < <= > >=
    number := a decimal literal (3, 0.5, 1e-3): 0, or between 1e-100 and 1e100 in size

One line of printable ASCII, at most `MAX_LENGTH` characters, no comments
(``#``), no strings, no attributes, no keyword arguments, nesting at most
`MAX_DEPTH` deep. Every number, including the result of folding constants
(``10**64 * 10**64``), stays within 1e-100 and 1e100 in size.

The same module holds the rules for the other pieces of user text
``add-activation`` takes: the activation's name (`check_name`), a
parameter's name and value (`check_param_name`, `parse_number`) and the
description (`check_description`).
"""

from __future__ import annotations

import ast
import builtins
import keyword
import math
import operator
import re
from fractions import Fraction

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
#: ``Piecewise((expr, cond), ..., (expr, True))``: parsed by its own rule.
PIECEWISE = "Piecewise"

#: Named constants.
CONSTANTS = {"pi": sp.pi, "E": sp.E}

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_CHAIN = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}

MAX_LENGTH = 2000
#: Largest size of a numeric exponent (10**10**10 would make SymPy compute a huge integer).
MAX_EXPONENT = 64
#: How deeply an expression may nest (parentheses, calls, signs, powers); a chain
#: ``a + b - c + ...`` or ``a * b / c`` counts as one level.
MAX_DEPTH = 100
#: Every number (a literal, a parameter, or constants folded together) is 0 or has a
#: numerator and a denominator of at most this size: between 1e-100 and 1e100.
MAX_NUMBER = 10**100
_MAX_DIGITS = 100

#: The characters of the grammar (``=`` only as part of ``<=`` and ``>=``).
_ALLOWED_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ +-*/^().,<>="
)


def parse_expression(text: str, allowed: dict[str, sp.Symbol], argument: str = "expr") -> sp.Expr:
    """Parse ``text`` into a SymPy expression using only whitelisted constructs.

    Args:
        text: e.g. ``"z / (1 + exp(-z))"``. ``^`` is accepted as a power.
        allowed: Names that may appear as symbols, mapped to their SymPy symbols.
        argument: The argument name used in error messages.

    Raises:
        ValueError: The text is not a plain mathematical expression in the
            allowed names within the limits; the one-line message says what was found.
    """
    if not isinstance(text, str):
        raise TypeError(f"{argument}: expected a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"{argument}: expected at most {MAX_LENGTH} characters, got {len(text)}")
    _check_characters(text, argument)
    text = text.strip()
    if not text:
        raise ValueError(f"{argument}: expected a mathematical expression, got an empty string")
    source = text.replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise ValueError(f"{argument}: not a valid expression: {quote(text)} ({err.msg})") from None
    except (RecursionError, MemoryError, ValueError):
        raise ValueError(f"{argument}: nested too deeply to parse (at most {MAX_DEPTH} levels)") from None
    try:
        return _Builder(source, allowed, argument).build(tree.body, 0)
    except RecursionError:
        raise ValueError(f"{argument}: nested too deeply to parse (at most {MAX_DEPTH} levels)") from None


def quote(text: str, limit: int = 60) -> str:
    """``text`` for an error message: repr'd (so one line), shortened past ``limit`` characters."""
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)


def _check_characters(text: str, argument: str) -> None:
    for position, char in enumerate(text, 1):
        if char in _ALLOWED_CHARACTERS:
            continue
        if char in "\r\n":
            what = "a line break: the expression must be one line"
        elif char == "#":
            what = "'#': comments are not part of the grammar"
        elif ord(char) > 126:
            what = f"{char!r}: only ASCII characters are allowed"
        elif not char.isprintable():
            what = f"the control character {char!r}"
        else:
            what = f"{char!r}, which is not part of the grammar"
        raise ValueError(
            f"{argument}: at position {position}, {what} "
            "(allowed: letters, digits, _, spaces and + - * / ^ ( ) . , < > =)"
        )


class _Builder:
    def __init__(self, source, allowed, argument):
        self.source = source
        self.allowed = allowed
        self.argument = argument

    def fail(self, what):
        raise ValueError(
            f"{self.argument}: only numbers, the symbols {', '.join(sorted(self.allowed))}, "
            f"+ - * / ** and the functions {', '.join(sorted(FUNCTIONS))}, {PIECEWISE} are allowed; got {what}"
        )

    def segment(self, node) -> str:
        return ast.get_source_segment(self.source, node) or ast.unparse(node)

    def limit(self, message):
        raise ValueError(f"{self.argument}: {message}")

    def build(self, node, depth):
        if depth > MAX_DEPTH:
            self.limit(f"nested more than {MAX_DEPTH} levels deep")
        result = self._build(node, depth)
        self._check_result(node, result)
        return result

    def _build(self, node, depth):
        if isinstance(node, ast.Constant):
            return self._number(node)
        if isinstance(node, ast.Name):
            if node.id in self.allowed:
                return self.allowed[node.id]
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            self.fail(f"the name {quote(node.id)}")
        if isinstance(node, ast.BinOp) and isinstance(node.op, _CHAIN):
            # a + b - c + ... is a left-leaning tree as deep as it is long: walk it as a chain
            steps = []
            while isinstance(node, ast.BinOp) and isinstance(node.op, _CHAIN):
                steps.append(node)
                node = node.left
            result = self.build(node, depth + 1)
            for step in reversed(steps):
                right = self.build(step.right, depth + 1)
                if isinstance(step.op, ast.Div) and right == 0:
                    self.limit(f"{quote(self.segment(step))} divides by zero")
                result = _BINARY[type(step.op)](result, right)
                self._check_result(step, result)
            return result
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            base = self.build(node.left, depth + 1)
            exponent = self.build(node.right, depth + 1)
            self._check_power(node, base, exponent)
            return base**exponent
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](self.build(node.operand, depth + 1))
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in (*FUNCTIONS, PIECEWISE):
                self.fail(f"a call to {quote(self.segment(node.func))}")
            if node.keywords:
                self.fail("keyword arguments")
            if node.func.id == PIECEWISE:
                return self._piecewise(node, depth)
            args = [self.build(arg, depth + 1) for arg in node.args]
            try:
                return FUNCTIONS[node.func.id](*args)
            except (TypeError, ValueError) as err:
                raise ValueError(f"{self.argument}: bad call to {node.func.id}: {err}") from None
        self.fail(f"the construct {quote(self.segment(node))}")

    def _number(self, node):
        value = node.value
        text = self.segment(node)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(f"the constant {quote(text)}")
        if isinstance(value, int):
            if abs(value) > MAX_NUMBER:
                self.limit(f"the number {quote(text, 30)} is larger than 1e100 in size (the limit for numbers)")
            return sp.Integer(value)
        mantissa = re.split("[eE]", text)[0]
        if not math.isfinite(value) or (value == 0 and re.search("[1-9]", mantissa)):
            self.limit(f"the number {text} is outside float64's range")
        number = sp.Rational(repr(value))
        if number != 0 and (abs(number.p) > MAX_NUMBER or number.q > MAX_NUMBER):
            self.limit(f"the number {text} is outside the range of numbers allowed (0, or 1e-100 to 1e100 in size)")
        return number

    def _check_power(self, node, base, exponent):
        if exponent.is_number and exponent.is_comparable and abs(exponent) > MAX_EXPONENT:
            self.fail(f"the exponent {_short(exponent)} (at most {MAX_EXPONENT} in size)")
        if isinstance(base, sp.Rational) and isinstance(exponent, sp.Rational) and base != 0:
            # the size of the result, in decimal digits, before SymPy computes it
            digits = float(abs(exponent)) * math.log10(max(abs(base.p), base.q))
            if digits > _MAX_DIGITS:
                self.limit(
                    f"{quote(self.segment(node))} would be a number of about {int(digits) + 1} digits "
                    "(numbers are limited to 1e100 in size)"
                )

    def _check_result(self, node, result):
        # Constants are folded (and infinities created) where an operation is applied, so
        # looking at the new node and its direct arguments catches every one of them.
        for part in (result, *getattr(result, "args", ())):
            if part in (sp.zoo, sp.oo, -sp.oo, sp.nan):
                self.limit(f"{quote(self.segment(node))} is not finite (a division by zero or log(0)?)")
            if isinstance(part, sp.Rational):
                if abs(part.p) > MAX_NUMBER or part.q > MAX_NUMBER:
                    self.limit(
                        f"{quote(self.segment(node))} gives the number {_short(part)}, outside the range "
                        "allowed (0, or 1e-100 to 1e100 in size)"
                    )
            elif isinstance(part, sp.Expr) and part.is_number and not isinstance(part, sp.NumberSymbol):
                # exp(10**64): no digits are computed yet, but the printed code would overflow.
                # Every argument is already within the limit, so this evaluation stays cheap.
                size = abs(part.evalf(15))
                if size.is_comparable and not (size <= MAX_NUMBER):
                    import mpmath

                    digits = mpmath.nstr(mpmath.log10(size._to_mpmath(53)), 3) if size.is_Float else "?"
                    self.limit(
                        f"{quote(self.segment(node))} is a number of about 10**{digits}: numbers are limited "
                        "to 1e100 in size"
                    )

    def _piecewise(self, node, depth):
        if not node.args:
            self.fail("Piecewise() with no pieces")
        pairs = []
        for i, arg in enumerate(node.args):
            if not isinstance(arg, ast.Tuple) or len(arg.elts) != 2:
                self.fail(f"the Piecewise argument {quote(self.segment(arg))} (expected (expr, condition))")
            value = self.build(arg.elts[0], depth + 2)
            pairs.append((value, self._condition(arg.elts[1], depth + 2, last=i == len(node.args) - 1)))
        try:
            return sp.Piecewise(*pairs)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{self.argument}: bad Piecewise: {err}") from None

    def _condition(self, node, depth, last):
        if isinstance(node, ast.Constant) and node.value is True:
            return sp.true
        if last:
            self.fail(f"the last Piecewise condition {quote(self.segment(node))} (it must be True, so that f "
                      "is defined everywhere)")
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE):
            self.fail(f"the condition {quote(self.segment(node))} (expected one comparison with < <= > >=, or True)")
        left = self.build(node.left, depth + 1)
        right = self.build(node.comparators[0], depth + 1)
        try:
            return _COMPARE[type(node.ops[0])](left, right)
        except TypeError as err:
            raise ValueError(f"{self.argument}: bad condition {quote(self.segment(node))}: {err}") from None


def _short(number) -> str:
    text = str(number)
    return text if len(text) <= 30 else f"{text[:12]}...({len(text)} characters)"


# --- names, parameters and descriptions -------------------------------------------

#: What an activation's name looks like: it names files, docs pages and test ids.
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
MAX_NAME_LENGTH = 40
#: Names that would read as something else: Python's keywords and builtins, the docs'
#: index page, and device names some file systems reserve.
RESERVED_NAMES = frozenset(
    set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins))
    | {"index", "con", "prn", "aux", "nul"} | {f"{d}{i}" for d in ("com", "lpt") for i in range(10)}
)


def check_name(name, argument: str = "NAME") -> str:
    """``name`` if it can name a new activation (format and reserved words; not whether it is taken)."""
    rule = (
        f"a lower-case letter, then lower-case letters, digits or _, at most {MAX_NAME_LENGTH} characters, "
        "e.g. my_act"
    )
    if not isinstance(name, str):
        raise ValueError(f"{argument}: expected {rule}, got {type(name).__name__}")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"{argument}: expected {rule}; got {len(name)} characters")
    if not NAME_PATTERN.fullmatch(name):
        raise ValueError(f"{argument}: expected {rule}; got {quote(name)}")
    if name in RESERVED_NAMES:
        raise ValueError(f"{argument}: {name!r} is reserved (a Python keyword or builtin, or a name the docs use)")
    return name


PARAM_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
MAX_PARAM_LENGTH = 20
RESERVED_PARAMS = frozenset({"z", "a", "I", "oo", "zoo", "nan", "True", "False", "None", PIECEWISE})


def check_param_name(name: str, argument: str = "--param") -> str:
    """``name`` if it can name a parameter of an expression."""
    if (
        not PARAM_PATTERN.fullmatch(name)
        or len(name) > MAX_PARAM_LENGTH
        or keyword.iskeyword(name)
        or name in RESERVED_PARAMS
        or name in FUNCTIONS
        or name in CONSTANTS
    ):
        raise ValueError(
            f"{argument}: expected NAME=NUMBER with NAME a letter then letters, digits or _ (at most "
            f"{MAX_PARAM_LENGTH} characters), not a keyword, z, a, or a function or constant name; got {quote(name)}"
        )
    return name


_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?")
_FRACTION = re.compile(r"([+-]?\d+)/(\d+)")


def parse_number(text: str, argument: str = "--param") -> Fraction:
    """A parameter value: a decimal number (``1.5``, ``-2e-3``) or a fraction of integers (``1/3``), exactly.

    Like the numbers in an expression it must be 0 or between 1e-100 and 1e100 in size.
    Raises ValueError with a one-line message otherwise (``1e100000000``, ``1/0``, ``pi``).
    """
    if not isinstance(text, str):
        raise ValueError(f"{argument}: expected a number as text, got {type(text).__name__}")
    text = text.strip()
    if len(text) > 250:
        raise ValueError(f"{argument}: expected a number of at most 250 characters, got {len(text)}")
    fraction = _FRACTION.fullmatch(text)
    decimal = _DECIMAL.fullmatch(text)
    if fraction:
        numerator, denominator = fraction.groups()
        if int(denominator) == 0:
            raise ValueError(f"{argument}: {text} divides by zero")
        value = Fraction(int(numerator), int(denominator))
    elif decimal:
        exponent = int(decimal.group(1) or 0) if len(decimal.group(1) or "") <= 6 else None
        if exponent is None or not math.isfinite(float(text)) or (float(text) == 0 and re.search("[1-9]", text.split("e")[0].split("E")[0])):
            raise ValueError(f"{argument}: the number {quote(text, 30)} is outside float64's range")
        value = Fraction(text)
    else:
        raise ValueError(
            f"{argument}: expected a decimal number (1.5, -2e-3) or a fraction of integers (1/3), got {quote(text)}"
        )
    if value != 0 and (abs(value.numerator) > MAX_NUMBER or value.denominator > MAX_NUMBER):
        raise ValueError(
            f"{argument}: the number {quote(text, 30)} is outside the range allowed (0, or 1e-100 to 1e100 in size)"
        )
    return value


MAX_DESCRIPTION_LENGTH = 200


def check_description(text, argument: str = "--description") -> str:
    """``text`` if it is one line of printable text of at most `MAX_DESCRIPTION_LENGTH` characters."""
    if not isinstance(text, str):
        raise ValueError(f"{argument}: expected text, got {type(text).__name__}")
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise ValueError(f"{argument}: expected at most {MAX_DESCRIPTION_LENGTH} characters, got {len(text)}")
    for position, char in enumerate(text, 1):
        if not char.isprintable():
            raise ValueError(
                f"{argument}: expected one line of printable text; got {char!r} at position {position}"
            )
    return text.strip()
