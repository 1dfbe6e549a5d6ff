"""Shared pieces: a LaTeX printer for the spec's objects, check marks, Markdown helpers, figures."""

from __future__ import annotations

import io
import re

from sympy.printing.latex import LatexPrinter

from spec.proof import Proof

CHECKS = "checks.md"
#: Where each kind of check is explained (anchors of docs/checks.md).
ANCHORS = {
    "symbolic": "symbolic-proofs",
    "property": "property-tests-against-the-spec",
    "fd": "finite-differences",
    "measured": "measurements-at-build-time",
}


class BuildFailure(Exception):
    """A proof or a measurement the site relies on did not come out as claimed: the build stops."""


class Printer(LatexPrinter):
    """SymPy's LaTeX printer, with the spec's undefined activations written as the site writes them.

    ``spec.network.sigma`` (hidden layers) and ``tau`` (output layer) print as
    \\(\\sigma\\) unless ``tau`` is asked for, their derivatives as \\(\\sigma'\\).
    """

    def __init__(self, settings=None, tau_name=r"\sigma"):
        super().__init__(settings)
        self._tau = tau_name

    def _apply(self, name, expr, exp):
        text = rf"{name}\left({self._print(expr.args[0])}\right)"
        return text if exp is None else rf"{text}^{{{exp}}}"

    def _print_sigma(self, expr, exp=None):
        return self._apply(r"\sigma", expr, exp)

    def _print_sigma_prime(self, expr, exp=None):
        return self._apply(r"\sigma'", expr, exp)

    def _print_tau(self, expr, exp=None):
        return self._apply(self._tau, expr, exp)

    def _print_tau_prime(self, expr, exp=None):
        return self._apply(self._tau + "'", expr, exp)

    def _print_HadamardProduct(self, expr):
        # the site writes the entrywise product as \odot (see Notation); SymPy's default is \circ
        return super()._print_HadamardProduct(expr).replace(r"\circ", r"\odot")


def tex(expr, names=None, **settings) -> str:
    """``expr`` as LaTeX, with symbols renamed by ``names`` (symbol -> LaTeX) and matrices in brackets."""
    settings.setdefault("mat_delim", "[")
    tau_name = settings.pop("tau_name", r"\sigma")
    return Printer(dict(symbol_names=dict(names or {}), **settings), tau_name=tau_name).doprint(expr)


def tex_layer(expr, **settings) -> str:
    """A layer expression as LaTeX with its units counted from 1, as everywhere on the site.

    The spec names a layer's units as Python does, ``z_0 .. z_{n-1}``, and its sums
    run over ``j = 0 .. n - 1``; shown here as \\(z_1 .. z_n\\) and \\(\\sum_{j=1}^{n}\\).
    """
    import re

    import sympy as sp

    expr = sp.sympify(expr)
    names = {}
    for symbol in expr.free_symbols:
        unit = re.fullmatch(r"([a-zA-Z]+)_(\d+)", getattr(symbol, "name", ""))
        if unit:
            names[symbol] = f"{unit[1]}_{{{int(unit[2]) + 1}}}"

    def over_the_layer(e):
        return isinstance(e, sp.Sum) and len(e.limits) == 1 and e.limits[0][1] == 0 and (e.limits[0][2] + 1).is_Symbol

    def one_based(e):
        # the same sum over the layer's units, labelled 1 .. n: the summand (z_j) is relabelled with it
        (v, lo, hi), = e.limits
        return sp.Sum(e.function, (v, lo + 1, hi + 1))

    expr = expr.replace(over_the_layer, one_based)
    return tex(expr, names, **settings)


def brief(expr, digits: int = 6):
    """``expr`` for a table cell: long exact constants (SELU's) as decimals cut to ``digits`` significant digits."""
    import sympy as sp

    from spec.activations import display as shorten

    expr = shorten(expr)
    return expr.xreplace({f: sp.Float(f, digits) for f in expr.atoms(sp.Float)})


def display(*lines: str, gap: str = "") -> str:
    """A display-math block; several lines are aligned at their ``&``, ``gap`` (e.g. ``"0.6em"``) apart."""
    separator = f" \\\\[{gap}]\n" if gap else " \\\\\n"
    body = lines[0] if len(lines) == 1 else "\\begin{aligned}\n" + separator.join(lines) + "\n\\end{aligned}"
    # the blank line after the closing $$ keeps a following line out of the math block
    return f"\n$$\n{body}\n$$\n\n"


def inline(latex: str) -> str:
    return rf"\({latex}\)"


def link(text: str, kind: str, base: str = "") -> str:
    return f"[{text}]({base}{CHECKS}#{ANCHORS[kind]})"


def mark(*items, base: str = "") -> str:
    """A line of check marks under a formula: each item is ``(text, kind)``."""
    return "<small>" + " &middot; ".join(link(text, kind, base) for text, kind in items) + "</small>\n"


def proof_mark(proofs, base: str = "", what: str = "") -> str:
    """Check marks for spec proofs; stops the build if any of them failed."""
    proofs = [proofs] if isinstance(proofs, Proof) else list(proofs)
    require(proofs, what)
    items = []
    for p in proofs:
        if p.method.startswith("checked"):
            items.append((f"✓ holds numerically ({p.method.removeprefix('checked ')})", "symbolic"))
        else:
            items.append((f"✓ proven symbolically ({p.method})", "symbolic"))
    return mark(*items, base=base)


def require(proofs, what: str = "") -> None:
    """Raise `BuildFailure` unless every proof holds."""
    failed = [p for p in proofs if not p.ok]
    if failed:
        raise BuildFailure(
            f"{what or 'a proof the docs show'} failed while building the site: "
            + "; ".join(str(p) for p in failed)
        )


_INLINE_MATH = re.compile(r"\\\((.*?)\\\)")


def _cell(value) -> str:
    """A table cell: a ``|`` inside inline math would end the cell, so it becomes ``\\vert``."""
    return _INLINE_MATH.sub(lambda m: r"\(" + m.group(1).replace("|", r"\vert ") + r"\)", str(value))


def table(header, rows) -> str:
    header = [_cell(c) for c in header]
    rows = [[_cell(c) for c in row] for row in rows]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    # the blank line ends the table: a line appended after it (e.g. a `mark`) is not read as a row
    return "\n" + "\n".join(lines) + "\n\n"


def png(fig) -> bytes:
    """A matplotlib figure as PNG bytes, on an opaque white background (readable in dark mode too)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, facecolor="white", bbox_inches="tight", pad_inches=0.15)
    plt.close(fig)
    return buffer.getvalue()


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white"})
    return plt


def fmt(x: float, digits: int = 4) -> str:
    """A float for a table: plain for moderate values, scientific otherwise."""
    x = float(x)
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e5:
        return f"{x:.{digits}f}".rstrip("0").rstrip(".") if abs(x) >= 1 else f"{x:.{digits}g}"
    mantissa, exponent = f"{x:.{max(digits - 1, 1)}e}".split("e")
    return rf"\({mantissa} \times 10^{{{int(exponent)}}}\)"
