"""The page of a *vector* activation (softmax), generated from ``spec.activations`` and checked against ``impl``.

An elementwise activation's page (``activation_pages``) plots f and f' and looks
for an output form g(a); none of that exists when every output depends on the
whole layer. This page shows instead, for a layer of ``N_SHOWN`` units: the
component f_i, the Jacobian derived by SymPy, its output form G(a) with J(z) =
G(f(z)) and the proofs, why no elementwise output form exists, the output
error with every loss that accepts the activation (the cancellation with
cross-entropy, proven for every n), impl's f and backward against the spec in
high precision, and a plot of the two-unit case.
"""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
import sympy as sp

from spec import activations, losses
from spec.proof import prove_equal, prove_matrix_equal

from . import common, loss_page
from .common import display, mark, proof_mark, tex, tex_layer

BASE = "../"
#: The layer width the Jacobian is written out for.
N_SHOWN = 3
#: Widths for which the compact form diag(a) - a a^T is checked against the spec's G(a).
COMPACT_WIDTHS = (2, 3, 4, 5)
#: Logit rows (N_SHOWN units) where impl is compared with the spec in high precision.
PROBES = ((1.0, 2.0, 3.0), (30.0, 0.0, -30.0), (100.0, 99.5, 0.0), (800.0, 799.0, 0.0), (1e4, 0.0, -1e4))
#: The upstream gradient dL/da used to check backward (any fixed vector does).
GRAD = (0.5, -1.0, 0.25)
#: The smallest positive normal float64: exact values below it cannot be compared relatively.
TINY = np.finfo(np.float64).tiny


#: Closed forms a Jacobian's output form G(a) may have: (LaTeX, plain text, the matrix for a column of outputs A).
#: The page shows the first one proven equal to the spec's G for every width in COMPACT_WIDTHS.
COMPACT = ((r"\operatorname{diag}(a) - a\,a^T", "diag(a) - a aᵀ", lambda A: sp.diag(*A) - A * A.T),)


#: What impl does for each vector activation, in this site's words, and impl's backward as a
#: formula builder (outputs A, upstream gradient g) -> column, proven equal to G(a)^T g at build time.
STABILITY = {
    "softmax": (
        "`impl` never evaluates \\(e^{z_i}\\) itself. It subtracts the row's largest logit \\(m\\) first, "
        "\\(f_i(z) = e^{z_i - m} / \\sum_j e^{z_j - m}\\), which changes nothing mathematically (the factor "
        "\\(e^{-m}\\) cancels) but keeps every exponent \\(\\le 0\\): no overflow, and the denominator is at "
        "least 1, so no 0/0. The column *spec's formula in float64* below is the textbook expression without "
        "the shift, evaluated in ordinary floats: it breaks down from about \\(z = 710\\), where \\(e^z\\) "
        "overflows. `backward` is the vector-Jacobian product through the outputs shown above; it never forms the matrix.",
        lambda A, g: A.multiply_elementwise(g - (A.T * g)[0] * sp.ones(A.rows, 1)),
        r"\left(J^T g\right)_k = a_k \left(g_k - \sum_i g_i\, a_i\right)",
        # shown only when the measurements find backward losing digits
        "\\(g_k - \\sum_i g_i a_i\\) subtracts two nearly equal numbers once one output is within rounding of 1, "
        "the same weakness as the sigmoid's \\(a(1 - a)\\) at \\(z = 30\\). Training with cross-entropy never "
        "takes this path: its output error is the fused \\(a - y\\), exact to the last digit (see the "
        "[Losses](../losses.md) page).",
    ),
}


def _impl(name):
    import impl.activations

    return impl.activations.get(name) if name in impl.activations.names() else None


# --- facts, derived and proven ----------------------------------------------------------


@functools.lru_cache(maxsize=None)
def compact_form(name):
    """``(latex, text, proofs)``: the first of `COMPACT` proven equal to the spec's G(a) for every width, or None."""
    act = activations.get(name)
    forms = [act.jacobian_output_form(n) for n in COMPACT_WIDTHS]
    if any(G is None for G in forms):
        return None
    for latex, text, build in COMPACT:
        proofs = [prove_matrix_equal(f"{name}: G(a) = {text} for n = {n}", G, build(act.As(n)))
                  for n, G in zip(COMPACT_WIDTHS, forms)]
        if all(p.ok for p in proofs):
            return latex, text, proofs
    return None


@functools.lru_cache(maxsize=None)
def backward_proof(name):
    """impl's backward formula proven equal to G(a)^T g for N_SHOWN units, or None if none is listed."""
    act = activations.get(name)
    entry = STABILITY.get(name)
    G = act.jacobian_output_form(N_SHOWN)
    if entry is None or G is None:
        return None
    A = act.As(N_SHOWN)
    g = sp.Matrix(sp.symbols(f"g_0:{N_SHOWN}", real=True))
    return prove_matrix_equal(f"{name}: impl's backward = G(a)^T g for n = {N_SHOWN}", entry[1](A, g), G.T * g)


@functools.lru_cache(maxsize=None)
def two_unit_match(name):
    """The elementwise activation s with f_0(z, 0) = s(z) (softmax of two units is the sigmoid), proven, or None."""
    act = activations.get(name)
    z0, z1 = act.zs(2)
    first = act.vector(2)[0].xreplace({z1: 0, z0: activations.z})
    probe = np.array([-1.5, 0.3, 2.0])
    value = sp.lambdify(activations.z, first, "numpy")(probe)
    for other in activations.names(elementwise=True):
        cand = activations.get(other)
        with np.errstate(all="ignore"):
            if not np.allclose(cand.numpy_f(probe), value, rtol=1e-12, atol=0):
                continue  # a cheap numeric test before any proof
        proof = prove_equal(f"{name}(z, 0)_0 = {other}(z)", first, cand.expr)
        if proof.ok:
            return other, proof
    return None


def _jacobian_through_s(act, n):
    """J for ``n`` units, with the sum of the exponentials written as one symbol s (its common denominator)."""
    zs = act.zs(n)
    s = sp.Symbol("s", positive=True)
    total = sp.Add(*[sp.exp(t) for t in zs])
    J = act.jacobian(n)
    shown = J.xreplace({total: s})
    return (shown, total) if shown != J else (J, None)


# --- sections -----------------------------------------------------------------------------


def _general(act):
    """``(simplex proofs, Jacobian proofs)`` the spec gives for a symbolic number of units."""
    proofs = act.general_proofs()
    split = 1 if act.output_set == "simplex" else 0
    return proofs[:split], proofs[split:]


def _definition(act):
    n = N_SHOWN
    simplex = act.proofs(n)[:1] if act.output_set == "simplex" else []
    simplex_any, _ = _general(act)
    low, high = act.range
    out = [
        "\n## Definition\n\n",
        "The registry holds one component, output \\(i\\) of a layer of \\(n\\) units:\n",
        display(rf"a_i = f_i(z) = {tex_layer(act.component)}, \qquad i = 1, \dots, n"),
        mark(("the registry's component, spec.activations", "symbolic"), base=BASE),
        f"\nFor \\(n = {n}\\) the sum is written out (`vector({n})`):\n",
        display(rf"f(z) = {tex_layer(act.vector(n))}"),
        f"\nEvery output lies in \\(({tex(low)}, {tex(high)})\\)",
    ]
    if simplex:
        out += [
            " and the outputs of one sample add up to 1: they form a probability distribution over the "
            "units (the *probability simplex*), which is why the last layer of a classifier uses it.\n",
            display(r"\sum_{i=1}^{n} f_i(z) = 1"),
            loss_page.labelled_marks([*simplex_any, *simplex], ("any n", f"n = {n}"), base=BASE,
                                     what=f"{act.name}'s outputs summing to 1"),
        ]
    else:
        out.append(".\n")
    return "".join(out)


def _jacobian(act):
    n = N_SHOWN
    shown, total = _jacobian_through_s(act, n)
    where = "" if total is None else rf", \qquad s = {tex_layer(total)}"
    return (
        "\n## The Jacobian\n\n"
        "An elementwise activation's derivative is one number per unit, \\(f'(z_i)\\). Here output "
        "\\(i\\) depends on *every* \\(z_k\\) of the layer, so the derivative is a matrix, the Jacobian "
        "\\(J_{ik} = \\partial a_i / \\partial z_k\\). SymPy derives it from the component above, for any "
        "number of units (`sympy.diff` by \\(z_k\\); \\(\\delta_{ik}\\) is 1 where \\(i = k\\) and 0 elsewhere):\n"
        + display(rf"J_{{ik}} = \frac{{\partial f_i}}{{\partial z_k}} = {tex_layer(act.general_jacobian)}")
        + mark(("✓ derived by sympy.diff", "symbolic"), base=BASE)
        + f"\nWritten out for \\(n = {n}\\) (`Matrix.jacobian`):\n"
        + display(rf"J(z) = {tex_layer(shown)}{where}")
        + mark(("✓ derived by Matrix.jacobian", "symbolic"),
               ("✓ property-tested: impl's f and backward against this Jacobian, 50 digits", "property"),
               ("✓ impl's jacobian against the complex step", "fd"), base=BASE)
        + "\nThe off-diagonal entries are not zero: raising one logit lowers every other output.\n"
    )


def _output_form(act):
    n = N_SHOWN
    G = act.jacobian_output_form(n)
    if G is None:
        return (
            "\n## Output form of the Jacobian\n\n**None exists** for this activation: "
            f"`{act.jacobian_output_form_reason(n)}`. Backpropagation must keep \\(z\\) from the forward pass.\n"
        )
    jac_proofs = act.proofs(n)[1:] if act.output_set == "simplex" else act.proofs(n)
    _, general_proofs = _general(act)
    general = act.general_jacobian_output_form
    compact = compact_form(act.name)
    line = rf"J(z) = G\left(f(z)\right), \qquad G(a) = {tex_layer(G)}"
    if compact is not None:
        line += rf" = {compact[0]}"
    widths = ", ".join(map(str, COMPACT_WIDTHS))
    out = [
        "\n## Output form of the Jacobian\n\n"
        "Written through the outputs \\(a = f(z)\\), the Jacobian needs no exponential at all.",
    ]
    if general is not None:
        out += [
            " For any number of units:\n",
            display(rf"J_{{ik}} = {tex_layer(general)}"),
            grouped_mark(general_proofs, "for any n, every i and k", what=f"{act.name}'s Jacobian for any n"),
            f"\nFor \\(n = {n}\\), the whole matrix:\n",
        ]
    else:
        out.append(f" For \\(n = {n}\\):\n")
    out += [
        display(line),
        grouped_mark(jac_proofs, f"J(z) = G(f(z)) for n = {n}", what=f"{act.name}'s Jacobian output form",
                     extra=compact and (compact[2], f"G(a) = {compact[1]} for n = {widths}")),
        f"\nHow the spec found and checked it: `{act.jacobian_output_form_reason(n)}`.",
        (f" The compact form on the right is checked against the spec's \\(G(a)\\) for \\(n = {widths}\\)."
         if compact else ""),
        "\nOn the diagonal \\(a_i(1 - a_i)\\), the sigmoid's output form; off it \\(-a_i a_k\\).\n",
    ]
    return "".join(out)


def _no_elementwise(act):
    return (
        "\n## Why there is no elementwise output form\n\n"
        "**None exists.** The elementwise pages ask for a \\(g\\) with \\(f'(z) = g(f(z))\\), one unit at a "
        "time. The spec's answer for this activation:\n\n"
        f"> {act.why_not_elementwise(1)}\n\n"
        + _mistake(act)
        + "\nFor the same reason there is no scalar second derivative \\(f''(z)\\) here: the second "
        "derivative of a map from the layer to the layer, \\(\\partial^2 a_i / \\partial z_j \\partial z_k\\), "
        "has three indices (a 3-tensor per sample), one more than the Jacobian.\n"
    )


def _mistake(act):
    """impl's full vector-Jacobian product next to the diagonal-only shortcut, for one sample."""
    im = _impl(act.name)
    if im is None or im.jacobian is None:
        return ""
    z = np.array([PROBES[0]])
    a = im.f(z)
    loss = next((losses.get(name) for name in losses.names() if losses.get(name).default_output == act.name), None)
    import impl.losses

    if loss is not None and loss.name in impl.losses.names():
        y = np.zeros_like(a)
        y[0, -1] = 1.0
        g = impl.losses.get(loss.name).d_da(a, y)
        what = f"the `{loss.name}` loss's \\(\\partial \\ell / \\partial a\\) for the target \\(y = ({', '.join(f'{v:g}' for v in y[0])})\\)"
    else:
        g = np.array([GRAD])
        what = f"\\(g = ({', '.join(f'{v:g}' for v in GRAD)})\\)"
    diagonal = np.diagonal(im.jacobian(z), axis1=-2, axis2=-1)
    right, wrong = im.backward(z, a, g)[0], (g * diagonal)[0]
    rows = [(rf"\(\delta_{k}\)", _six(right[k]), _six(wrong[k])) for k in range(len(right))]
    lost = [k for k in range(len(right)) if wrong[k] == 0 and abs(right[k]) > 1e-6]
    note = ""
    if lost:
        units = ", ".join(rf"\(\delta_{k}\)" for k in lost)
        note = (f"\nThe shortcut gives {units} = 0: their \\(\\partial \\ell / \\partial a\\) is 0, and only the "
                "off-diagonal entries carry the error to them. Trained that way, the output weights of every "
                "class but the target would get no gradient at all.\n")
    return (
        "Multiplying by the diagonal alone, as if the activation were elementwise, is a real mistake, not an "
        f"approximation. At \\(z = ({', '.join(f'{v:g}' for v in PROBES[0])})\\), with {what}, impl gives:\n"
        + common.table(["", r"\(J^T g\) (`backward`)", r"\(g \odot \operatorname{diag}(J)\) (wrong)"], rows)
        + mark(("measured at build time", "measured"), base=BASE)
        + note
    )


def _six(x) -> str:
    return "0" if x == 0 else f"{x:.6f}"


def grouped_mark(proofs, label, what, extra=None):
    """One check mark per group of proofs (e.g. one per width), naming the group; stops the build if any failed."""
    groups = [(list(proofs), label)] + ([(list(extra[0]), extra[1])] if extra else [])
    items = []
    for group, text in groups:
        common.require(group, what)
        methods = ", ".join(sorted({p.method.split(" on ")[0] for p in group}))
        items.append((f"✓ proven symbolically: {text} ({methods})", "symbolic"))
    return mark(*items, base=BASE)


def _backprop(act):
    entry = STABILITY.get(act.name)
    out = [
        "\n## Backpropagation through it\n\n"
        "The chain rule sums over every output a unit feeds: \\(\\delta_k = \\sum_i J_{ik}\\, "
        "\\partial \\ell / \\partial a_i\\), that is\n",
        display(r"\delta = J(z)^T\, \nabla_a \ell ."),
    ]
    proof = backward_proof(act.name)
    if entry is not None and proof is not None:
        out += [
            "`impl` computes this product without forming the matrix (`backward(z, a, grad)`):\n",
            display(entry[2]),
            proof_mark(proof, base=BASE, what=f"{act.name}'s backward formula"),
        ]
    return "".join(out)


def _with_losses(act):
    """The output error with every registered loss that accepts the activation, through the losses' own generator."""
    parts = ["\n## With a loss: the output error\n\n"]
    plain = []
    for name in losses.names():
        loss = losses.get(name)
        if not loss.accepts(act):
            continue
        section = loss_page.vector_cancellation(name, act.name, base=BASE)
        if section is None:
            plain.append(name)
        else:
            parts.append(section)
    parts.append(
        "\nThe [Proofs](../proofs.md) page goes one step further: for a whole network with this output layer, "
        "`backprop-spec prove` checks every weight's and bias's gradient against `sympy.diff` of the loss.\n"
    )
    if plain:
        parts.append(
            "\nWith " + ", ".join(f"`{n}`" for n in plain)
            + " nothing cancels for every \\(n\\): the output error is \\(J(z)^T \\nabla_a \\ell\\) as above "
            "(see the [Losses](../losses.md) page).\n"
        )
    return "".join(parts)


# --- the plot -------------------------------------------------------------------------------


def plot(act) -> bytes:
    """Two units with the second logit held at 0: f_0 against the matching elementwise activation, and J's entries."""
    plt = common.pyplot()
    t = np.linspace(-6, 6, 400)
    z = np.stack([t, np.zeros_like(t)])  # units on axis 0
    f = act.numpy_f(z)
    J = act.numpy_jacobian(z)
    match = two_unit_match(act.name)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 3.5))
    left.plot(t, f[0], color="#1f5fa8", lw=2.4, label=r"$a_1 = f_1(z, 0)$")
    left.plot(t, f[1], color="#2b8a3e", lw=2, label=r"$a_2 = f_2(z, 0)$")
    if match is not None:
        other = activations.get(match[0])
        left.plot(t, other.numpy_f(t), color="#d9480f", lw=1.6, ls=(0, (4, 3)), label=f"{match[0]}(z)")
    left.set_title(f"{act.name} of (z, 0): outputs", fontsize=10)
    right.plot(t, J[0, 0], color="#1f5fa8", lw=2.2, label=r"$J_{11} = \partial a_1/\partial z_1$")
    right.plot(t, J[0, 1], color="#7048e8", lw=2, ls="--", label=r"$J_{12} = \partial a_1/\partial z_2$")
    right.set_title("Jacobian entries: equal and opposite", fontsize=10)
    for ax in (left, right):
        ax.axhline(0, color="#888888", lw=0.8)
        ax.axvline(0, color="#888888", lw=0.8)
        ax.grid(True, color="#dddddd", lw=0.6)
        ax.set_xlim(t[0], t[-1])
        ax.set_xlabel("z (the first logit; the second is 0)")
        ax.legend(loc="best", frameon=True, fontsize=8)
    return common.png(fig)


def _plot_section(act):
    match = two_unit_match(act.name)
    text = (
        "\n## Plot: two units\n\n"
        f"With two units and the second logit held at 0, {act.name} depends on one number. ")
    if match is not None:
        text += (
            f"Its first output is then exactly the {match[0]} (dashed line, on top of it): with two classes, "
            f"{act.name} is the [{match[0]}]({match[0]}.md) of the difference of the two logits, since only "
            "that difference matters.\n"
            + display(rf"f_1(z, 0) = {tex(activations.get(match[0]).expr)}")
            + proof_mark(match[1], base=BASE, what=f"{act.name} of two units")
        )
    text += (
        f"\n![{act.name} of (z, 0): both outputs, and two entries of the Jacobian]({act.name}.png)\n\n"
        "The right panel shows why the Jacobian cannot be diagonal: moving \\(z_2\\) changes \\(a_1\\) "
        "exactly as much as moving \\(z_1\\) does, with the opposite sign (the outputs must keep summing to 1).\n"
    )
    return text


# --- impl against the spec in high precision -------------------------------------------------


def _digits(row) -> int:
    """Enough digits to resolve 1 - a_0 where a_0 is within e^{-spread} of 1 (spec's plain formula)."""
    spread = max(row) - min(row)
    return 60 + int(2 * spread / math.log(10))


@functools.lru_cache(maxsize=None)
def _reference(name, n):
    act = activations.get(name)
    zs = list(act.zs(n))
    return (sp.lambdify(zs, list(act.vector(n)), modules="mpmath"),
            sp.lambdify(zs, list(act.jacobian(n)), modules="mpmath"))


def _rel_entries(got, exact):
    """The largest relative error over the entries a float64 can hold to full relative precision (exact >= 10^-308)."""
    errors = [abs(mpmath.mpf(float(g)) - e) / abs(e) for g, e in zip(got, exact) if abs(e) >= TINY]
    return common.fmt(float(max(errors)), 2) if errors else "nothing to compare"


def _rel_norm(got, exact):
    """``(text, error)``: max_k |got_k - exact_k| / max_k |exact_k|, or 0 when every exact entry is below 10^-308 and impl gives 0."""
    scale = max(abs(e) for e in exact)
    if scale < TINY:
        if np.all(np.abs(got) < TINY):
            return "exact entries all below 10⁻³⁰⁸; impl gives 0, their correct rounding", 0.0
        raise common.BuildFailure(f"backward: exact entries below 1e-308, impl gives {got}")
    error = float(max(abs(mpmath.mpf(float(g)) - e) for g, e in zip(got, exact)) / scale)
    return common.fmt(error, 2), error


@functools.lru_cache(maxsize=None)
def measurements(name):
    """Rows of the stability table (impl's f and backward against the spec's formula in high precision), and backward's errors."""
    act, im = activations.get(name), _impl(name)
    n = len(PROBES[0])
    F, J = _reference(name, n)
    g = np.array(GRAD)
    rows, backward_errors = [], []
    for row in PROBES:
        z = np.array(row)
        with mpmath.workdps(_digits(row)):
            zm = [mpmath.mpf(v) for v in row]
            exact = F(*zm)
            jac = J(*zm)
            vjp = [sum(jac[r * n + c] * g[r] for r in range(n)) for c in range(n)]
            a = im.f(z)
            tiny = [k for k, e in enumerate(exact) if abs(e) < TINY]
            if any(abs(a[k]) >= TINY for k in tiny):
                raise common.BuildFailure(f"{name}: an output below 1e-308 at {row} came out as {a}")
            f_err = _rel_entries(a, exact) + (f"; {len(tiny)} below 10⁻³⁰⁸, given as 0" if tiny else "")
            b_err, b_value = _rel_norm(im.backward(z, a, g), vjp)
            backward_errors.append(b_value)
        with mpmath.workdps(20):
            # +e rounds to 20 digits: printing a mantissa of thousands of digits is refused by Python's int limit
            shown = ", ".join(mpmath.nstr(+e, 4) for e in exact)
        with np.errstate(all="ignore"):
            plain = act.numpy_f(z)
        plain_text = ", ".join(f"{v:.4g}" for v in plain)
        if not np.all(np.isfinite(plain)):
            plain_text = f"**{plain_text}** (overflow)"
        rows.append((rf"\(({', '.join(f'{v:g}' for v in row)})\)", shown, f_err, plain_text, b_err))
    return rows, backward_errors


def _stability(act):
    im = _impl(act.name)
    if im is None:
        return "\n## Numerical stability\n\n`impl.activations` has no implementation of this activation yet.\n"
    entry = STABILITY.get(act.name)
    text = entry[0] if entry else "No notes were written for this implementation."
    rows, errors = measurements(act.name)
    return (
        "\n## Numerical stability\n\n"
        + text + "\n\n"
        f"Measured when this page was built, against the spec's own formula and Jacobian evaluated with mpmath "
        f"at enough digits for each row (60 plus twice the spread of the logits in decimal digits). `backward` "
        f"is given \\(g = ({', '.join(f'{v:g}' for v in GRAD)})\\); its error is relative to the largest entry "
        "of the exact \\(J^T g\\).\n"
        + common.table(
            [r"\(z\)", r"\(f(z)\), spec in high precision", "rel. error of impl's `f`",
             "spec's formula in float64 (no shift)", r"rel. error of impl's `backward` (\(J^T g\))"],
            rows,
        )
        + mark(("measured at build time", "measured"),
               ("✓ tested: f within 1e-12 of mpmath for logits to ±1e4", "property"), base=BASE)
        + _weakness(act, errors)
    )


def _weakness(act, errors):
    """A note on the worst row of backward, when it keeps fewer than 12 digits."""
    worst = max(zip(PROBES, errors), key=lambda item: item[1])
    if worst[1] < 1e-12:
        return "\nEvery row keeps full float64 precision in `f` and `backward`.\n"
    entry = STABILITY.get(act.name)
    digits = max(0, int(-math.log10(worst[1])))
    return (
        f"\nAt \\(z = ({', '.join(f'{v:g}' for v in worst[0])})\\), `backward` keeps only about {digits} digits"
        + (": " + entry[3] if entry and len(entry) > 3 else ".") + "\n"
    )


# --- the page ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def page(name, description: str = "") -> str:
    """The page of the vector activation ``name``; ``description`` is the registry's, already escaped as HTML."""
    act = activations.get(name)
    if act.elementwise:
        raise ValueError(f"{name} is elementwise: its page is activation_pages.page")
    return "".join([
        f"# {name}\n\n",
        description,
        "\nA **vector activation**: each output depends on the whole layer, not on one unit's own "
        "\\(z\\). So this page has no plot of \\(f(z)\\) against one number and no \\(f'(z)\\); the derivative "
        "is a matrix. Everything below was derived from the registry's one component when the site was built.\n",
        _definition(act),
        _jacobian(act),
        _output_form(act),
        _no_elementwise(act),
        _backprop(act),
        _with_losses(act),
        _plot_section(act),
        _stability(act),
    ])


def index_row(name):
    """(name link, component, Jacobian output form, outputs) for the index's vector group."""
    act = activations.get(name)
    compact = compact_form(name)
    G = act.jacobian_output_form(N_SHOWN)
    form = rf"\({compact[0]}\)" if compact else ("none" if G is None else f"proven for \\(n = {N_SHOWN}\\)")
    outputs = "in (0, 1), summing to 1" if act.output_set == "simplex" else "in the range, no constraint"
    return (f"[{name}]({name}.md)", rf"\({tex_layer(act.component)}\)", form, outputs)
