r"""The updates `verify` expects: the spec's recurrence, its conventions, and its known mistakes.

Everything here is in the column layout of the math, whatever the user's code
uses: ``W[l]`` has shape \((n_l, n_{l-1})\), ``b[l]`` shape \((n_l,)\) (or
``None`` for code without biases), ``X`` shape (features, samples). Layers
count from 1 to \(D\); index 0 of every list is unused.

A *variant* is one way of computing the gradient: the spec's

$$
\delta^{(D)} = J_D(z^{(D)})^T \frac{\partial \ell}{\partial a^{(D)}}
  \;\Bigl(= \frac{\partial \ell}{\partial a^{(D)}} \odot f_D'(z^{(D)}) \text{ elementwise}\Bigr), \qquad
\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot f_l'(z^{(l)}), \qquad
\frac{\partial L}{\partial W^{(l)}} = \delta^{(l)} (a^{(l-1)})^T, \qquad
\frac{\partial L}{\partial b^{(l)}} = \delta^{(l)} \mathbf 1,
$$

or the same with one known mistake in one place: the slope \(f'\) taken at
the wrong argument or left out in one layer, the biases' gradient not summed
over the samples, the hidden error computed from already-updated weights,
a softmax's Jacobian applied twice. Hidden layers are elementwise; the output
layer may be a vector activation (softmax), whose error is \(J^T \nabla_a\ell\).

The loss is a *family*, one per entry of `spec.losses` (`families`); its
*convention* (half or whole sum of squares, mean over samples or over every
entry) is a positive factor on the output error, and how the samples are
used is a *mode*: one step on the whole batch, or one step per sample in turn.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from spec import numeric

#: How a layer's slope is computed: the spec's f'(z), or a known mistake.
SLOPES = ("f'(z)", "g(z)", "f'(a)", "1", "twice", "mask(g)")  # mask(g): 1 where the incoming error is > 0


@dataclass(frozen=True)
class OtherSlope:
    """A layer's slope taken from another activation: its g(a) (the sigmoid's a (1 - a) after a tanh, say) or f'(z)."""

    activation: str  # the other activation's registry name
    form: str = "g(a)"  # "g(a)": its derivative through the layer's output; "f'(z)": its derivative at z
#: How a layer's bias gradient reduces delta over the samples: the spec's sum, or a mistake.
BIAS_REDUCTIONS = ("sum", "mean", "first", "all", "N")


@dataclass(frozen=True)
class Variant:
    """The spec's recurrence (all defaults) or one known mistake in it.

    Attributes:
        key: A short identifier, e.g. ``"slope g(z) layer 2"``.
        slope: Per layer, how f' is computed (`SLOPES`); layers not named use f'(z).
        bias: Per layer, how db sums delta over samples (`BIAS_REDUCTIONS`).
        stale: delta of layer l is computed with W of layer l+1 after its update.
        stale_activations: (per-sample updates only) every sample's gradient uses the
            activations of one forward pass made before the loop.
        raw_error: the output layer's error is passed back to the layer below before
            its slope is applied (the hidden error from a - y instead of from delta).
    """

    key: str = "spec"
    slope: tuple = ()
    bias: tuple = ()
    stale: bool = False
    stale_activations: bool = False
    raw_error: bool = False
    input_z: tuple = ()  # layers whose weight gradient takes z of the layer below instead of its output a
    no_lr: tuple = ()  # parameters ("W" or "b", layer) whose update leaves out the learning rate (b -= db)
    untransposed: tuple = ()  # layers whose square W sends the error down as W delta instead of W^T delta
    transposed_grad: tuple = ()  # layers whose square W's gradient is taken transposed: (delta a^T)^T
    dw_without_slope: tuple = ()  # layers whose weight gradient takes the error before the slope (dL/da a^T)

    # Layers are named by their number for hidden layers and "out" for the output layer,
    # so that one variant means the same place in networks of different depths.

    def slope_at(self, l: int, D: int) -> str:
        return dict(self.slope).get("out" if l == D else l, "f'(z)")

    def bias_at(self, l: int, D: int) -> str:
        return dict(self.bias).get("out" if l == D else l, "sum")

    def lr_of(self, kind: str, l: int, D: int, lr) -> float:
        """What divides the step of parameter ``kind`` of layer ``l``: the learning rate where it is left out, else 1."""
        return lr if (kind, "out" if l == D else l) in self.no_lr else 1.0


SPEC = Variant()


class Family:
    r"""A registered loss (`spec.losses`) as `verify` uses it: its entry's \(\partial\ell/\partial a\),
    what it requires of the outputs, and its closed-form output error where one is proven.

    Everything comes from the spec entry, so a loss added to the registry is a
    family here with no edit: `families` lists one per ``spec.losses.names()``.

    Attributes:
        loss: The `spec.losses.Loss` entry.
        name: Its registry name.
        coefficient: The constant factor the entry's expression is written with
            (1/2 for ``mse``: \((a - y)^2 / 2\)), 1 when there is none; a
            convention that drops it is a convention of the same loss.
    """

    def __init__(self, loss):
        import sympy as sp

        from spec.activations import a as a_symbol
        from spec.losses import y as y_symbol

        self.loss, self.name = loss, loss.name
        coefficient, _ = sp.sympify(loss.expr).as_coeff_Mul()
        self.coefficient = coefficient if coefficient.is_Rational and coefficient > 0 else sp.Integer(1)
        # dl/da for one output entry, lambdified from the entry's d_da (derived there by sympy.diff)
        fn = sp.lambdify((a_symbol, y_symbol), loss.d_da, modules=["scipy", "numpy"], cse=True)
        self._dl_da = lambda a, y: np.broadcast_to(fn(a, y), np.broadcast_shapes(np.shape(a), np.shape(y))).astype(float)
        # The generic delta = J^T dl/da divides by the output where d_da has a in its denominator
        # (bce: a (1 - a), ce: a) and loses every digit as a saturates; there the spec's closed form is used.
        self.divides_by_output = bool(sp.denom(sp.together(loss.d_da)).has(a_symbol))
        value = sp.lambdify((a_symbol, y_symbol), loss.expr, modules=["scipy", "numpy"], cse=True)
        self._value = lambda a, y: np.broadcast_to(value(a, y), np.broadcast_shapes(np.shape(a), np.shape(y)))

    def value(self, a, y) -> float:
        """The loss summed over every output entry and sample (the entry's expression, entry by entry)."""
        with np.errstate(all="ignore"):
            return float(np.sum(self._value(a, y)))

    def __repr__(self) -> str:
        return f"Family({self.name!r})"

    def dl_da(self, a, y):
        r"""\(\partial \ell / \partial a\) entry by entry (every registered loss is a sum over the output units)."""
        return self._dl_da(a, y)

    def accepts(self, act) -> bool:
        """Whether the loss's declared requirement (``requires``) admits ``act``'s outputs."""
        return self.loss.accepts(act)

    def delta(self, act, z, a, y):
        r"""The spec's output error \(\delta = J(z)^T \nabla_a \ell\) (\(\ell'(a) f'(z)\) for an elementwise ``act``).

        Through the spec's proven closed form (sigmoid with BCE: \(a - y\);
        softmax with cross-entropy: \(a \sum_k y_k - y\)) where the generic
        product would divide by the output.
        """
        closed = self.closed_delta(act, z.shape[0]) if self.divides_by_output else None
        if closed is not None:
            return closed(a, y)
        return vjp(act, z, self.dl_da(a, y))

    def closed_delta(self, act, n: int):
        """``(a, y) -> delta`` from the spec's proven output error written through the outputs, or None."""
        if not self.accepts(act):
            return None
        if act.elementwise:
            return _closed_elementwise(self.loss, act)
        return _closed_vector(self.loss, act, n)


@functools.lru_cache(maxsize=None)
def _closed_elementwise(loss, act):
    import sympy as sp

    from spec.activations import a as a_symbol
    from spec.losses import y as y_symbol

    od = loss.output_delta(act.name)
    if od.in_a is None or not od.ok:
        return None
    fn = sp.lambdify((a_symbol, y_symbol), od.in_a, modules=["scipy", "numpy"], cse=True)
    return lambda a, y: np.broadcast_to(fn(a, y), np.broadcast_shapes(np.shape(a), np.shape(y))).astype(float)


@functools.lru_cache(maxsize=None)
def _closed_vector(loss, act, n: int):
    """The vector output error through the outputs: the spec's general form (any n) if it has one, else for n units."""
    general = _closed_general(loss, act)
    if general is not None:
        return general
    import sympy as sp

    od = loss.output_delta(act.name, n)
    if od.in_a is None or not od.ok:
        return None
    fn = sp.lambdify(list(od.As) + list(od.ys), list(od.in_a), modules=["scipy", "numpy"], cse=True)

    def delta(a, y):
        return np.stack(np.broadcast_arrays(*fn(*a, *y))).astype(float)

    return delta


@functools.lru_cache(maxsize=None)
def _closed_general(loss, act):
    r"""The spec's output error for any number of units (`spec.losses.general_output_delta`), in NumPy, or None.

    Its form is an expression in the unit's own \(a_k\), \(y_k\) and sums
    \(\sum_{i=0}^{n-1} h(a_i, y_i)\) over the layer (softmax with cross-entropy:
    \(a_k \sum_i y_i - y_k\)); each sum becomes a column sum over the units
    (axis 0), the rest is lambdified entry by entry.
    """
    import sympy as sp

    from spec import activations, losses

    try:
        general = losses.general_output_delta(loss.name, act.name)
    except (ValueError, NotImplementedError):
        return None
    if general.in_a is None or not general.ok:
        return None
    A, Y, k, n = losses.A, losses.Y, activations.k, activations.n
    a_, y_ = sp.Symbol("a_"), sp.Symbol("y_")
    sums, expr = [], general.in_a
    for s in sorted(expr.atoms(sp.Sum), key=sp.default_sort_key):
        if len(s.limits) != 1:
            return None
        index, low, high = s.limits[0]
        if low != 0 or sp.simplify(high - (n - 1)) != 0:
            return None
        summand = s.function.xreplace({A[index]: a_, Y[index]: y_})
        if summand.free_symbols - {a_, y_} or summand.atoms(sp.Indexed):
            return None
        symbol = sp.Symbol(f"s_{len(sums)}")
        sums.append((symbol, sp.lambdify((a_, y_), summand, modules=["scipy", "numpy"])))
        expr = expr.xreplace({s: symbol})
    expr = expr.xreplace({A[k]: a_, Y[k]: y_})
    if expr.free_symbols - {a_, y_} - {s for s, _ in sums} or expr.atoms(sp.Indexed):
        return None
    fn = sp.lambdify((a_, y_, *[s for s, _ in sums]), expr, modules=["scipy", "numpy"])

    def delta(a, y):
        # each sum over the layer's units i = 0 .. n-1: axis 0, one per sample
        totals = [np.broadcast_to(h(a, y), np.broadcast_shapes(a.shape, y.shape)).sum(axis=0, keepdims=True)
                  for _, h in sums]
        return np.broadcast_to(fn(a, y, *totals), np.broadcast_shapes(a.shape, y.shape)).astype(float)

    return delta


@functools.lru_cache(maxsize=None)
def _family_of(loss) -> Family:
    return Family(loss)


def family(name: str) -> Family:
    """The family of the registered loss ``name`` (a ValueError naming the choices for an unknown one)."""
    from spec import losses

    return _family_of(losses.get(name))


def families() -> list[Family]:
    """One family per registered loss, in the registry's order (``spec.losses.names()``)."""
    from spec import losses

    return [_family_of(losses.get(name)) for name in losses.names()]


def vjp(act, z, grad):
    r"""\(J(z)^T \cdot\) ``grad`` column by column: ``grad * f'(z)`` for an elementwise ``act``."""
    return numeric.vjp(act, z, grad)


def jacobian_diagonal(act, z):
    """d a_i / d z_i for every unit (f'(z) for an elementwise ``act``; a_i (1 - a_i) for softmax)."""
    if act.elementwise:
        return act.derived(1).numpy(z)
    return np.einsum("iis->is", act.numpy_jacobian(z))


@dataclass
class Net:
    """A network in the math's layout: activations per layer (spec objects), W[l], b[l]."""

    acts: list  # acts[l] for l = 1..D (index 0 unused)
    W: list
    b: list  # b[l] is None for code without biases

    @property
    def D(self) -> int:
        return len(self.W) - 1

    def copy(self) -> "Net":
        return Net(self.acts, [None if w is None else w.copy() for w in self.W],
                   [None if v is None else v.copy() for v in self.b])

    def forward(self, X, skip_biases=()):
        """``(z, a)`` lists: ``a[0] = X`` (features, samples), ``z[l]``, ``a[l]`` of shape (n_l, samples).

        ``skip_biases``: layers whose bias is left out (to recognise code that forgets it).
        """
        return numeric.forward(self.W, self.b, self.acts, X, skip_biases)


@functools.lru_cache(maxsize=None)
def _output_form(act):
    """g with f'(z) = g(f(z)) as a NumPy function, or None."""
    if act.output_form is None:
        return None
    import sympy as sp

    from spec.activations import a as a_symbol

    g = sp.lambdify(a_symbol, act.output_form, modules=["scipy", "numpy"])
    return lambda v: np.broadcast_to(g(v), np.shape(v)).astype(float)


def has_output_form(act) -> bool:
    return _output_form(act) is not None


def _slope(act, how, z, a):
    """The slope of one layer computed as ``how`` (one of `SLOPES`, or an `OtherSlope`)."""
    if isinstance(how, OtherSlope):
        # another activation's derivative: the sigmoid's g(a) is a (1 - a) whatever this layer's f is
        from spec import activations

        other = activations.get(how.activation)
        if how.form != "g(a)":
            return other.derived(1).numpy(z)
        # g(a) is proven only on the other activation's range: ReLU's g is 1 for a > 0 and 0 at 0,
        # undefined below. Code that applies it to this layer's outputs writes it as a mask
        # ((a > 0) for ReLU), which is the other activation's f' evaluated at a: used where g is undefined.
        g = _output_form(other)(a)
        return np.where(np.isnan(g), other.derived(1).numpy(a), g)
    if how == "f'(z)":
        return act.derived(1).numpy(z)
    if how == "g(z)":
        # the output-form derivative (a (1 - a) for the sigmoid) given z instead of a
        return _output_form(act)(z)
    if how == "f'(a)":
        return act.derived(1).numpy(a)
    return np.ones_like(z)


def output_error(act, how: str, family: Family, z, a, Y):
    r"""\(\delta^{(D)}\) (without the convention's factor) with the output layer's slope computed as ``how``.

    ``"f'(z)"`` is the spec's \(J^T \nabla_a\ell\); ``"twice"`` the known
    mistake of multiplying that error, which already holds the activation's
    Jacobian (\(a - y\) for softmax with cross-entropy), by the Jacobian's
    diagonal once more (\(a(1 - a)\)); the others multiply \(\partial\ell/\partial a\)
    entry by entry by a slope (`SLOPES`, another activation's, or 1).
    """
    if how == "f'(z)":
        return family.delta(act, z, a, Y)
    if how == "twice":
        return family.delta(act, z, a, Y) * jacobian_diagonal(act, z)
    return family.dl_da(a, Y) * _slope(act, how, z, a)


def _reduce_bias(delta, how: str):
    if how == "sum":
        return delta.sum(axis=1)
    if how == "mean":
        return delta.mean(axis=1)
    if how == "first":
        return delta[:, 0]
    if how == "N":
        # summed where the weights' gradient is averaged: N times the bias's share of a mean
        return delta.sum(axis=1) * delta.shape[1]
    return np.full(delta.shape[0], delta.sum())  # "all": summed over the layer's units as well


def gradients(net: Net, X, Y, family: Family, variant: Variant = SPEC, c: float = 1.0, lr=None, cached=None):
    """``(dW, db)`` of the summed loss (times ``c``) under ``variant``; lists indexed from 1.

    ``cached`` is a forward pass ``(z, a)`` to use instead of a fresh one (stale
    activations); ``lr`` is needed by the stale-weights variant only.
    """
    q = quantities(net, X, Y, family, variant, c, lr, cached)
    return q["dW"], q["db"]


def quantities(net: Net, X, Y, family: Family, variant: Variant = SPEC, c: float = 1.0, lr=None, cached=None) -> dict:
    """Every quantity of one backprop pass under ``variant``, lists indexed from 1 (`gradients` keeps two).

    ``z``, ``a`` (``a[0]`` is X), ``dl_da`` (the output's dL/da, times ``c``), ``delta``,
    ``sent`` (``sent[l]`` = W[l+1]^T delta[l+1], what layer l receives before its slope),
    ``dW`` and ``db``: what `spec.verify.locate` compares a code's lines with.
    """
    D = net.D
    z, a = cached if cached is not None else net.forward(X)
    # delta(D) = c * J(z(D))^T dl/da(D), c * dl/da(D) * f'(z(D)) for an elementwise output; for sigmoid with
    # binary cross-entropy that is c (a - y) exactly, for softmax with cross-entropy c (a sum(y) - y)
    delta_D = c * output_error(net.acts[D], variant.slope_at(D, D), family, z[D], a[D], Y)
    sent, slope = [None] * (D + 1), [None] * (D + 1)
    if net.acts[D].elementwise and variant.slope_at(D, D) != "twice":
        slope[D] = _slope(net.acts[D], variant.slope_at(D, D), z[D], a[D])

    def error(l, g):
        # delta(l) = (W(l+1)^T delta(l+1)) * the slope the variant takes at layer l
        sent[l] = g
        how = variant.slope_at(l, D)
        # mask(g): a ReLU's mask taken from the incoming error (dvalues > 0) instead of from z
        slope[l] = (g > 0).astype(float) if how == "mask(g)" else _slope(net.acts[l], how, z[l], a[l])
        return g * slope[l]

    # the plain recurrence (spec.numeric), with the variant's mistake planted through its hooks
    delta, dW, db = numeric.backward(
        net.W, net.b, net.acts, z, a, delta_D,
        error=error,
        # the raw-error mistake: the output's dl/da passed back instead of delta(D)
        sent=(lambda l, d: c * family.dl_da(a[D], Y) if l == D else d) if variant.raw_error else None,
        # the stale mistake: W(l) already moved by -lr dL/dW(l) when delta(l-1) is computed; the untransposed
        # one: a square W(l) used where the recurrence has its transpose
        weights_back=(lambda l, g: _weights_back(net, variant, l, g, lr)) if variant.stale or variant.untransposed
        else None,
        # the input-z mistake: dW(l) from z(l-1) instead of a(l-1)
        inputs=lambda l: z[l - 1] if l > 1 and ("out" if l == D else l) in variant.input_z else a[l - 1],
        bias_sum=lambda l, d: _reduce_bias(d, variant.bias_at(l, D)),
    )
    for l in range(1, D + 1):
        if ("out" if l == D else l) in variant.dw_without_slope:
            # the weight gradient from the error before the slope (dA a^T where the spec has dZ a^T); db keeps it
            before = c * family.dl_da(a[D], Y) if l == D else sent[l]
            dW[l] = before @ (z[l - 1] if l > 1 and ("out" if l == D else l) in variant.input_z else a[l - 1]).T
        if ("out" if l == D else l) in variant.transposed_grad and dW[l].shape[0] == dW[l].shape[1]:
            # the transposed-gradient mistake: a square W moved by (delta a^T)^T, the shape hiding it
            dW[l] = dW[l].T
    return {"z": z, "a": a, "dl_da": c * family.dl_da(a[D], Y), "delta": delta, "sent": sent, "dW": dW, "db": db,
            "slope": slope}


def _weights_back(net: Net, variant: Variant, l: int, g, lr):
    """The W(l) a variant sends the error down through (`numeric.backward` takes its transpose)."""
    W = net.W[l] - lr * g if variant.stale else net.W[l]
    if ("out" if l == net.D else l) in variant.untransposed and W.shape[0] == W.shape[1]:
        W = W.T  # backward computes W^T delta: with W.T here, the code's W delta
    return W


def expected_update(net: Net, X, Y, family: Family, variant: Variant, step: float, mode: str, lr=None):
    """The change of every parameter after one call: ``(dW, db)`` lists indexed from 1.

    ``step`` multiplies the summed-loss gradient (the learning rate times the
    convention's factor); ``mode`` is ``"batch"`` (one step on all samples),
    ``"mean"`` (one step, divided by the number of samples) or ``"sequential"``
    (one step per sample, in order). ``lr`` is the learning rate inside ``step``,
    needed by a variant that leaves it out of some parameters' updates.
    """
    N, D = X.shape[1], net.D
    if variant.no_lr and not lr:
        raise ValueError("a variant that leaves out the learning rate needs it (lr)")

    def own(kind, l, s):
        # the step of one parameter: s, or s / lr where the code leaves the learning rate out
        return s / variant.lr_of(kind, l, D, lr)

    if mode in ("batch", "mean"):
        scale = step / N if mode == "mean" else step
        # (stale weights move by the step the code takes, whatever its learning rate)
        dW, db = gradients(net, X, Y, family, variant, lr=scale)
        return ([None] + [-own("W", l, scale) * dW[l] for l in range(1, D + 1)],
                [None] + [None if db[l] is None else -own("b", l, scale) * db[l] for l in range(1, D + 1)])
    moving = net.copy()
    cached = net.forward(X) if variant.stale_activations else None
    for n in range(N):
        x, y = X[:, n : n + 1], Y[:, n : n + 1]
        one = None if cached is None else ([None] + [v[:, n : n + 1] for v in cached[0][1:]],
                                           [x] + [v[:, n : n + 1] for v in cached[1][1:]])
        dW, db = gradients(moving, x, y, family, variant, lr=step, cached=one)
        for l in range(1, net.D + 1):
            # theta <- theta - step * dL_n/dtheta, sample after sample
            moving.W[l] = moving.W[l] - own("W", l, step) * dW[l]
            if moving.b[l] is not None:
                moving.b[l] = moving.b[l] - own("b", l, step) * db[l]
    dW = [None] + [moving.W[l] - net.W[l] for l in range(1, net.D + 1)]
    db = [None] + [None if net.b[l] is None else moving.b[l] - net.b[l] for l in range(1, net.D + 1)]
    return dW, db


def fit_step(observed: list, predicted: list, rtol: float = 1e-7) -> float | None:
    """The factor s with observed = s * predicted over all parameters (least squares), if it fits to ``rtol``."""
    o = np.concatenate([np.ravel(v) for v in observed])
    p = np.concatenate([np.ravel(v) for v in predicted])
    with np.errstate(all="ignore"):  # a prediction that overflows fits nothing
        pp, op = float(p @ p), float(o @ p)
    if not np.isfinite(pp) or not np.isfinite(op) or pp == 0 or not np.all(np.isfinite(o)):
        return None
    s = op / pp
    if np.max(np.abs(o - s * p)) <= rtol * max(np.max(np.abs(o)), 1e-300):
        return s
    return None
