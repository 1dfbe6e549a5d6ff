r"""The mistakes `verify` can name: one `Mistake` entry each, in one registry.

A mistake is a variant of the spec's recurrence (`spec.verify.recurrence.Variant`)
placed somewhere in the network, with the words that explain it there. Adding
a diagnosis is adding one entry with `register` (and a gallery file that makes
it): `candidates` turns every entry into the variants to try for a network,
in the registry's order, and `spec.verify.judge` keeps the first that explains
every scenario.

Where an entry is tried (``scope``):

* ``"each layer"``: once per layer, the layer named in the text;
* ``"every layer"``: once, the same change in every layer at once;
* ``"network"``: once, a change that is not about one layer.

When an entry is tried (``phase``), so that simpler explanations come first:
``0`` the slopes, layer after layer; ``1`` whole-network mistakes and the
biases; ``2`` the weight gradient's input; ``3`` another activation's
derivative, tried last because it fits by accident more often.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from spec import activations as spec_activations
from spec.verify import families
from spec.verify import recurrence as vm


@dataclass(frozen=True)
class Context:
    """The network a diagnosis is sought for: its activations, depth, biases and how it is driven."""

    hidden: object  # one activation, or a tuple with one per hidden layer
    output: object
    depth: int
    has_biases: bool
    sequential: bool = True
    lr_known: bool = False

    @property
    def layers(self) -> list:
        """The layers, hidden ones by number and the output layer as ``"out"`` (the same name at every depth)."""
        return [*range(1, self.depth), "out"]

    def act(self, layer):
        """The activation of ``layer``."""
        if layer == "out":
            return self.output
        return self.hidden[layer - 1] if isinstance(self.hidden, tuple) else self.hidden


def where(layer) -> str:
    """``"the output layer"`` or ``"hidden layer 2"``."""
    return "the output layer" if layer == "out" else f"hidden layer {layer}"


@dataclass(frozen=True)
class Mistake:
    """One known mistake: the variant it computes, where it can occur, and how it is explained.

    Attributes:
        key: Its name, e.g. ``"f'(a)"``; a candidate's key adds the place (``"f'(a) 2"``).
        scope: ``"each layer"``, ``"every layer"`` or ``"network"`` (see the module docstring).
        phase: When it is tried (0 to 3, see the module docstring); registration order within a phase.
        variant: ``(context, layer, option) -> Variant``: the recurrence with the mistake
            (``layer`` None for the other scopes).
        explain: ``(context, layer, option) -> str``: the diagnosis in words.
        applies: ``(context, layer, option) -> bool``: whether it can occur there (default: always).
        options: ``(context, layer) -> list``: the mistake's alternatives at one place (another
            activation whose derivative is used, say); ``[None]`` for a mistake without any.
        note: ``(context, layer, option) -> str``: words appended to the diagnosis where the
            outputs are the activation's own (not when the code is read as returning logits).
        same_numbers_as: The key of a mistake that gives the same numbers on a vector output
            activation and whose diagnosis says so; this one is then not said alongside it.
    """

    key: str
    scope: str
    phase: int
    variant: Callable
    explain: Callable
    applies: Callable = lambda ctx, layer, option: True
    options: Callable = lambda ctx, layer: [None]
    note: Callable = lambda ctx, layer, option: ""
    same_numbers_as: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A mistake at one place in one network: the variant to try and its diagnosis."""

    mistake: Mistake
    layer: object
    variant: vm.Variant
    short: str  # the diagnosis without the mistake's note
    note: str
    shadowed_by: str | None = None  # a mistake's key whose diagnosis already covers these numbers

    @property
    def text(self) -> str:
        """The whole diagnosis: the mistake and its note."""
        return self.short + self.note


#: Every mistake, in registration order.
REGISTRY: list[Mistake] = []


def register(mistake: Mistake) -> Mistake:
    """Add ``mistake`` to the registry (after those of its phase registered before it)."""
    if any(m.key == mistake.key and m.scope == mistake.scope for m in REGISTRY):
        raise ValueError(f"a mistake {mistake.key!r} ({mistake.scope}) is registered already")
    REGISTRY.append(mistake)
    return mistake


def candidates(ctx: Context) -> list[Candidate]:
    """Every registered mistake at every place it applies in ``ctx``'s network, simplest first.

    Layer-scoped phases go layer after layer (all of layer 1's mistakes, then
    layer 2's); in phase 1, a mistake's every-layer form comes before its
    one-layer forms.
    """
    out = []
    for phase in sorted({m.phase for m in REGISTRY}):
        mistakes = [m for m in REGISTRY if m.phase == phase]
        if phase == 1:
            # mistake after mistake: the whole-network form, then layer by layer
            places = [(m, layer) for m in mistakes
                      for layer in ([None] if m.scope != "each layer" else ctx.layers)]
        else:
            places = [(m, layer) for layer in ctx.layers for m in mistakes if m.scope == "each layer"]
            places += [(m, None) for m in mistakes if m.scope != "each layer"]
        for m, layer in places:
            for option in m.options(ctx, layer):
                if not m.applies(ctx, layer, option):
                    continue
                vector = layer is not None and not ctx.act(layer).elementwise
                out.append(Candidate(m, layer, m.variant(ctx, layer, option), m.explain(ctx, layer, option),
                                     m.note(ctx, layer, option), m.same_numbers_as if vector else None))
    return out


# --- helpers for the entries ----------------------------------------------------------------------


def _g(act):
    """The activation's derivative written through its output, g(a) (a (1 - a) for the sigmoid), in words, or None."""
    return None if act.output_form is None else spec_activations.pretty(act.output_form)


def _has_g_of_a(act) -> bool:
    """Whether f'(z) = g(f(z)) with a g that really uses a (so that giving it z is a distinct mistake)."""
    return act.elementwise and vm.has_output_form(act) and act.output_form.has(spec_activations.a)


def _g_as_coded(act) -> str:
    """``act``'s g(a) in words; where g is proven only on part of the reals (ReLU's, on a >= 0), the
    derivative at a that code applying it to any outputs computes ((a > 0) for ReLU): see `recurrence._slope`."""
    form = act.output_form
    if isinstance(form, sp.Piecewise):
        covered = sp.Union(*(cond.as_set() for _, cond in form.args))
        if covered != sp.S.Reals:
            return spec_activations.pretty(act.derived(1).expr.subs(spec_activations.z, spec_activations.a))
    return spec_activations.pretty(form)


def _elementwise(ctx, layer, option=None) -> bool:
    """Whether the layer's activation is elementwise (a slope f' per entry)."""
    return ctx.act(layer).elementwise


def _one_layer(key, how):
    """A variant maker: the slope ``how`` (`recurrence.SLOPES`) in one layer."""
    return lambda ctx, layer, option: vm.Variant(f"{key} {layer}", slope=((layer, how),))


def _every_layer(key, how):
    """A variant maker: the slope ``how`` in every layer."""
    return lambda ctx, layer, option: vm.Variant(f"{how} all", slope=tuple((l, how) for l in ctx.layers))


# --- the slopes, layer by layer (phase 0) ---------------------------------------------------------

register(Mistake(
    "g(z)", "each layer", 0, _one_layer("g(z)", "g(z)"),
    lambda ctx, l, _: (f"in {where(l)}, the derivative written through the output, g(a) = {_g(ctx.act(l))} for "
                       f"{ctx.act(l).name}, is given z instead of the layer's output a: compute it as g(a) with "
                       f"a = {ctx.act(l).name}(z), or use f'(z) itself"),
    applies=lambda ctx, l, _: _has_g_of_a(ctx.act(l)) and _g(ctx.act(l)) is not None,
))

register(Mistake(
    "f'(a)", "each layer", 0, _one_layer("f'(a)", "f'(a)"),
    lambda ctx, l, _: (f"in {where(l)}, the derivative f'(z) of {ctx.act(l).name} is evaluated at the layer's output "
                       "a instead of at z" + (f": use f'(z), or its output form g(a) = {_g(ctx.act(l))}"
                                              if _g(ctx.act(l)) else ": use f'(z)")),
    applies=_elementwise,
))


def _closed_twice(act):
    """``(family, closed text)`` of the first loss after the vector ``act`` whose closed output error holds its Jacobian."""

    for family in families.accepted_families(act):
        closed = families._closed_text(family, act)
        if closed is not None and family.divides_by_output:
            return family, closed
    return None


def _twice_text(ctx, l, _):
    """The softmax-style Jacobian applied on top of an error that already holds it."""

    act = ctx.act(l)
    family, closed = _closed_twice(act)
    return (f"in the output layer, {act.name}'s derivative is applied twice: the output error of "
            f"{families.loss_words(family)} after {act.name} is already delta = {closed} (the Jacobian cancels in it), "
            f"and the code multiplies it by the Jacobian's diagonal {families._jacobian_diagonal_text(act)} once more: "
            f"use delta = {closed}")


def _twice_note(ctx, l, _):
    """Another loss (squared error after softmax) reads the same numbers: said where the outputs are softmax's."""

    family, _ = _closed_twice(ctx.act(l))
    others = families.same_error_without_slope(family, ctx.act(l))
    return (f" (read as {families.loss_words(others[0], 'short')} instead, the same numbers take only the Jacobian's "
            "diagonal for the whole Jacobian: wrong too)" if others else "")


register(Mistake(
    "twice", "each layer", 0, _one_layer("twice", "twice"), _twice_text, note=_twice_note,
    applies=lambda ctx, l, _: not ctx.act(l).elementwise and _closed_twice(ctx.act(l)) is not None,
))


def _missing_text(ctx, l, _):
    """The activation's derivative (or vector Jacobian) left out of one layer's error."""
    act = ctx.act(l)
    if not act.elementwise:
        return (f"the {act.name} Jacobian is missing in the output error: delta must be J^T dL/da (every output "
                "depends on every z of the layer), not dL/da itself")
    return (f"the activation derivative ({act.name}') is missing in the error term of {where(l)}: "
            + ("delta must be dL/da * f'(z)" if l == "out" else f"delta({l}) must be W({l + 1})^T delta({l + 1}) * f'(z({l}))"))


register(Mistake("missing", "each layer", 0, _one_layer("missing", "1"), _missing_text))


# --- whole-network mistakes and the biases (phase 1) ----------------------------------------------

register(Mistake(
    "g(z)", "every layer", 1, _every_layer("g(z)", "g(z)"),
    lambda ctx, l, _: ("in every layer, the derivative written through the output (e.g. x * (1 - x) for the sigmoid) "
                       "is given z instead of the layer's output a"),
    applies=lambda ctx, l, _: (ctx.depth > 1 and ctx.output.elementwise
                               and all(vm.has_output_form(ctx.act(m)) for m in ctx.layers)),
))

register(Mistake(
    "f'(a)", "every layer", 1, _every_layer("f'(a)", "f'(a)"),
    lambda ctx, l, _: "in every layer, f'(z) is evaluated at the layer's output a instead of at z",
    applies=lambda ctx, l, _: ctx.depth > 1 and ctx.output.elementwise,
))

register(Mistake(
    "missing", "every layer", 1, _every_layer("missing", "1"),
    lambda ctx, l, _: "the activation derivative is missing in every error term",
    applies=lambda ctx, l, _: ctx.depth > 1,
))

register(Mistake(
    "raw error", "network", 1, lambda ctx, l, _: vm.Variant("raw error", raw_error=True),
    lambda ctx, l, _: ("the error passed back from the output layer is its raw error dL/da (e.g. y - output) instead "
                       "of delta = dL/da * f'(z): multiply by the output's derivative before passing it back"),
    applies=lambda ctx, l, _: ctx.depth > 1,
))

#: How a wrong reduction of delta into a bias gradient reads.
_BIAS_TEXTS = {
    "mean": "averaged over the samples while the weights' are summed: sum delta over the samples",
    "first": "taken from the first sample only: sum delta over all samples",
    "all": "summed over the units as well as the samples (a sum without axis)",
    "N": "summed over the samples while the weights' are averaged (divided by N): divide both by N, or neither",
}

for _how, _text in _BIAS_TEXTS.items():
    register(Mistake(
        f"bias {_how}", "every layer", 1,
        lambda ctx, l, _, how=_how: vm.Variant(f"bias {how} all", bias=tuple((m, how) for m in ctx.layers)),
        lambda ctx, l, _, text=_text: f"the biases' gradients (every layer) are {text}",
        applies=lambda ctx, l, _: ctx.has_biases,
    ))
    register(Mistake(
        f"bias {_how}", "each layer", 1,
        lambda ctx, l, _, how=_how: vm.Variant(f"bias {how} {l}", bias=((l, how),)),
        lambda ctx, l, _, text=_text: f"the bias gradient of {where(l)} is {text}",
        applies=lambda ctx, l, _: ctx.has_biases,
    ))

register(Mistake(
    "stale", "network", 1, lambda ctx, l, _: vm.Variant("stale", stale=True),
    lambda ctx, l, _: ("the error of a lower layer is computed with the weights above it already updated: "
                       "compute every delta before changing any weight"),
    applies=lambda ctx, l, _: ctx.depth > 1,
))

register(Mistake(
    "stale activations", "network", 1, lambda ctx, l, _: vm.Variant("stale activations", stale_activations=True),
    lambda ctx, l, _: ("the per-sample loop reuses activations from one forward pass made before it: recompute the "
                       "forward pass for each sample after the previous update"),
    applies=lambda ctx, l, _: ctx.sequential,
))


# --- the weight gradient's input (phase 2) --------------------------------------------------------

register(Mistake(
    "input z", "each layer", 2, lambda ctx, l, _: vm.Variant(f"input z {l}", input_z=(l,)),
    lambda ctx, l, _: (f"the weight gradient of {where(l)} takes the layer below's pre-activation z instead of its "
                       "output a: dW = delta a_below^T"),
    applies=lambda ctx, l, _: l != 1 and ctx.act(l).elementwise,
))

register(Mistake(
    "untransposed", "each layer", 2, lambda ctx, l, _: vm.Variant(f"untransposed {l}", untransposed=(l,)),
    lambda ctx, l, _: (f"the error sent back from {where(l)} is multiplied by its weight matrix W instead of "
                       "its transpose: the layer below's error is (W^T delta) * f'(z) (a square W hides the "
                       "mistake's shape)"),
    applies=lambda ctx, l, _: l != 1,
))

register(Mistake(
    "transposed gradient", "every layer", 2,
    lambda ctx, l, _: vm.Variant("transposed gradient all", transposed_grad=tuple(ctx.layers)),
    lambda ctx, l, _: ("every weight gradient is transposed: dW = (a_below delta^T) where the spec's is "
                       "delta a_below^T (square weight matrices hide the shape mistake)"),
))

register(Mistake(
    "transposed gradient", "each layer", 2,
    lambda ctx, l, _: vm.Variant(f"transposed gradient {l}", transposed_grad=(l,)),
    lambda ctx, l, _: (f"the weight gradient of {where(l)} is transposed: dW = (a_below delta^T) where the spec's "
                       "is delta a_below^T (a square weight matrix hides the shape mistake)"),
))


register(Mistake(
    "dW without slope", "each layer", 2, lambda ctx, l, _: vm.Variant(f"dW without slope {l}", dw_without_slope=(l,)),
    lambda ctx, l, _: (f"the weight gradient of {where(l)} is taken from the error before {ctx.act(l).name}'s slope "
                       "(dW = dL/da a_below^T, where the spec's is delta a_below^T with delta = dL/da * f'(z)); its "
                       "bias gradient and the error sent further down have the slope: use delta for dW too"),
    applies=lambda ctx, l, _: ctx.act(l).elementwise and ctx.act(l).name != "identity",
))

register(Mistake(
    "mask of the gradient", "each layer", 2, _one_layer("mask of the gradient", "mask(g)"),
    lambda ctx, l, _: (f"in {where(l)}, the ReLU's mask is taken from the incoming gradient (zeroed where it is <= 0) "
                       "instead of from the layer's input: zero the gradient where z <= 0 (the ReLU's derivative is "
                       "1 where z > 0, whatever the gradient's sign)"),
    applies=lambda ctx, l, _: l != "out" and ctx.act(l).name == "relu",
))


# --- another activation's derivative (phase 3) ----------------------------------------------------


def _other_activations(ctx, layer):
    """The other elementwise activations whose g(a) really uses a (the sigmoid's a (1 - a), say)."""
    act = ctx.act(layer)
    return [other for other in map(spec_activations.get, spec_activations.names(elementwise=True))
            if other.name != act.name and _has_g_of_a(other)]


def _other_text(ctx, l, other):
    """Another activation's derivative used in this layer."""
    act, form = ctx.act(l), _g_as_coded(other)
    if not act.elementwise:

        return (f"the output layer is {act.name}, but its derivative is taken entry by entry as {other.name}'s, "
                f"g(a) = {form}: {act.name}'s outputs depend on the whole layer, so delta = J^T dL/da with the "
                f"whole Jacobian (its diagonal is {families._jacobian_diagonal_text(act)}, its other entries are not 0)")
    g = _g(act)
    return (f"{where(l)} is {act.name}, but its derivative is {other.name}'s, g(a) = {form}: "
            f"use {act.name}'s" + (f", g(a) = {g}" if g else ""))


register(Mistake(
    "other g(a)", "each layer", 3,
    lambda ctx, l, other: vm.Variant(f"{other.name} g(a) {l}", slope=((l, vm.OtherSlope(other.name)),)),
    _other_text,
    options=_other_activations,
    same_numbers_as="twice",  # on softmax, a (1 - a) after a - y is the Jacobian applied twice
))


# --- the step itself (phase 1) --------------------------------------------------------------------

register(Mistake(
    "bias without lr", "each layer", 1,
    lambda ctx, l, _: vm.Variant(f"bias without lr {l}", no_lr=(("b", l),)),
    lambda ctx, l, _: (f"the bias of {where(l)} is updated without the learning rate (b -= db): "
                       "multiply its step by the learning rate, b -= lr * db"),
    applies=lambda ctx, l, _: ctx.has_biases and ctx.lr_known,
))
