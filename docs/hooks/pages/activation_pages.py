r"""One page per registered activation, generated from ``spec.activations`` (nothing per name is required).

`files()` returns the Markdown of ``activations/index.md`` and of
``activations/NAME.md`` for every name in ``spec.activations.names()``,
and a PNG plot for each (an elementwise one also a plot of its f'', ``NAME-d2.png``). Adding an activation to the registry adds its
page, its plot and its nav entry.

Two kinds of page. Most of this module assumes an *elementwise* activation,
\(a_i = f(z_i)\): it plots f and f' against one number, looks for an output
form g(a) and compares impl's f' with the spec's; those functions say so by
calling ``require_elementwise``. A *vector* activation (softmax), whose
outputs each depend on the whole layer, gets its page from
`vector_activation` (the Jacobian, its output form, the losses it pairs
with), and the index lists it in a group of its own.
"""

from __future__ import annotations

import functools
import html

import mpmath
import numpy as np
import sympy as sp

from spec import activations
from spec.activations import display as shorten, pieces, z
from spec.proof import prove_equal

from . import common, vector_activation
from .common import display, mark, proof_mark, tex

BASE = "../"  # pages live in activations/: links to checks.md go one level up
PLOT_RANGE = (-5.0, 5.0)
#: Where the stability table compares impl with the spec evaluated in high precision.
PROBES = (-30.0, -10.0, -2.0, 2.0, 10.0, 30.0)
#: Enough digits for the spec's textbook formulas to survive their own cancellations
#: (GELU's 1 + erf(z / sqrt 2) at z = -30 is about 1e-197).
REFERENCE_DIGITS = 400


def _sigmoid(e):
    return 1 / (1 + sp.exp(-e))


#: What impl.activations does to stay accurate, in this site's words, and, where it
#: rewrites f' into another formula, that formula (proven equal to f' at build time).
STABILITY = {
    "identity": ("Nothing can go wrong: f is the input itself and f' the constant 1.", None),
    "sigmoid": (
        "f is `scipy.special.expit`, which never forms a huge \\(e^{-z}\\); on a CPU where NumPy "
        "vectorises `exp` (AVX-512 for float64), arrays of 512 values or more take "
        "\\(1/(1 + e^{-z})\\) with \\(-z\\) capped so \\(e^{-z}\\) stays finite, within 3 units in the last "
        "place of `expit` (the [Performance](../performance.md) page says which one ran). For f' the "
        "implementation multiplies \\(\\sigma(z)\\) by \\(\\sigma(-z)\\) instead of by "
        "\\(1 - \\sigma(z)\\): once \\(\\sigma(z)\\) is within a few rounding steps of 1 "
        "(from about \\(z = 30\\) on), the subtraction keeps only the rounding error, while "
        "\\(\\sigma(-z)\\) still carries every digit. The output form \\(a(1 - a)\\) shares "
        "that weakness, as the table shows; training (`fit`) uses it all the same, as PyTorch's "
        "autograd does, since a unit saturated that far passes on almost no gradient either way.",
        _sigmoid(z) * _sigmoid(-z),
    ),
    "tanh": (
        "f is `numpy.tanh`. For f' the implementation avoids both textbook forms: "
        "\\(1 - \\tanh^2 z\\) cancels to zero in the tails and \\(1/\\cosh^2 z\\) overflows "
        "\\(\\cosh\\) beyond \\(|z| \\approx 710\\). It evaluates the form below, capping "
        "\\(|z|\\) at 400 first (where the result is already 0) so that even float32 cannot overflow.",
        4 * sp.exp(-2 * sp.Abs(z)) / (1 + sp.exp(-2 * sp.Abs(z))) ** 2,
    ),
    "relu": ("Only comparisons: nothing to overflow. A NaN input stays NaN rather than becoming a slope.", None),
    "leaky_relu": ("Only comparisons and one product: nothing to overflow; NaN stays NaN.", None),
    "elu": (
        "For \\(z \\le 0\\) the implementation uses `expm1`, which keeps every digit of "
        "\\(e^z - 1\\) near 0, and feeds the exponential \\(\\min(z, 0)\\) so that the branch "
        "not taken cannot overflow for large positive z.",
        None,
    ),
    "selu": (
        "As for ELU (`expm1`, and the exponential only ever sees \\(\\min(z, 0)\\)). The "
        "product \\(\\lambda\\alpha\\) is rounded once and reused, so f'(0), the output form at "
        "\\(a = 0\\) and the lower end of the range are the same float.",
        None,
    ),
    "softplus": (
        "f is evaluated as \\(\\max(z, 0) + \\log(1 + e^{-|z|})\\) with `log1p`, exact for "
        "every z without overflow (no switch to f(z) = z at a threshold). f' is the sigmoid, "
        "through `expit`; the output form \\(1 - e^{-a}\\) is computed with `expm1`.",
        _sigmoid(z),
    ),
    "silu": (
        "f' is evaluated as below, with \\(\\sigma(-z)\\) in place of \\(1 - \\sigma(z)\\), "
        "which would round to 0 for large z.",
        _sigmoid(z) * (1 + z * _sigmoid(-z)),
    ),
    "gelu": (
        "\\(\\Phi\\) is `scipy.special.ndtr`, which keeps its relative accuracy far into the "
        "left tail where \\(\\tfrac12(1 + \\operatorname{erf}(z/\\sqrt2))\\) cancels to 0. "
        "f' is \\(\\Phi(z) + z\\varphi(z)\\), with \\(|z|\\) capped at 40 before squaring "
        "(the density is 0 there anyway), so \\(z^2\\) cannot overflow.",
        None,
    ),
    "softsign": (
        "f' is \\(1/(1 + |z|)\\) squared after the division, so the square of a huge "
        "\\(1 + |z|\\) is never formed.",
        None,
    ),
    "hard_tanh": ("Only comparisons and a clip: nothing to overflow; NaN stays NaN.", None),
}


def _impl(name):
    import impl.activations

    return impl.activations.get(name) if name in impl.activations.names() else None


# --- facts, derived -----------------------------------------------------------------


def kink_rows(act):
    """``(k, f'(k), left slope, right slope)`` at each kink, from the pieces of f differentiated one by one."""
    activations.require_elementwise(act, "the kinks of f(z)")
    parts = pieces(act.expr)
    rows = []
    for k in act.kinks:
        left = right = None
        for piece, interval in parts:
            slope = sp.diff(piece, z).subs(z, k)
            if interval.sup == k and not (interval.inf == k):
                left = slope
            if interval.inf == k and not (interval.sup == k):
                right = slope
        rows.append((k, act.derivative.subs(z, k), left, right))
    return rows


def _reference(act):
    f = sp.lambdify(z, act.expr, modules="mpmath")
    df = sp.lambdify(z, act.derivative, modules="mpmath")
    return f, df


def _rel(value, exact):
    if exact == 0:
        return "0 (exact)" if value == 0 else "absolute error " + common.fmt(abs(value))
    return common.fmt(float(abs(mpmath.mpf(float(value)) - exact) / abs(exact)), 2)


def stability_table(act):
    """Relative error of impl's f' and of its output form, against the spec in high precision (elementwise only)."""
    activations.require_elementwise(act, "the stability table of f'(z)")
    im = _impl(act.name)
    if im is None:
        return None
    _, df = _reference(act)
    rows = []
    with mpmath.workdps(REFERENCE_DIGITS):
        for t in PROBES:
            exact = df(mpmath.mpf(t))
            d = float(im.df(np.array(t))[()])
            row = [rf"\({t:g}\)", common.fmt(float(exact)), _rel(d, exact)]
            if im.df_from_output is not None:
                out = im.f(np.array(t))
                row.append(_rel(float(im.df_from_output(out)[()]), exact))
            rows.append(row)
    header = [r"\(z\)", rf"\(f'(z)\), spec at {REFERENCE_DIGITS} digits", "rel. error of `df(z)`"]
    if im.df_from_output is not None:
        header.append("rel. error of `df_from_output(f(z))`")
    return common.table(header, rows)


# --- the plot -----------------------------------------------------------------------


def _segments(breaks):
    """``(i, t)`` for each stretch of the plot between ``breaks``, the breaks themselves left out."""
    edges = [PLOT_RANGE[0], *breaks, PLOT_RANGE[1]]
    for i, (lo, hi) in enumerate(zip(edges, edges[1:])):
        t = np.linspace(lo, hi, 400)
        t = t[(t != lo) | (i == 0)]
        t = t[(t != hi) | (i == len(edges) - 2)]
        yield i, t


def _finish(ax, title):
    """The axes, grid, range, labels and legend every activation plot shares."""
    ax.axhline(0, color="#888888", lw=0.8)
    ax.axvline(0, color="#888888", lw=0.8)
    ax.grid(True, color="#dddddd", lw=0.6)
    ax.set_xlim(*PLOT_RANGE)
    ax.set_xlabel("z")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="best", frameon=True)


def plot(act) -> bytes:
    """f and f' against z for an elementwise activation; a vector activation's plot is `vector_activation.plot`."""
    if not act.elementwise:
        return vector_activation.plot(act)
    plt = common.pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    kinks = [float(k) for k in act.kinks if PLOT_RANGE[0] < float(k) < PLOT_RANGE[1]]
    with np.errstate(all="ignore"):
        # the kinks themselves are left out of each piece
        for i, t in _segments(kinks):
            ax.plot(t, act.numpy_f(t), color="#1f5fa8", lw=2.2, label="f(z)" if i == 0 else None)
            ax.plot(t, act.derived(1).numpy(t), color="#d9480f", lw=2, ls="--", label="f'(z)" if i == 0 else None)
        for k in kinks:
            value = float(act.derivative.subs(z, k))
            ax.plot([k], [value], "o", color="#d9480f", ms=6, zorder=5)
            ax.plot([k], [float(act.expr.subs(z, k))], "o", color="#1f5fa8", ms=4, zorder=5)
    _finish(ax, f"{act.name}: f and f' on [{PLOT_RANGE[0]:g}, {PLOT_RANGE[1]:g}]"
            + (" (dots: the value taken at a kink)" if kinks else ""))
    return common.png(fig)


def _jumps_of_second_derivative(act) -> list[float]:
    """Piece boundaries on the plot where f'' has different values from the two sides."""
    return [float(p) for p, (left, right) in act.derived(2).one_sided.items()
            if PLOT_RANGE[0] < float(p) < PLOT_RANGE[1] and sp.simplify(left - right) != 0]


def second_plot(act) -> bytes:
    """f'' against z (with f' for scale, faint), in the colours of `plot`: dots mark the value taken where f'' jumps."""
    activations.require_elementwise(act, "the plot of f''(z)")
    plt = common.pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    jumps = _jumps_of_second_derivative(act)
    with np.errstate(all="ignore"):
        # the jumps themselves are left out of each piece
        for i, t in _segments(jumps):
            ax.plot(t, act.derived(1).numpy(t), color="#d9480f", lw=1.4, ls="--", alpha=0.55, label="f'(z)" if i == 0 else None)
            ax.plot(t, act.derived(2).numpy(t), color="#2b8a3e", lw=2.2, label="f''(z)" if i == 0 else None)
        for k in jumps:
            ax.plot([k], [float(act.derived(2).expr.subs(z, k))], "o", color="#2b8a3e", ms=6, zorder=5)
    _finish(ax, f"{act.name}: f'' (and f', dashed) on [{PLOT_RANGE[0]:g}, {PLOT_RANGE[1]:g}]"
            + (" (dots: the value taken where f'' jumps)" if jumps else ""))
    return common.png(fig)


def _second_derivative_section(act) -> str:
    """f'' from the spec, where it jumps and which value is taken, its output form h(a) or why none, the plot."""
    names = param_names(act)
    parts = [
        "\n## Second derivative\n\n",
        "Differentiating \\(f'\\) once more (what a Hessian, or a curvature-aware optimiser, needs):\n",
        display(rf"f''(z) = {tex(shorten(act.derived(2).display), names)}"),
        mark(("✓ derived by sympy.diff of f'", "symbolic"),
             ("✓ property-tested: impl's d2f against the spec's f'' and against differences of df", "property"),
             base=BASE),
    ]
    jumps = []
    for p, (left, right) in act.derived(2).one_sided.items():
        if sp.simplify(left - right) == 0:
            continue
        value = act.derived(2).expr.subs(z, p)
        if sp.simplify(value - left) == 0:
            side = "the value from the left, the piece whose condition holds there (as for f')"
        elif sp.simplify(value - right) == 0:
            side = "the value from the right"
        elif sp.simplify(value - (left + right) / 2) == 0:
            side = r"the mean of the two sides, since \(\operatorname{sign}(0) = 0\)"
        else:
            side = "a convention"
        jumps.append(
            f"- at \\(z = {tex(p)}\\): \\({tex(shorten(left))}\\) from the left, \\({tex(shorten(right))}\\) "
            f"from the right; the spec and `impl` both take \\(f''({tex(p)}) = {tex(shorten(value))}\\), {side}."
        )
    if jumps:
        parts.append("\nWhere \\(f''\\) jumps it has no value of its own; the one used there is a convention:\n\n"
                     + "\n".join(jumps) + "\n")
    h = act.derived(2).output_form
    if h is None:
        parts.append(
            "\n**No output form** \\(h(a)\\) with \\(f''(z) = h(f(z))\\):\n\n"
            f"> {act.derived(2).reason}\n"
        )
    else:
        parts.append(
            "\nThrough the output \\(a = f(z)\\):\n"
            + display(rf"f''(z) = h\left(f(z)\right), \qquad h(a) = {tex(shorten(h))}")
            + proof_mark(act.derived(2).proofs, base=BASE, what=f"{act.name}'s second output form")
            + f"\nHow it was found and checked: {act.derived(2).reason}.\n"
        )
    parts.append(f"\n![{act.name}: f'' on [-5, 5]]({act.name}-d2.png)\n")
    return "".join(parts)


# --- the pages ----------------------------------------------------------------------


def param_names(act) -> dict:
    """LaTeX for the parameters: Greek names as SymPy prints them, longer names upright (negative_slope)."""
    out = {}
    for symbol in act.params:
        if "_" in symbol.name and not sp.latex(symbol).startswith("\\"):
            out[symbol] = r"\mathrm{" + symbol.name.replace("_", r"\_") + "}"
    return out


def _params(act):
    if not act.params:
        return "No parameters.\n"
    rows = [(rf"\({tex(symbol, param_names(act))}\)", rf"\({tex(shorten(value))}\)") for symbol, value in act.params.items()]
    return common.table(["parameter", "value used"], rows)


def _output_form_section(act):
    g = act.output_form
    if g is None:
        return (
            "\n**None exists.** The derivative cannot be computed from the output alone:\n\n"
            f"> {act.derived(1).reason}\n\n"
            "Backpropagation through this activation must keep \\(z\\) (the pre-activation) "
            "from the forward pass and evaluate \\(f'(z)\\).\n"
        )
    how = act.derived(1).reason
    return (
        display(rf"f'(z) = g\left(f(z)\right), \qquad g(a) = {tex(shorten(g))}")
        + proof_mark(act.derived(1).proofs, base=BASE, what=f"{act.name}'s output form")
        + f"\nHow it was found and checked: {how}.\n"
    )


def _kinks_section(act):
    rows = kink_rows(act)
    if not rows:
        return "None: f is differentiable at every real z, so no convention is needed.\n"
    out = []
    for k, value, left, right in rows:
        side = []
        if left is not None and value == left:
            side.append("the slope from the left")
        if right is not None and value == right:
            side.append("the slope from the right")
        which = " and ".join(side) if side else "neither one-sided slope"
        out.append(
            f"- at \\(z = {tex(k)}\\): slope from the left \\({tex(shorten(left))}\\), from the right "
            f"\\({tex(shorten(right))}\\); the registry takes \\(f'({tex(k)}) = {tex(shorten(value))}\\), "
            f"{which}" + (" (the two agree: f is smooth enough here)" if left == right else "") + "."
        )
    return (
        "\n".join(out)
        + "\n\nThe value at a kink follows PyTorch's autograd, which is what the tests compare against. "
        "Finite-difference checks avoid inputs next to a kink, where a difference quotient straddles "
        "both slopes and measures neither.\n"
    )


def _description(text) -> str:
    """The registry's description as plain text: an HTML block, escaped, so Markdown, HTML and math in it stay text.

    Descriptions of added activations come from ``add-activation --description`` or a
    hand-edited registry ``activations.json`` in the user folder: a link, a tag or a ``<!-- generated: -->``
    marker in one must show as the characters typed, never become part of the page.
    """
    if not text:
        return ""
    return f'<p class="activation-description">{html.escape(" ".join(str(text).split()))}</p>\n'


def page(name) -> str:
    """The Markdown of ``activations/NAME.md``: the elementwise page, or a vector activation's own."""
    act = activations.get(name)
    if not act.elementwise:
        return vector_activation.page(name, _description(act.description))
    return elementwise_page(name)


@functools.lru_cache(maxsize=None)
def elementwise_page(name) -> str:
    """f, f', the output form g(a), kinks, a plot and impl's accuracy: all of it assumes a_i = f(z_i)."""
    act = activations.require_elementwise(activations.get(name), "the elementwise activation page")
    im = _impl(name)
    text, form = STABILITY.get(name, (None, None))
    low, high = act.range
    parts = [
        f"# {name}\n\n",
        _description(act.description),
        "\nEverything on this page was derived from the registry's one expression when the site was built.\n",
        "\n## Definition\n",
        display(rf"f(z) = {tex(shorten(act.symbolic_expr), param_names(act))}"),
        mark(("the registry's expression, spec.activations", "symbolic"), base=BASE),
        f"\nValues: \\(f(z)\\) ranges over \\({'[' if act.range_closed[0] else '('}{tex(shorten(low))}, "
        f"{tex(shorten(high))}{']' if act.range_closed[1] else ')'}\\) "
        "(over the real line; a square bracket where the bound is a value of f).\n\n",
        _params(act),
        "\n## Derivative\n",
        display(rf"f'(z) = {tex(shorten(act.derived(1).display), param_names(act))}"),
        mark(("✓ derived by sympy.diff", "symbolic"),
             ("✓ property-tested: impl's f' against the spec", "property"), base=BASE),
        "\n## Output form\n\n",
        "Can \\(f'(z)\\) be computed from the output \\(a = f(z)\\) alone, as the sigmoid's "
        "\\(a(1 - a)\\)?\n",
        _output_form_section(act),
        "\n## Kinks\n\n",
        _kinks_section(act),
        "\n## Plot\n\n",
        f"![{name}: f and f' on [-5, 5]]({name}.png)\n",
        _second_derivative_section(act),
        "\n## Numerical stability\n\n",
    ]
    if im is None:
        parts.append("`impl.activations` has no implementation of this activation yet.\n")
    else:
        if text:
            parts.append(text + "\n")
        elif not im.reviewed:
            parts.append(
                "The NumPy code is the starting point `backprop-spec add-activation` generated and no one "
                "has reviewed it yet: the tests hold it to the spec only for \\(|z| \\le 5\\). Rewrite it in "
                "stable forms (`expit`, `log1p`, `expm1`, `ndtr`, ...) before trusting it in the tails.\n"
            )
        else:
            parts.append("Reviewed and tested like the shipped activations; no notes were written for it.\n")
        if form is not None:
            proof = prove_equal(f"{name}: the implementation's form of f' equals f'", form, act.derivative)
            parts.append(display(rf"f'(z) = {tex(form)}"))
            parts.append(proof_mark(proof, base=BASE, what=f"{name}'s stable form of f'"))
        parts.append(
            "\nMeasured when this page was built: the implementation's \\(f'\\) "
            + ("and its output form " if im.df_from_output is not None else "")
            + f"against the spec's \\(f'\\) evaluated with {REFERENCE_DIGITS} significant digits.\n"
        )
        parts.append(stability_table(act))
        parts.append(mark(("measured at build time", "measured"),
                          ("✓ property-tested: f within 1e-12, f' within 1e-10 on [-30, 30]", "property"), base=BASE))
    return "".join(parts)


def index() -> str:
    rows = []
    for name in activations.names(elementwise=True):
        act = activations.get(name)
        g = act.output_form
        rows.append((
            f"[{name}]({name}.md)",
            rf"\({tex(shorten(act.symbolic_expr), param_names(act))}\)",
            rf"\({tex(common.brief(g))}\)" if g is not None else "none",
            ", ".join(rf"\({tex(k)}\)" for k in act.kinks) or "none",
        ))
    vector = [vector_activation.index_row(name) for name in activations.names(elementwise=False)]
    text = (
        "# Activations\n\n"
        f"The registry `spec.activations` holds {len(rows) + len(vector)} activations. Each page below is "
        "generated from the registry's single expression for it while the site is built: adding an activation "
        "(for instance with `backprop-spec add-activation`) adds its page.\n"
        "\n## Elementwise activations\n\n"
        "Each unit's output depends on its own pre-activation only, \\(a_i = f(z_i)\\), so the derivative "
        "is one number per unit and backpropagation multiplies by \\(f'(z)\\) entry by entry. The output "
        "form \\(g(a)\\), where one exists, gives \\(f'(z) = g(f(z))\\). Decimal constants are rounded to "
        "six digits in this table; each page gives them in full.\n"
        + common.table(["name", r"\(f(z)\)", r"output form \(g(a)\)", "kinks"], rows)
    )
    if vector:
        text += (
            "\n## Vector activations\n\n"
            "Each output depends on the whole layer, \\(a_i = f_i(z_1, \\dots, z_n)\\): the derivative is a "
            "Jacobian matrix, no elementwise output form exists, and backpropagation multiplies by "
            "\\(J^T\\). The output form here is the whole matrix written through the outputs, "
            "\\(J(z) = G(f(z))\\).\n"
            + common.table(["name", r"\(f_i(z)\)", r"Jacobian output form \(G(a)\)", "outputs"], vector)
        )
    return text


def files() -> dict[str, str | bytes]:
    """``{src_uri: content}`` for the index, every activation page and every plot."""
    out: dict[str, str | bytes] = {"activations/index.md": index()}
    for name in activations.names():
        out[f"activations/{name}.md"] = page(name)
        out[f"activations/{name}.png"] = plot(activations.get(name))
        if activations.get(name).elementwise:
            out[f"activations/{name}-d2.png"] = second_plot(activations.get(name))
    return out


def nav() -> list:
    """The nav section: the index, then one entry per registered activation."""
    return ["activations/index.md", *({name: f"activations/{name}.md"} for name in activations.names())]
