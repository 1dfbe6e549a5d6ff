"""The "Losses" page: one section per registered loss, from ``spec.losses`` and ``impl.losses``.

`sections` loops over ``spec.losses.names()``: each loss gets its formula,
its derivative, what it needs of the output activation, every output error
it has a closed form for (proven), and how its ``impl.losses`` entry
computes it (the entry's own code, and a measurement at saturation where it
has fused forms). Adding a loss to both registries adds its section with no
edit here or in ``docs/losses.md``. The other blocks are the page's worked
lessons (sigmoid + BCE, softmax + cross-entropy, saturation, reductions).
"""

from __future__ import annotations

import functools
import html
import inspect
import math

import mpmath
import numpy as np
import sympy as sp

from spec import activations, losses, network
from spec.activations import a
from spec.losses import bce, mse, y
from spec.proof import tidy

from . import common
from .common import display, mark, proof_mark, tex, tex_layer


def fraction(expr) -> str:
    """``expr`` as one tidy fraction, e.g. (a - y) / (a (1 - a)) rather than -(a - y) / (a (a - 1))."""
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    sign = 1
    parts = []
    for part in (num, den):
        if tidy(part).could_extract_minus_sign():
            sign, part = -sign, -part
        parts.append(tidy(part))
    if sp.cancel(sign * parts[0] / parts[1] - expr) != 0:
        raise common.BuildFailure(f"rewriting {expr} as a fraction changed its value")
    if parts[1] == 1:
        return ("- " if sign < 0 else "") + tex(parts[0])
    return ("- " if sign < 0 else "") + rf"\frac{{{tex(parts[0])}}}{{{tex(parts[1])}}}"


def _loss(loss):
    slope = fraction(loss.d_da)
    lines = [rf"\ell(a, y) &= {tex(loss.expr)}", rf"\frac{{\partial \ell}}{{\partial a}} &= {tex(loss.d_da)}"]
    if slope != tex(loss.d_da):
        lines.append(rf"&= {slope}")
    return display(*lines) + mark(("the spec's loss, spec.losses", "symbolic"), ("✓ derived by sympy.diff", "symbolic"))


def mse_block():
    return _loss(mse)


def bce_block():
    return _loss(bce)


def mse_sigmoid():
    od = mse.output_delta("sigmoid")
    sig = activations.get("sigmoid")
    return display(
        rf"\delta = \frac{{\partial \ell}}{{\partial a}} \, \sigma'(z) = \left({tex(mse.d_da)}\right) \cdot {tex(sig.output_form)} = {tex(od.in_a)}"
    ) + proof_mark(od.proofs, what="the output error of mse with a sigmoid output")


@functools.lru_cache(maxsize=None)
def cancellation():
    proof = losses.prove_sigmoid_bce_cancellation()
    common.require([proof], "the sigmoid + BCE cancellation")
    return proof


def bce_sigmoid():
    od = bce.output_delta("sigmoid")
    sig = activations.get("sigmoid")
    return (
        display(
            rf"\delta &= \frac{{\partial \ell}}{{\partial a}} \, \sigma'(z) = {fraction(bce.d_da)} \cdot {tex(sig.output_form)} = {tex(od.in_a)}",
            rf"\frac{{\partial}}{{\partial z}} \ell\left(\sigma(z), y\right) &= {tex(od.in_z)} = {tex(sig.expr - y)}",
        )
        + proof_mark([cancellation(), *od.proofs], what="the sigmoid + BCE output error")
    )


def cancellation_status():
    p = cancellation()
    return f"`{p.claim}`: **{'proven' if p.ok else 'NOT PROVEN'}** (by `{p.method}`, when this page was built)."


@functools.lru_cache(maxsize=None)
def mean_proof():
    result = network.prove_backprop((2, 2, 1), reduction="mean", samples=3)
    common.require(result.parameters + result.instantiation, "prove_backprop with the mean reduction")
    return result


def reductions():
    n, N = sp.symbols("n N", integer=True, positive=True)
    ell = sp.Symbol("ell_n")
    lab = {ell: r"\ell_n"}
    result = mean_proof()
    count = len(result.parameters)
    return display(
        rf"L_{{\text{{sum}}}} &= {tex(sp.Sum(ell, (n, 1, N)), lab)}, \qquad \delta^{{(D)}}_n = \frac{{\partial \ell_n}}{{\partial z^{{(D)}}_n}}",
        rf"L_{{\text{{mean}}}} &= {tex(sp.Sum(ell, (n, 1, N)) / N, lab)}, \qquad \delta^{{(D)}}_n = {tex(1 / N)} \frac{{\partial \ell_n}}{{\partial z^{{(D)}}_n}}",
    ) + mark(
        (f"✓ proven symbolically for both reductions, all {count} parameters of the 2-2-1 network", "symbolic"),
        ("✓ property-tested: impl with sum and mean against the spec", "property"),
    )


def sum_of_losses(loss=mse) -> str:
    """The summed loss over samples n, e.g. sum_n (a_n - y_n)^2 / 2, as inline math."""
    n, N = sp.symbols("n N", integer=True, positive=True)
    a_n, y_n = sp.Symbol("a_n", real=True), sp.Symbol("y_n", real=True)
    return rf"\({tex(sp.Sum(loss.expr.subs({a: a_n, y: y_n}), (n, 1, N)), {a_n: 'a_n', y_n: 'y_n'})}\)"


# --- one section per registered loss -----------------------------------------------------

#: The layer width the output error of a vector activation is written out for.
N_SHOWN = 3
#: Logits where fused and generic forms are compared: moderate, past float64's 1 - 2^-53, past exp's overflow.
SATURATION = (5.0, 30.0, 40.0, 800.0)


def _impl_loss(name):
    import impl.losses

    return impl.losses.get(name) if name in impl.losses.names() else None


def _impl_act(name):
    import impl.activations

    return impl.activations.get(name) if name in impl.activations.names() else None


def _text(value) -> str:
    """Registry text as an HTML paragraph, escaped: Markdown, HTML and math in it stay characters."""
    return f'<p class="loss-description">{html.escape(" ".join(str(value).split()))}</p>\n' if value else ""


@functools.lru_cache(maxsize=None)
def vector_delta(loss_name, act_name, n=N_SHOWN):
    """The spec's output error for ``n`` units of a vector activation, with its proofs required."""
    od = losses.get(loss_name).output_delta(act_name, n)
    common.require(od.proofs, f"the output error of {loss_name} with {act_name}, n = {n}")
    return od


@functools.lru_cache(maxsize=None)
def general_delta(loss_name, act_name):
    """The output error for a symbolic number of units, or ``None`` when it is not written through the outputs."""
    gen = losses.general_output_delta(loss_name, act_name)
    if gen.in_a is None:
        return None
    common.require(gen.proofs, f"the output error of {loss_name} with {act_name} for every n")
    return gen


def _general_tex(gen):
    """LaTeX names for the general identity: a_k, y_i and the sum of the targets."""
    return tex_layer(gen.in_a), (None if gen.in_a_unit_targets is None else tex_layer(gen.in_a_unit_targets))


def vector_cancellation(loss_name, act_name, base=""):
    """What the output error of ``act_name`` with ``loss_name`` cancels to, for n = 3 and for every n; None if nothing does."""
    gen = general_delta(loss_name, act_name)
    if gen is None:
        return None
    od = vector_delta(loss_name, act_name)
    loss = losses.get(loss_name)
    general, unit = _general_tex(gen)
    c = sp.Symbol("c")
    off = gen.in_a.subs(gen.sum_of_targets, c)
    lines = [
        f"With the `{loss_name}` loss, \\(\\ell = \\sum_k {tex(loss.expr.subs({a: sp.Symbol('a_k'), y: sp.Symbol('y_k')}))}\\). "
        f"For \\(n = {od.n}\\) its gradient with respect to the outputs is \\(\\nabla_a \\ell = {tex_layer(od.grad_a.T)}^T\\), "
        "and multiplying by the Jacobian written through the outputs, everything but one product cancels:\n",
        display(rf"\delta = G(a)^T \nabla_a \ell = {tex_layer(od.in_a)}"),
        labelled_marks(od.proofs, ("δ = Jᵀ∇ₐℓ", "through a", "Σy = 1", "Σy ≠ 1"), base=base,
                       what=f"{act_name} with {loss_name}, n = {od.n}"),
        "\nThe spec also proves it for a layer of any width: \\(n\\) stays a symbol, the sums stay sums, and "
        "`sympy.diff` differentiates the whole sample's loss directly:\n",
    ]
    rows = [rf"\delta_k &= {general}"]
    if unit is not None:
        rows.append(rf"&= {unit} \quad \text{{when }} {tex_layer(gen.sum_of_targets)} = 1 \text{{ (one-hot or probability targets)}}")
    lines.append(display(*rows))
    lines.append(labelled_marks(gen.proofs, ("every n", "Σy = 1", "Σy = c ≠ 1"), base=base,
                                what=f"{act_name} with {loss_name} for every n"))
    if unit is not None:
        lines.append(
            f"\nIf the targets of a sample add up to some \\(c \\ne 1\\) instead, the error is "
            f"\\({tex_layer(off)}\\): \\(c\\) times the error for the rescaled targets \\(y / c\\), not "
            f"\\({unit}\\). `impl` computes this general form, so soft or unnormalised targets are handled exactly.\n"
        )
    return "".join(lines)


def labelled_marks(proofs, labels, base="", what=""):
    """One check mark per proof, each named by its label (when the spec gives as many proofs as labels)."""
    proofs = list(proofs)
    if len(proofs) != len(labels):
        return proof_mark(proofs, base=base, what=what)
    common.require(proofs, what)
    items = []
    for label, p in zip(labels, proofs):
        numeric = p.method.startswith("checked")
        status = f"holds numerically ({p.method.removeprefix('checked ')})" if numeric else f"proven symbolically ({p.method})"
        items.append((f"✓ {label}: {status}", "symbolic"))
    return mark(*items, base=base)


def _requirement(loss):
    return losses.REQUIREMENTS[loss.requires][1]


def _accepted(loss):
    return [n for n in activations.names() if loss.accepts(activations.get(n))]


def _elementwise_row(loss, name):
    act = activations.get(name)
    od = loss.output_delta(name)
    chain = od.proofs[0]
    common.require([chain], f"delta = l'(a) f'(z) for {loss.name} with {name}")
    if od.in_a is None:
        return rf"\(\left({fraction(loss.d_da)}\right) f'(z)\)", "no output form: f'(z) is evaluated from z"
    through_a = od.proofs[1]
    if through_a.ok:
        status = f"✓ proven ({through_a.method})"
    elif all(p.ok for p in act.derived(1).proofs):
        # in_a = cancel(l'(a) g(a)): with f'(z) = g(f(z)) proven, in_a(f(z)) = l'(f(z)) f'(z) = delta
        status = "✓ follows from the proven chain rule and the output form proven piece by piece"
    else:
        raise common.BuildFailure(f"output error of {loss.name} with {name}: {through_a}")
    return rf"\({tex(common.brief(od.in_a))}\)", status


def _vector_row(loss, name):
    gen = general_delta(loss.name, name)
    if gen is not None:
        general, unit = _general_tex(gen)
        formula = rf"\({general}\)" + (rf", \({unit}\) when \(\sum_i y_i = 1\)" if unit else "")
        return formula, f"✓ proven for every n ({', '.join(p.method for p in gen.proofs)})"
    od = vector_delta(loss.name, name)
    return (rf"\(J(z)^T \nabla_a \ell\)",
            f"nothing cancels for every n; written through a and ✓ proven for n = {od.n} ({od.proofs[-1].method})")


def output_error_table(loss):
    """Every registered output activation the loss accepts, with its output error through the outputs."""
    rows = []
    for name in _accepted(loss):
        act = activations.get(name)
        formula, status = _elementwise_row(loss, name) if act.elementwise else _vector_row(loss, name)
        rows.append((f"[{name}](activations/{name}.md)", formula, status))
    return common.table(["output activation", r"\(\delta = \partial \ell / \partial z\) through \(a\)", "status"], rows)


def _functions(fn, seen):
    """``fn`` and the module-level helpers of its own module it calls, each once."""
    out = []
    if fn is None or id(fn) in seen:
        return out
    seen.add(id(fn))
    out.append(fn)
    module = inspect.getmodule(fn)
    for name in getattr(getattr(fn, "__code__", None), "co_names", ()):
        helper = getattr(module, name, None)
        if inspect.isfunction(helper) and inspect.getmodule(helper) is module and name.startswith("_"):
            out.extend(_functions(helper, seen))
    return out


def _source(fn) -> str:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return f"# {getattr(fn, '__qualname__', fn)!r}: no source available\n"


def impl_code(entry) -> str:
    """The entry's own functions (terms, d_da, each fused form) and the helpers they call, as they are in impl."""
    seen: set = set()
    functions = _functions(entry.terms, seen) + _functions(entry.d_da, seen)
    for fused in entry.fused.values():
        functions += _functions(fused.terms, seen) + _functions(fused.delta, seen)
    module = inspect.getmodule(entry.terms)
    where = getattr(module, "__name__", "impl.losses")
    return f"\n```python\n# {where}\n" + "\n\n".join(_source(fn).rstrip() for fn in functions) + "\n```\n"


def _fmt(x) -> str:
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return f"**{x}**"
    return f"{x:.10g}"


@functools.lru_cache(maxsize=None)
def saturation_rows(loss_name, act_name):
    """Loss and output error at growing logits: the spec in high precision, impl's fused forms, impl's generic chain.

    An elementwise output is driven to z with the target at its lowest value; a
    vector one gets two units (z, 0) with the target on the second. Either way
    the network is confidently wrong, which is where a rounded output hurts.
    """
    loss, act = losses.get(loss_name), activations.get(act_name)
    im_loss, im_act = _impl_loss(loss_name), _impl_act(act_name)
    low = (im_loss.targets or (0.0, 1.0))[0]
    if act.elementwise:
        value = sp.lambdify((activations.z, y), loss.expr.subs(a, act.expr), "mpmath")
        delta = sp.lambdify((activations.z, y), loss.output_delta(act_name).in_z, "mpmath")

        def exact(t):
            return value(t, low), delta(t, low)
    else:
        od = loss.output_delta(act_name, 2)
        args = list(od.zs) + list(od.ys)
        value = sp.lambdify(args, od.value, "mpmath")
        delta = sp.lambdify(args, od.in_z[0], "mpmath")

        def exact(t):
            point = (t, 0, 0, 1)
            return value(*point), delta(*point)
    rows = []
    for t in SATURATION:
        z = np.array([[t]]) if act.elementwise else np.array([[t, 0.0]])
        yy = np.array([[low]]) if act.elementwise else np.array([[0.0, 1.0]])
        with mpmath.workdps(60 + int(2 * t / math.log(10))):
            ex_value, ex_delta = exact(mpmath.mpf(t))
            ex_value, ex_delta = float(ex_value), float(ex_delta)
        with np.errstate(all="ignore"):
            a_ = im_act.f(z)
            fused_value = float(np.sum(im_loss.loss_terms(z, a_, yy, im_act)))
            generic_value = float(np.sum(im_loss.terms(z, a_, yy, im_act)))
            fused_delta = float(im_loss.delta_out(z, a_, yy, im_act)[0, 0])
            generic_delta = float(im_act.vjp(z, a_, im_loss.d_da(a_, yy))[0, 0])
        rows.append((t, ex_value, fused_value, generic_value, ex_delta, fused_delta, generic_delta))
    return rows


def saturation_table(loss_name, act_name):
    act = activations.get(act_name)
    low = (_impl_loss(loss_name).targets or (0.0, 1.0))[0]
    if act.elementwise:
        setup = f"output `a = {act_name}(z)`, target \\(y = {low:g}\\)"
        d = r"\(\partial \ell / \partial z\)"
    else:
        setup = f"two units with logits \\((z, 0)\\), target \\(y = (0, 1)\\)"
        d = r"\(\partial \ell / \partial z_1\)"
    rows = [(rf"\({t:g}\)", *map(_fmt, rest)) for t, *rest in saturation_rows(loss_name, act_name)]
    return (
        f"\nAt saturation, {setup}: the spec in high precision, impl's fused form, and the generic "
        "chain from the rounded output (\\(\\ell(a, y)\\) and \\(\\ell'(a)\\) fed through the activation's "
        "derivative), which is what any code computes that first rounds \\(a\\) and then takes its log:\n"
        + common.table(
            [r"\(z\)", r"\(\ell\) exact", r"\(\ell\) fused", r"\(\ell\) generic", f"{d} exact", f"{d} fused", f"{d} generic"],
            rows,
        )
        + mark(("measured at build time", "measured"))
    )


def section(name) -> str:
    """The section of one registered loss; every fact comes from its two registry entries."""
    loss = losses.get(name)
    entry = _impl_loss(name)
    accepted = _accepted(loss)
    links = ", ".join(f"[{n}](activations/{n}.md)" for n in accepted)
    k = sp.Symbol("k")
    a_k, y_k = sp.Symbol("a_k", real=True), sp.Symbol("y_k", real=True)
    per_sample = sp.Sum(loss.expr.subs({a: a_k, y: y_k}), (k, 0, sp.Symbol("n") - 1))
    parts = [
        f"\n### `{name}`\n\n",
        _text(loss.description),
        _loss(loss),
        f"\nPer sample, summed over the output units: \\(\\ell = {tex(per_sample)}\\).\n\n",
        f"**Outputs it needs:** {_requirement(loss)}. Registered output activations that qualify: {links}. "
        f"Without `output_activation`, a network with this loss uses `{loss.default_output}`.\n\n",
        "**Output errors:**\n",
        output_error_table(loss),
    ]
    if entry is None:
        parts.append("\n`impl.losses` has no entry for this loss yet.\n")
        return "".join(parts)
    fused = [n for n in entry.fused if n in accepted]
    parts.append(
        "\n**In `impl`:** "
        + (f"targets in \\([{entry.targets[0]:g}, {entry.targets[1]:g}]\\). " if entry.targets else "any real targets. ")
        + ("The loss and \\(\\delta\\) come from closed forms computed from \\(z\\) (fused) for "
           + ", ".join(f"`{n}`" for n in fused) + "; every other output activation takes the generic chain "
           "\\(\\delta = J(z)^T \\partial\\ell/\\partial a\\) (`activation.vjp`)."
           if fused else "No fused forms: \\(\\delta = J(z)^T \\partial\\ell/\\partial a\\) for every output activation (`activation.vjp`).")
        + " The entry's code, with the formula each line computes:\n"
    )
    parts.append(impl_code(entry))
    for act_name in fused:
        parts.append(saturation_table(name, act_name))
    return "".join(parts)


def sections() -> str:
    """One section per name in ``spec.losses.names()``, in registration order."""
    return "".join(section(name) for name in losses.names())


def summary() -> str:
    """One row per registered loss: its formula per unit, what it needs, its default output and impl's fused forms."""
    rows = []
    for name in losses.names():
        loss, entry = losses.get(name), _impl_loss(name)
        fused = ", ".join(f"`{n}`" for n in entry.fused) if entry is not None and entry.fused else "none"
        rows.append((f"[`{name}`](#{name})", rf"\({tex(loss.expr)}\)", _requirement(loss),
                     f"`{loss.default_output}`", fused if entry is not None else "no impl entry"))
    return common.table(["loss", r"\(\ell(a, y)\) per unit", "needs", "default output", "impl's fused forms"], rows)


# --- the lessons ---------------------------------------------------------------------------------


def softmax_ce():
    text = vector_cancellation("ce", "softmax")
    if text is None:
        raise common.BuildFailure("softmax with ce: the spec no longer writes the output error through the outputs")
    return text


def anchor():
    """sigmoid + bce at z = 30 and 40 with y = 0: impl's fused output error against the exact sigmoid(z)."""
    rows = {row[0]: row[1:] for row in saturation_rows("bce", "sigmoid")}
    out = []
    for t in (30.0, 40.0):
        ex_value, fused_value, generic_value, ex_delta, fused_delta, generic_delta = rows[t]
        with mpmath.workdps(80):
            exact = 1 / (1 + mpmath.exp(-t))
        if abs(fused_delta - float(exact)) > np.finfo(float).eps:
            raise common.BuildFailure(f"bce + sigmoid at z = {t}: impl's fused delta {fused_delta} is not sigma(z) = {exact}")
        out.append((rf"\({t:g}\)", mpmath.nstr(exact, 20), repr(fused_delta), _fmt(generic_delta)))
    return common.table(
        [r"\(z\)", r"exact \(\sigma(z)\), 20 digits", "impl, fused (`a - y`)", r"impl, generic \(\ell'(a) f'(z)\)"], out
    ) + mark(("measured at build time", "measured"))


BLOCKS = {
    "sections": sections,
    "summary": summary,
    "softmax-ce": softmax_ce,
    "anchor": anchor,
    "count": lambda: str(len(losses.names())),
    "inline-bce-delta": lambda: rf"\({tex(bce.output_delta('sigmoid').in_a)}\)",
    "inline-mse": lambda: rf"\({tex(mse.expr)}\)",
    "inline-sum-mse": sum_of_losses,
    "mse": mse_block,
    "bce": bce_block,
    "mse-sigmoid": mse_sigmoid,
    "bce-sigmoid": bce_sigmoid,
    "cancellation-status": cancellation_status,
    "reductions": reductions,
}
