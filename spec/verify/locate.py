r"""The line of a mistake: which line of the user's code first departs from the spec.

Once the judge has named a mistake (a `spec.verify.recurrence.Variant`), the
step is run once more with its lines recorded (`spec.verify._child.Recorder`:
every float array each line sets, in the order the lines ran). Each recorded
array is compared, in either layout, with the quantities of one backprop pass
on the same parameters and data (`spec.verify.recurrence.quantities`): the
spec's and the mistake's. The quantities are visited in the order backprop
computes them,

$$
\delta^{(D)},\ \frac{\partial L}{\partial W^{(D)}},\ \frac{\partial L}{\partial b^{(D)}},\
(W^{(D)})^T\delta^{(D)},\ \delta^{(D-1)},\ \dots,\ \frac{\partial L}{\partial b^{(1)}},
$$

and the first one where the mistake's value differs from the spec's is where the
code goes wrong. The line is the first line that holds the mistake's value there
(up to the code's own constant: a sign, the convention's factor, the step) and
holds no quantity of the spec, or whose name says it is that quantity
(``delta2 = a - y``); failing that, the line that updates a parameter whose
update is wrong.

A value is compared up to a constant factor only when it has more than two
entries (a one-sample, one-output error is a single number, proportional to any
other): smaller ones must match with one of the factors code uses (`_factors`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np

from spec.verify import discover, text
from spec.verify import recurrence as vm

#: Relative agreement of a recorded value with a quantity (float64 code; float32 code gets `FLOAT32`).
RTOL = 1e-6
FLOAT32 = 1e-3


@dataclass
class Record:
    """One array a line of the user's code set: ``line`` in the file run, the function, the name, the value."""

    line: int
    function: str
    name: str
    value: np.ndarray


def records_from(raw: list, arrays: list) -> list[Record]:
    """The child's ``[line, function, path key, array index]`` lists as records (malformed entries dropped)."""
    entries = []
    for entry in raw or []:
        try:
            entries.append([*entry[:3], arrays[int(entry[3])]])
        except (ValueError, TypeError, IndexError):
            continue
    return records_of(entries)


def records_of(entries: list) -> list[Record]:
    """``[line, function, path key, array]`` lists as records (malformed entries dropped)."""
    out = []
    for entry in entries:
        try:
            line, function, key, array = entry
            steps = json.loads(key)
            path = tuple({"attr": n} if kind == "attr" else {"key": n} for kind, n in steps)
            out.append(Record(int(line), str(function), discover.path_text(path), np.asarray(array, dtype=np.float64)))
        except (ValueError, TypeError, KeyError):
            continue
    return out


@dataclass(frozen=True)
class Checkpoint:
    """A quantity of the recurrence at one layer: ``kind`` is delta, dW, db or sent."""

    kind: str
    layer: int

    def label(self, D: int) -> str:
        l = self.layer
        return {"delta": f"δ⁽{l}⁾", "dW": f"∂L/∂W⁽{l}⁾", "db": f"∂L/∂b⁽{l}⁾",
                "sent": f"W⁽{l + 1}⁾ᵀδ⁽{l + 1}⁾", "slope": f"f′(z⁽{l}⁾)"}[self.kind]


def checkpoints(D: int, has_bias) -> list[Checkpoint]:
    """The quantities in the order backprop computes them, output layer first."""
    out = []
    for l in range(D, 0, -1):
        out += [Checkpoint("slope", l), Checkpoint("delta", l), Checkpoint("dW", l)]
        out += [Checkpoint("db", l)] if has_bias(l) else []
        if l > 1:
            out.append(Checkpoint("sent", l - 1))
    return out


#: Names that say what a line computes (for a value that is also some other quantity of the spec).
_NAMES = {
    "delta": re.compile(r"delta|^d_?(z|out|o|hid|hidden|h|y|final|l\d|\d|layer|output)(\d|_|$)|_d$|_dz$|"
                        r"^g_?(z|out|o|hid|hidden|h)(\d|_|$)|err(or)?_?term|^grad_?z|dinputs?", re.I),
    "dW": re.compile(r"^d_?w|dweights?|grad_?w|nabla_?w|^g_?w|w_?grad|_dw$|^step_?w", re.I),
    "db": re.compile(r"^d_?b|dbias(es)?|grad_?b|nabla_?b|^g_?b|b_?grad|_db$|^step_?b", re.I),
    "sent": re.compile(r"^$"),
    "slope": re.compile(r"slope|deriv|prime|^d_?act|grad_?act|^d_?sig|^d_?tanh|^d_?relu", re.I),
}


#: Names of an error term that may be the error before or after the slope (l1_error, hidden_error).
_ERROR_NAMES = re.compile(r"err(or)?s?(\d|_|$)|_err", re.I)


def leaf(name: str) -> str:
    """The last step of a name: ``dW1`` of ``self.grads['dW1']``, ``weights`` of ``dense1.weights``."""
    m = re.search(r"\[['\"]?([^\[\]'\"]+)['\"]?\]$", name)
    return m.group(1) if m else name.split(".")[-1].split("[")[0]


def _views(value: np.ndarray, shape: tuple):
    """The recorded value as arrays of the quantity's shape: as stored, and transposed (either layout).

    One number stands for a quantity whose entries are all that number (a sum without an axis, broadcast).
    """
    if value.size == 1 and int(np.prod(shape)) > 1:
        yield np.full(shape, float(value.reshape(())))
        return
    if value.size != int(np.prod(shape)):
        return
    yield value.reshape(shape)
    if value.ndim == 2 and value.shape[0] > 1 and value.shape[1] > 1:
        yield value.T.reshape(shape)


def _factors(step: float, c: float, N: int) -> list[float]:
    """The constants code puts on a quantity: 1, 2, 1/2, 1/N, the convention's c, the step, both signs."""
    base = {1.0, 2.0, 0.5, 1.0 / N, 2.0 / N, c, 1.0 / c if c else 1.0}
    more = {k * s for k in base for s in (1.0, step, step / c if c else step)}
    return sorted({sign * k for k in base | more for sign in (1.0, -1.0)})


class _Compare:
    """Whether a recorded value holds a quantity (up to a constant)."""

    def __init__(self, step, c, N, rtol):
        self.factors, self.rtol = np.array(_factors(step, c, N)), rtol

    def factor(self, value, q):
        """s with value = s q in some layout (any s), or None."""
        qf = np.asarray(q, dtype=np.float64)
        if qf.size < 2 or not np.all(np.isfinite(value)) or not np.any(qf):
            return None  # (one number is proportional to any other)
        for v in _views(value, qf.shape):
            s = float(np.vdot(v, qf) / np.vdot(qf, qf))
            if s != 0.0 and np.max(np.abs(v - s * qf)) <= self.rtol * max(float(np.max(np.abs(v))), 1e-300):
                return s
        return None

    def holds(self, value, q) -> bool:
        if q is None or not np.all(np.isfinite(value)):
            return False
        qf = np.asarray(q, dtype=np.float64)
        scale = float(np.max(np.abs(qf))) if qf.size else 0.0
        if scale == 0.0:
            return False
        for v in _views(value, qf.shape):
            s = float(np.vdot(v, qf) / np.vdot(qf, qf))
            if s == 0.0 or np.max(np.abs(v - s * qf)) > self.rtol * max(float(np.max(np.abs(v))), 1e-300):
                continue
            # (a single number, or a value of two entries, must carry one of the constants code uses)
            if (qf.size > 2 and value.size > 1) or np.any(np.abs(self.factors - s) <= self.rtol * abs(s)):
                return True
        return False


def _differs(x, y) -> bool:
    if x is None or y is None:
        return x is not y
    return bool(np.max(np.abs(x - y)) > 1e-9 * max(float(np.max(np.abs(y))), 1e-300))


def source_line(lines: list[str], line: int) -> str:
    """Line ``line`` (from 1) of the user's file, escaped and shortened for a report; "" when out of range."""
    return text.escape(lines[line - 1].strip(), 100) if 0 < line <= len(lines) else ""


@dataclass
class Located:
    """Where the code departs: the line, the name there, the quantity and the words."""

    line: int
    name: str
    checkpoint: Checkpoint | None
    text: str


def locate(records: list[Record], source_lines: list[str], net: vm.Net, X, Y, family: vm.Family,
           variant: vm.Variant, step: float, c: float, params: dict, failing: list, where, rtol=RTOL,
           changes: dict | None = None) -> Located | None:
    """The first line whose value departs from the spec (see the module docstring), or None.

    ``net`` holds the parameters before the step (math layout), ``X`` and ``Y`` the step's data
    (one sample when the code steps sample by sample); ``params`` maps each parameter's
    (kind, layer) to ``(code name, value before)`` in the math layout, ``failing``
    the (kind, layer) whose update is wrong, ``changes`` their observed change by (kind, layer);
    ``where(line)`` words a line (``line 27``,
    ``cell 3, line 2``).
    """
    D, N = net.D, X.shape[1]
    spec = vm.quantities(net, X, Y, family, vm.SPEC, 1.0, lr=step)
    wrong = vm.quantities(net, X, Y, family, variant, 1.0, lr=step)
    cmp = _Compare(step, c, N, rtol)
    points = checkpoints(D, lambda l: net.b[l] is not None)
    departed = [k for k in points if _differs(wrong[k.kind][k.layer], spec[k.kind][k.layer])]
    # (a slope is a line's value only under a slope's name: f'(z) of a sigmoid is not a quantity of its own)
    departed = [k for k in departed if k.kind != "slope" or wrong["slope"][k.layer] is not None]
    # everything the spec computes in this step: a line holding one of them is on the spec's path
    legit = [X, Y, spec["dl_da"], *[spec[n][l] for n in ("z", "a", "delta", "sent", "dW", "db")
                                     for l in range(1, D + 1) if spec[n][l] is not None]]
    # every line that holds a departed quantity, with how sure it is the place: 0 a value on no path of the
    # spec, or named as the quantity (delta2 = a - y); 1 named like an error term (hidden_error); 2 an update
    found = []
    for r in records:
        changed = _parameter_change(r, params)
        for k in departed:
            q = wrong[k.kind][k.layer]
            if changed is not None:
                if ("d" + changed[0][0], changed[0][1]) != (k.kind, k.layer) or not cmp.holds(changed[1], q):
                    continue
                found.append((2, r, k, True))
                break
            if not cmp.holds(r.value, q):
                continue
            last = leaf(r.name)
            if k.kind == "slope" and not _NAMES["slope"].search(last):
                continue
            if _NAMES[k.kind].search(last) or not any(cmp.holds(r.value, s) for s in legit):
                found.append((0, r, k, False))
            elif k.kind == "delta" and _ERROR_NAMES.search(last):
                found.append((1, r, k, False))
            break
    if found:
        # the first quantity to depart that some line holds; among its lines, the surest, then the first
        order = {k: i for i, k in enumerate(departed)}
        _, _, r, k, update = min(((order[k], level, i, r, k, update) for i, (level, r, k, update) in
                                  enumerate(found)), key=lambda f: f[:3])[1:]
        # (a slope departs first only for a line that holds the slope itself)
        root = next(d for d in departed if d.kind != "slope" or k.kind == "slope")
        return Located(r.line, r.name, k, _words(r, k, root, update, variant, net, source_lines, where))
    # a constant on one layer (a sign, a stray 2 or rate): the first line named as a layer's delta or gradient
    # whose constant differs from the one the same quantity has in a layer whose update is right
    odd_layer = _odd_layer_constant(records, params, failing, spec, cmp, D)
    if odd_layer is not None:
        r, kind, l, s_bad, s_good = odd_layer
        line = source_line(source_lines, r.line)
        label = Checkpoint(kind, l).label(D)
        return Located(r.line, r.name, Checkpoint(kind, l),
                       f"{where(r.line)}{f' ({line})' if line else ''}: {text.escape(r.name, 60)} holds {s_bad:.6g} x "
                       f"the spec's {label}, where the other layers' carry {s_good:.6g} x theirs")
    # the constant-only mistakes (a bias averaged, a rate left out): the first line that holds a failing
    # parameter's own change up to a constant (its gradient, db2 = ...), else the line that updates it
    # (only when some parameters are right: a sign or a factor on every update is in the update lines)
    odd = [k for k in failing if changes and changes.get(k) is not None and np.any(changes[k])]
    for r in (records if odd and len(failing) < len(params) else []):
        for kind, l in odd:
            if (_parameter_change(r, params) is None and _NAMES["d" + kind].search(leaf(r.name))
                    and cmp.holds(r.value, changes[(kind, l)])):
                line = source_line(source_lines, r.line)
                return Located(r.line, r.name, None,
                               f"{where(r.line)}{f' ({line})' if line else ''}: {text.escape(r.name, 60)} holds the "
                               f"update of {'W' if kind == 'W' else 'b'}⁽{l}⁾ that departs from the spec (the "
                               "table shows by how much)")
    for r in records:
        changed = _parameter_change(r, params)
        if changed is not None and changed[0] in failing:
            kind, l = changed[0]
            line = source_line(source_lines, r.line)
            return Located(r.line, r.name, None,
                           f"{where(r.line)}{f' ({line})' if line else ''}: the update of "
                           f"{'W' if kind == 'W' else 'b'}⁽{l}⁾ ({text.escape(r.name, 60)}) departs from the spec here")
    return None


def _odd_layer_constant(records, params, failing, spec, cmp, D):
    """``(record, kind, layer, its constant, the right layers' constant)`` or None (see `locate`)."""
    good = {l for (_, l) in params if not any(f[1] == l for f in failing)}
    bad = {l for (_, l) in failing}
    if not good or not bad:
        return None
    seen = []  # (record, kind, layer, constant) in the order the lines ran
    for r in records:
        last = leaf(r.name)
        for kind in ("delta", "dW", "db"):
            if not _NAMES[kind].search(last):
                continue
            for l in range(1, D + 1):
                if spec[kind][l] is None:
                    continue
                c = cmp.factor(r.value, spec[kind][l])
                if c is not None:
                    seen.append((r, kind, l, c))
                    break
    for r, kind, l, c in seen:
        if l not in bad:
            continue
        right = [c2 for _, k2, l2, c2 in seen if k2 == kind and l2 in good]
        if right and all(abs(c - c2) > 1e-6 * max(abs(c), abs(c2)) for c2 in right):
            return r, kind, l, c, right[0]
        if not right and kind == "delta" and c < 0:
            # no right layer's delta to compare with: a negative one, where the right layers descend, is the sign
            return r, kind, l, c, 1.0
    return None


def _parameter_change(r: Record, params: dict):
    """``((kind, layer), change)`` when the record is a parameter being updated (its name, its shape), else None."""
    best = None
    for key, (name, before) in params.items():
        if leaf(r.name) != leaf(name):
            continue
        for v in _views(r.value, before.shape):
            change = v - before
            size = float(np.max(np.abs(change)))
            # the parameter moved a little: an update, not a fresh array of the same shape
            if size <= max(float(np.max(np.abs(before))), 1e-12) and (best is None or size < best[2]):
                best = (key, change, size)
    return None if best is None else (best[0], best[1])


def _slope_words(variant: vm.Variant, l: int, D: int) -> str:
    how = variant.slope_at(l, D)
    if isinstance(how, vm.OtherSlope):
        return f"times the slope of {how.activation}"
    return {"1": "without the activation's slope", "g(z)": "times the slope's output form given z instead of a",
            "f'(a)": "times f′ taken at a instead of z", "twice": "times the activation's Jacobian twice",
            "f'(z)": "times f′(z)", "mask(g)": "masked where the incoming gradient is ≤ 0 instead of where z ≤ 0"
            }.get(how, f"times {how}")


def _words(r: Record, k: Checkpoint, root: Checkpoint, update: bool, variant: vm.Variant, net: vm.Net, source_lines,
           where) -> str:
    """``line 27 (delta2 = a - y): delta2 holds ...; the spec's δ⁽²⁾ is ...``.

    ``root`` is the first quantity that departs; ``k`` the one the line holds (``root``, or one computed from it).
    """
    D, l = net.D, root.layer
    act = net.acts[l]
    slope = _slope_formula(act, l)
    spec = {
        "delta": (f"∂L/∂a⁽{D}⁾ ⊙ {slope}" if l == D else f"(W⁽{l + 1}⁾ᵀδ⁽{l + 1}⁾) ⊙ {slope}"),
        "dW": f"δ⁽{l}⁾ a⁽{l - 1}⁾ᵀ" if l > 1 else "δ⁽1⁾ xᵀ",
        "db": f"δ⁽{l}⁾ summed over the samples",
        "sent": f"W⁽{l + 1}⁾ᵀδ⁽{l + 1}⁾" + (f" with W⁽{l + 1}⁾ as it was before this step" if variant.stale else ""),
        "slope": slope,
    }[root.kind]
    if root.kind == "slope":
        holds = f"the slope of layer {l} {_slope_words(variant, l, D).replace('times ', '')}"
    elif root.kind == "delta":
        holds = (f"∂L/∂a⁽{D}⁾ {_slope_words(variant, l, D)}" if l == D
                 else f"W⁽{l + 1}⁾ᵀδ⁽{l + 1}⁾ {_slope_words(variant, l, D)}")
    elif root.kind == "sent":
        holds = ("W⁽{0}⁾ᵀ ∂L/∂a⁽{0}⁾: the output's error sent back before its slope".format(l + 1) if variant.raw_error
                 else f"W⁽{l + 1}⁾δ⁽{l + 1}⁾, W⁽{l + 1}⁾ not transposed" if variant.untransposed
                 else f"W⁽{l + 1}⁾ᵀδ⁽{l + 1}⁾ with W⁽{l + 1}⁾ already updated by this step")
    elif root.kind == "dW":
        holds = (f"(δ⁽{l}⁾ a⁽{l - 1}⁾ᵀ)ᵀ, the gradient transposed" if variant.transposed_grad
                 else f"δ⁽{l}⁾ z⁽{l - 1}⁾ᵀ (z of the layer below, not its output a)")
    else:
        how = variant.bias_at(l, net.D)
        holds = {"mean": f"δ⁽{l}⁾ averaged over the samples", "first": f"δ⁽{l}⁾ of the first sample only",
                 "all": f"δ⁽{l}⁾ summed over the samples and the units",
                 "N": f"δ⁽{l}⁾ summed over the samples, without the 1/N the weights' gradient has"}.get(
                     how, f"δ⁽{l}⁾ reduced as {how}")
    line = source_line(source_lines, r.line)
    name = text.escape(r.name, 60)
    if update:
        what = f"{name} is updated with {holds}" + ("" if k == root else f", as {root.label(D)}")
    elif k == root:
        what = f"{name} holds {holds}"
    else:
        what = f"{name} is computed from {holds}" + ("" if root.kind == "sent" else f", as {root.label(D)}")
    if root.kind == "sent":
        return f"{where(r.line)}{f' ({line})' if line else ''}: {what}; the spec's is {spec}"
    return f"{where(r.line)}{f' ({line})' if line else ''}: {what}; the spec's {root.label(D)} is {spec}"


def _slope_formula(act, l: int) -> str:
    """``a⁽¹⁾(1 − a⁽¹⁾)`` for a sigmoid layer: the derivative through the output where it has one, else f′(z)."""
    form = getattr(act, "output_form", None)
    if form is not None:
        shown = str(form).replace("**", "^").replace("*", "·")
        if "Piecewise" in shown or "Eq(" in shown:
            return f"{act.name}′(z⁽{l}⁾)"
        if shown in ("1", "0"):
            return f"{act.name}′(z⁽{l}⁾) = {shown}"
        return f"{act.name}′(z⁽{l}⁾) = " + re.sub(r"\ba\b", f"a⁽{l}⁾", shown).replace(" - ", " − ")
    return f"{act.name}′(z⁽{l}⁾)"


def odd_constant(records: list[Record], source_lines: list[str], net: vm.Net, X, Y, family: vm.Family,
                 allowed, where) -> Located | None:
    """The first line named as a gradient or an error term whose constant is none a convention puts there.

    For a step that is right up to its size when the size is not the code's rate times a
    convention's constant (a mean taken twice): ``allowed(s)`` says whether a constant ``s``
    on the summed loss's quantity is one a convention (or the rate times one) explains.
    """
    D = net.D
    spec = vm.quantities(net, X, Y, family, vm.SPEC, 1.0)
    cmp = _Compare(1.0, 1.0, X.shape[1], RTOL)
    for r in records:
        last = leaf(r.name)
        for kind in ("dW", "db", "delta"):
            if not _NAMES[kind].search(last):
                continue
            for l in range(D, 0, -1):
                s = cmp.factor(r.value, spec[kind][l])
                if s is not None and not allowed(abs(s)):
                    line = source_line(source_lines, r.line)
                    label = Checkpoint(kind, l).label(D)
                    return Located(r.line, r.name, Checkpoint(kind, l),
                                   f"{where(r.line)}{f' ({line})' if line else ''}: {text.escape(r.name, 60)} holds "
                                   f"{abs(s):.6g} x {label} of the summed loss, a constant no convention puts there "
                                   "with the code's learning rate")
    return None
