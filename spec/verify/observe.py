"""Observe mode: `verify` on a script (or notebook) that trains when it is run.

Such a file has no class or functions to drive: its parameters are module
variables (or locals, or attributes of layer objects) and its training loop runs
at import. `prepare` reads the file (a notebook's code cells in order, IPython
magics and shell lines left out and listed); the sandbox's child runs it as
``__main__`` under a tracer (`spec.verify._child.Observer`) that stops it after a
few iterations of the loop whose iterations change the same float arrays every
time; `identify` turns what was seen into `Observation` s in the math's layout:
the parameters (arrays that existed before the loop and whose shapes chain from
the inputs to the outputs), the inputs, targets and outputs (arrays in scope
matched by shape and confirmed by the spec's forward pass). The judging is the
one every class gets (`spec.verify.judge.judge`).
"""

from __future__ import annotations

import ast
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from spec.verify import discover, sandbox

#: Iterations of the training loop observed before the script is stopped.
ITERATIONS = 3


class CannotRun(Exception):
    """The file cannot be run as written; the message is the cause, with the file and line."""


@dataclass
class Source:
    """The code to run, and what was left out of it."""

    text: str
    kind: str  # "script" or "notebook"
    skipped: list = field(default_factory=list)  # (where, line text) of magics and shell lines
    cells: list = field(default_factory=list)  # for a notebook: (first line in text, cell number) per code cell

    def at(self, name: str, line: int | None) -> str:
        """``net.py:12`` for a script, ``nb.ipynb cell 3, line 2`` for a notebook."""
        if not line:
            return name
        return f"{name}:{line}" if self.kind != "notebook" or not self.cells else f"{name} {self.where(line)}"

    def where(self, line: int) -> str:
        """``line`` of the joined text as the notebook's cell and line (or the line, for a script)."""
        if self.kind != "notebook" or not self.cells:
            return f"line {line}"
        start, cell = max((c for c in self.cells if c[0] <= line), default=self.cells[0])
        return f"cell {cell}, line {line - start + 1}"


_MAGIC = re.compile(r"^\s*(%|!|\?)")


def _strip_magics(lines, where):
    """Lines with IPython magics and shell commands replaced by ``pass`` (same indentation, same line numbers)."""
    out, skipped = [], []
    for k, line in enumerate(lines):
        if _MAGIC.match(line):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}pass")
            skipped.append((where(k), line.strip()))
        else:
            out.append(line)
    return out, skipped


def prepare(path: Path) -> Source:
    """The file as code to run: a notebook's code cells joined, magics skipped where they would not parse."""
    if path.suffix == ".ipynb":
        import nbformat

        try:
            nb = nbformat.read(str(path), as_version=4)
        except Exception as err:  # nbformat raises several kinds for a file that is not a notebook
            raise CannotRun(f"{path.name} is not a notebook nbformat can read: {type(err).__name__}: {err}") from None
        lines, cells, skipped = [], [], []
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        for number, cell in enumerate(nb.cells, 1):
            if cell.cell_type != "code":
                continue
            cell_lines = cell.source.splitlines()
            cells.append((len(lines) + 1, number))
            kept, gone = _strip_magics(cell_lines, lambda k, n=number: f"cell {n}, line {k + 1}")
            lines += kept + [""]
            skipped += gone
        del code_cells
        source = Source("\n".join(lines) + "\n", "notebook", skipped, cells)
    else:
        text = path.read_text(encoding="utf-8", errors="replace")
        source = Source(text, "script")
        try:
            ast.parse(text)
        except SyntaxError:
            kept, gone = _strip_magics(text.splitlines(), lambda k: f"line {k + 1}")
            if gone:  # an exported notebook: its %matplotlib inline is not Python
                source = Source("\n".join(kept) + "\n", "script", gone)
    try:
        ast.parse(source.text)
    except SyntaxError as err:
        raise CannotRun(syntax_cause(path, source, err)) from None
    return source


_PY2 = (
    (re.compile(r"^\s*print\s+[^\s(=]"), "a print statement (print x)"),
    (re.compile(r"\bxrange\s*\("), "xrange"),
    (re.compile(r"^\s*except\s+[\w.]+\s*,\s*\w+\s*:"), "except E, e"),
    (re.compile(r"^\s*exec\s+[\"']"), "an exec statement"),
    (re.compile(r"\braw_input\s*\("), "raw_input"),
)


def syntax_cause(path, source: Source, err: SyntaxError) -> str:
    line = err.lineno or 0
    text = source.text.splitlines()[line - 1] if 0 < line <= len(source.text.splitlines()) else ""
    py2 = next((what for pattern, what in _PY2 if pattern.search(text)), None)
    if py2 is None:
        elsewhere = next((k for k, t in enumerate(source.text.splitlines(), start=1)
                          for pattern, _ in _PY2[:2] if pattern.search(t)), None)
        if elsewhere is not None:
            t = source.text.splitlines()[elsewhere - 1]
            what = next(w for pattern, w in _PY2[:2] if pattern.search(t))
            py2 = f"{what}, at line {elsewhere}"
    head = source.at(path.name, line)
    # TabError and IndentationError are SyntaxErrors: named as they are (Python 2 mixed tabs and spaces freely)
    why = f"{type(err).__name__}: {err.msg}"
    if py2:
        why += f"; this is Python 2 code ({py2}): it must be ported to Python 3 to run"
    return f"cannot run {head}: {why}" + (f": {text.strip()[:120]}" if text.strip() else "")


def _guard(node) -> bool:
    """``if __name__ == "__main__":``."""
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
            and isinstance(node.test.left, ast.Name) and node.test.left.id == "__name__")


def trains_when_run(text: str, guarded: bool = False) -> bool:
    """Whether the module's own top-level code (outside ``if __name__ == "__main__"``) holds a loop.

    Importing such a file runs its training: it is observed, not imported and driven.
    ``guarded``: the ``if __name__ == "__main__":`` block counts too (a file run as a script trains
    there; it is observed when nothing in it can be driven).
    """
    tree = ast.parse(text)
    if guarded:
        tree.body = [n for node in tree.body for n in (node.body if _guard(node) else [node])]
    defined = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}

    def calls(node):
        return {s.func.id for s in ast.walk(node) if isinstance(s, ast.Call) and isinstance(s.func, ast.Name)
                and s.func.id in defined}

    # the file's functions that loop, themselves or through the file's functions they call (main() -> train())
    looping = {name for name, f in defined.items() if any(isinstance(s, (ast.For, ast.While)) for s in ast.walk(f))}
    while True:
        more = {name for name, f in defined.items() if name not in looping and calls(f) & looping}
        if not more:
            break
        looping |= more

    def loops(nodes):
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or _guard(node):
                continue
            if any(isinstance(sub, (ast.For, ast.While)) for sub in ast.walk(node)) or calls(node) & looping:
                return True
        return False

    return loops(tree.body)


def defines_code(text: str) -> bool:
    """Whether the file defines a class or a function (something to drive when its loops train nothing)."""
    return any(isinstance(n, (ast.ClassDef, ast.FunctionDef)) for n in ast.parse(text).body)


# --- from what was seen to observations -----------------------------------------------------------


def _path(key: str) -> tuple:
    return tuple({"attr": name} if kind == "attr" else {"key": name} for kind, name in json.loads(key))


def _name(key: str) -> str:
    return discover.path_text(_path(key))


def _last(key: str) -> str:
    return str(json.loads(key)[-1][1])


_BIAS_NAMES = re.compile(r"^(b|bias)|bias", re.I)


def chain(shapes: list[tuple], names=None) -> tuple | None:
    """How arrays of these shapes (in the order the code made them) read as a network, or None.

    ``(widths, [(index, layer, kind)], transposed)``: each weight's layer, each bias's;
    of the readings, the one with the most layers.
    """
    names = names or [""] * len(shapes)
    # a (1, n) or (n, 1) array is a weight of a one-unit layer or a bias kept as a row: named like a bias, a bias
    ambiguous = [k for k, s in enumerate(shapes) if len(s) == 2 and min(s) == 1 and not _BIAS_NAMES.search(names[k])]
    best = None
    for as_weight in itertools.product((True, False), repeat=min(len(ambiguous), 8)):
        weight = {k for k, s in enumerate(shapes) if len(s) == 2 and min(s) > 1}
        weight |= {k for k, w in zip(ambiguous, as_weight) if w}
        if any(len(s) > 2 or len(s) == 0 for s in shapes):
            return None
        order = [k for k in range(len(shapes)) if k in weight]
        if not order:
            continue
        for transposed in (True, False):
            ins = [shapes[k][0 if transposed else 1] for k in order]
            outs = [shapes[k][1 if transposed else 0] for k in order]
            if any(outs[i] != ins[i + 1] for i in range(len(order) - 1)):
                continue
            widths = (ins[0], *outs)
            roles, taken, ok = [], set(), True
            for i, k in enumerate(order):
                roles.append((k, i + 1, "W"))
            for k in range(len(shapes)):
                if k in weight:
                    continue
                size = int(np.prod(shapes[k]))
                # the layer of the weight made just before it, else the first free layer of that width
                before = [i + 1 for i, w in enumerate(order) if w < k]
                layers = ([before[-1]] if before else []) + list(range(1, len(widths)))
                layer = next((l for l in layers if widths[l] == size and l not in taken), None)
                if layer is None:
                    ok = False
                    break
                taken.add(layer)
                roles.append((k, layer, "b"))
            if ok and (best is None or len(order) > len(best[0]) - 1):
                best = (widths, sorted(roles, key=lambda r: (r[1], r[2] != "W")), transposed)
    return best


_X_NAMES = re.compile(r"^(x|xs|x_?train|x_?batch|inputs?|data|features|l0|a0|layer_?0|x_?i|xi|sample|xb|x_?b|x_?mb|"
                     r"x_?mini(_?batch)?|batch_?x|batch_?inputs?|inp|x_?sample)$", re.I)
_Y_NAMES = re.compile(r"^(y|ys|y_?train|y_?batch|targets?|labels?|t|y_?i|yi|y_?true|expected|d|outputs?_?expected|tgts?|"
                     r"truth|answers?|desired|yb|y_?b|y_?mb|batch_?y|batch_?targets?)$|^(y|t)_|target|label", re.I)
_OUT_NAMES = re.compile(r"out|pred|y_?hat|final|^p$|^probs?$|^prob|^(a|h|l|layer|activation|o)_?\d+$", re.I)


def _fits(shape, n, N):
    """The layout in which an array of ``shape`` holds ``n`` values per sample for N samples, or None."""
    if N == 1 and n == 1 and shape == ():
        return "samples_features"
    if N == 1 and shape in ((n,), (1, n)):
        return "samples_features"
    if N == 1 and shape == (n, 1):
        return "features_samples"
    if len(shape) == 2 and shape == (N, n):
        return "samples_features"
    if len(shape) == 2 and shape == (n, N):
        return "features_samples"
    if n == 1 and shape == (N,):
        return "samples_features"
    return None


def _stack_pairs(snaps: list, n0: int, nD: int) -> dict:
    """Batches kept as lists of ``(x, y)`` pairs (``mini_batch[i] = (x, y)``), stacked as two arrays of samples.

    Adds to every snapshot, under new keys, ``X`` (samples, n0) and ``Y`` (samples, nD) or labels
    (samples,); returns ``{key of X: key of Y}``.
    """
    out = {}
    groups = {}
    for key in snaps[-1]:
        steps = json.loads(key)
        if len(steps) >= 3 and steps[-1][0] == "key" and steps[-1][1] in (0, 1) and steps[-2][0] == "key":
            groups.setdefault(json.dumps(steps[:-2]), set()).add(steps[-2][1])
    for prefix, indices in groups.items():
        steps = json.loads(prefix)
        kx = json.dumps(steps[:-1] + [["attr", f"{steps[-1][1]}[i][0]"]]) if steps else None
        ky = json.dumps(steps[:-1] + [["attr", f"{steps[-1][1]}[i][1]"]]) if steps else None
        if kx is None or len(indices) < 2:
            continue
        ok = True
        for n, s in enumerate(snaps):
            xs = [s.get(json.dumps(steps + [["key", i], ["key", 0]])) for i in sorted(indices)]
            ys = [s.get(json.dumps(steps + [["key", i], ["key", 1]])) for i in sorted(indices)]
            if any(v is None for v in xs + ys):
                if n == 0:
                    continue  # before the first observed pass the batch need not exist yet: its data is unused
                ok = False
                break
            if any(x.size != n0 for x in xs) or any(y.size not in (nD, 1) for y in ys):
                ok = False
                break
            s[kx] = np.stack([x.ravel() for x in xs])
            s[ky] = np.stack([y.ravel() for y in ys]) if all(y.size == nD for y in ys) else \
                np.array([float(y.ravel()[0]) for y in ys])
        if ok:
            out[kx] = ky
    return out


def _labels(array, n, N):
    """Integer class labels for N samples of n classes, one-hot in the math's layout (n, N), or None."""
    a = np.asarray(array)
    if n < 2 or a.size != N or a.ndim > 2 or (a.ndim == 2 and 1 not in a.shape):
        return None
    flat = a.reshape(N)
    if not np.all(flat == np.round(flat)) or flat.min() < 0 or flat.max() >= n:
        return None
    one_hot = np.zeros((n, N))
    one_hot[flat.astype(int), np.arange(N)] = 1.0
    return one_hot


def _math(array, layout, n, N):
    a = np.asarray(array, dtype=np.float64)
    if layout == "samples_features":
        return a.reshape(N, n).T.copy()
    return a.reshape(n, N).copy()


@dataclass
class Seen:
    """What observing found: the reading, the observations, the lines for the report."""

    binding: discover.Binding
    observations: list
    lines: list
    snapshot_numbers: dict = field(default_factory=dict)  # the numbers in scope at the last snapshot (lr, ...)
    explained: bool = True  # a forward pass of registered activations explains the outputs found
    missing_outputs: bool = False  # no array of the batch's outputs: the judge finds the activations from the step


#: Names of arrays that change every pass without being parameters: a layer's output or cache, a gradient
#: kept between steps, an optimizer's state. Tried without them when the reading with them fails.
_NOT_PARAMETERS = re.compile(
    r"^(outputs?|out|pred(s|ictions?)?|y_?hat|a\d*|h\d*|z\d*|layer_?\d+|hidden(_?layer)?(_?outputs?)?|"
    r"activations?|probs?|inputs?|errors?|deltas?\d*|loss(es)?|cost|cache\w*)$"
    r"|grad|nabla|^d[A-Z_]|^d(w|b|weights|biases)\d*$|velocit|momentum|^v_|^m_|_grad$|^delta", re.I)


def identify(reply: dict, arrays: list, source: Source, path: Path, observation, forward_fits) -> Seen:
    """The observed iterations as observations (math layout), or a `discover.DiscoveryError` saying what is missing.

    ``observation`` makes one (`spec.verify.judge.Observation`); ``forward_fits(observations, binding)`` is
    the (hidden, output) activations whose forward pass they are, or None (`spec.verify.judge.identify_activations`):
    both passed in, so that this module does not import the judge that imports it.

    The arrays that changed every pass are read as the parameters; when that reading fails (their
    shapes do not chain, or no forward pass explains the outputs) and some of them are named like a
    layer's output, a gradient or an optimizer's state (`_NOT_PARAMETERS`), they are read without those.
    """
    keys = list(reply["params"])
    fewer = [k for k in keys if not _NOT_PARAMETERS.search(_last(k))]
    if not fewer or len(fewer) == len(keys):
        return _identify(reply, arrays, source, observation, forward_fits, keys)
    try:
        seen = _identify(reply, arrays, source, observation, forward_fits, keys)
        if seen.explained:
            return seen
    except discover.DiscoveryError:
        pass
    return _identify(reply, arrays, source, observation, forward_fits, fewer)


def _identify(reply, arrays, source, observation, forward_fits, keys) -> Seen:
    """`identify` with ``keys`` as the parameters."""
    snaps = [{k: arrays[i] for k, i in s.items()} for s in reply["snapshots"]]
    shapes = [snaps[0][k].shape for k in keys]
    reading = chain(shapes, [_last(k) for k in keys])
    loop = f"the loop at {source.where(int(reply['line']))}" + (f" (in {reply['function']})" if reply["function"] != "<module>" else "")
    if reading is None:
        changed = _reshaped(reply, keys, shapes)
        if changed and chain([tuple(reply["entry_shapes"][k]) for k in keys], [_last(k) for k in keys]):
            raise Reshaped(loop, changed, _reshaping_line(source.text, int(reply["line"]), changed))
        raise discover.DiscoveryError(
            f"{loop} changes {', '.join(f'{_name(k)} {tuple(s)}' for k, s in zip(keys, shapes))} every iteration, "
            "but their shapes do not chain from the inputs to the outputs")
    widths, roles, transposed = reading
    params = [discover.Param(_path(keys[k]), layer, kind, tuple(shapes[k]),
                             transposed=transposed and kind == "W" and len(shapes[k]) == 2)
              for k, layer, kind in roles]
    arch = tuple(int(w) for w in widths)
    n0, nD = arch[0], arch[-1]
    entry = set(reply["entry"])
    others = [k for k in snaps[-1] if k not in keys]

    def rank(k, names):
        return (not names.search(_last(k)), k not in entry)

    Xs = []
    def varies(k):
        # data that differs from pass to pass is a mini-batch or a sample: the step's own inputs, rather than
        # the whole data set the file also keeps (and may run forward through to print a loss)
        seen = [s[k] for s in snaps if k in s]
        return len(seen) > 1 and any(a.shape != seen[0].shape or not np.array_equal(a, seen[0]) for a in seen[1:])

    pairs = _stack_pairs(snaps, n0, nD)
    others += [k for k in pairs if k not in others]
    # a batch kept as a list of (x, y) pairs that changes from pass to pass is the step's data: single
    # samples taken out of such lists (or out of the whole training list) are not
    batches = [k for k in pairs if varies(k)]

    for k in (batches or sorted(others, key=lambda k: (not varies(k), *rank(k, _X_NAMES)))):
        shape = snaps[-1][k].shape
        for N in sorted({d for d in shape} | {1}):
            layout = _fits(shape, n0, N)
            if layout is not None and (k, N) not in [(x[0], x[1]) for x in Xs]:
                Xs.append((k, N, layout))
    depth = len(arch) - 1
    b = discover.Binding(cls="(script)", constructor=[], archs=[arch], params={arch: params},
                         has_biases=any(p.kind == "b" for p in params), x_layout="samples_features",
                         forward="", forward_args=[], lr_via="fixed", observed=True)

    def observations(xk, N, xl, yk, ok_):
        out = []
        for i in range(1, len(snaps)):
            before = {p.key: p.to_math(snaps[i - 1][k]) for p, k in zip(params, [keys[r[0]] for r in roles])}
            after = {p.key: p.to_math(snaps[i][k]) for p, k in zip(params, [keys[r[0]] for r in roles])}
            s = snaps[i]
            if any(k not in s for k in (xk, yk, ok_) if k is not None):
                return None
            yl = _fits(s[yk].shape, nD, N)
            ol = _fits(s[ok_].shape, nD, N) if ok_ is not None else "none"
            xl_ = _fits(s[xk].shape, n0, N)
            Y = _math(s[yk], yl, nD, N) if yl is not None else _labels(s[yk], nD, N)
            if None in (ol, xl_) or Y is None:
                return None
            output = _math(s[ok_], ol, nD, N) if ok_ is not None else np.full((nD, N), np.nan)
            out.append(observation(f"the file's own data, iteration {i} of {loop}", arch, before,
                                         _math(s[xk], xl_, n0, N), Y, None, output, after))
        return out

    choice, explained = None, []
    # every reading with one activation in all hidden layers first: a different activation per hidden
    # layer (12^2 combinations for two) is tried only when no reading fits with one
    for mixed in (False, True) if len(arch) > 3 else (True,):
        for xk, N, xl in Xs:
            outs = [k for k in others if k != xk and _fits(snaps[-1][k].shape, nD, N)]
            labels = [k for k in others if k != xk and k not in outs and _labels(snaps[-1][k], nD, N) is not None]
            # targets: named like targets, not like a loss (a running total is a number of the right size too)
            ys = sorted(outs + labels, key=lambda k: (bool(_LOSS_NAMES.search(_last(k))), *rank(k, _Y_NAMES),
                                                      snaps[-1][k].ndim == 0))
            for ok_ in sorted(outs, key=lambda k: (k in entry, not _OUT_NAMES.search(_last(k)))):
                for yk in [y for y in ys if y != ok_][:3]:
                    obs = observations(xk, N, xl, yk, ok_)
                    if not obs:
                        continue
                    if choice is None:
                        choice = (xk, N, xl, yk, ok_, obs)
                    found = forward_fits(obs, b, mixed=mixed)
                    if found is not None:
                        # a layer's z is an identity output's forward pass too: the array after an activation wins
                        explained.append(((found[1].name == "identity"), (xk, N, xl, yk, ok_, obs)))
                        break
            if explained:
                break
        if explained:
            break
    if explained:
        choice = min(explained, key=lambda e: e[0])[1]
    missing_outputs = False
    if choice is None:
        # a batch kept as a list of (x, y) pairs, run forward one sample at a time inside a function: no
        # array of the batch's outputs is in scope; the judge finds the activations from the step instead
        for xk, N, xl in Xs:
            yk = pairs.get(xk)
            if yk is not None and N > 1:
                obs = observations(xk, N, xl, yk, None)
                if obs:
                    choice, missing_outputs = (xk, N, xl, yk, None, obs), True
                    break
    if choice is None:
        raise discover.DiscoveryError(
            f"{loop} trains {', '.join(_name(k) for k in keys)} (sizes {'-'.join(map(str, arch))}), but no inputs "
            f"({n0} per sample), targets and outputs ({nD} per sample) were found among the arrays in scope")
    xk, N, xl, yk, ok_, obs = choice
    b.x_layout = xl
    described = []
    for p in params:
        what = ("W" if p.kind == "W" else "b") + str(p.layer)
        extra = " (in, out)" if p.transposed else ""
        described.append(f"{p.name} {p.shape} as {what}{extra}")
    what_ran = "notebook's code cells" if source.kind == "notebook" else "file"
    lines = [
        f"observed: ran the {what_ran} as __main__ and stopped it after {len(obs)} iterations of {loop}, "
        f"which changed the same arrays every time",
        f"sizes {'-'.join(map(str, arch))} ({depth} layer{'s' if depth > 1 else ''}); parameters: "
        + ", ".join(described) + ("" if b.has_biases else "; no biases"),
        f"inputs: {_name(xk)} {snaps[-1][xk].shape} ({'samples in rows' if xl == 'samples_features' else 'samples in columns'}); "
        f"targets: {_name(yk)} {snaps[-1][yk].shape}"
        f"{' (class labels, read as one-hot)' if _fits(snaps[-1][yk].shape, nD, N) is None else ''}; "
        + (f"outputs: {_name(ok_)} {snaps[-1][ok_].shape}; " if ok_ is not None else
           "outputs: none kept for the whole batch (the forward pass runs one sample at a time): the activations "
           "are the ones whose backprop explains the step; ")
        + f"{N} sample{'s' if N > 1 else ''} per step",
        "the learning rate: written into the code (the step size is measured)",
        f"only the file's own data was seen ({len(obs)} steps): a class or functions that verify can drive "
        "are checked on many more scenarios (sizes, scales, rates)",
    ]
    if source.skipped:
        shown = "; ".join(f"{w}: {t[:60]}" for w, t in source.skipped[:8])
        more = f" (and {len(source.skipped) - 8} more)" if len(source.skipped) > 8 else ""
        lines.append(f"skipped {len(source.skipped)} IPython magic or shell line{'s' if len(source.skipped) > 1 else ''} "
                     f"(not Python): {shown}{more}")
    b.lines = lines
    numbers = {k: float(a) for k, a in snaps[-1].items() if a.ndim == 0 and np.isfinite(a)}
    return Seen(b, obs, lines, numbers, bool(explained), missing_outputs)


class ObservedDriver:
    """The judge's driver for a script: the observed iterations, and no new scenarios."""

    def __init__(self, box: sandbox.Sandbox, observations: list):
        self.box, self.observed = box, observations

    def run(self, b, arch, math, X, Y, lr):
        raise sandbox.RequestFailed("a script's own loop cannot be driven with other data", "observing the script")


class Reshaped(Exception):
    """The loop gave parameters another shape than they had when it began: a finding, not a reading problem."""

    def __init__(self, loop: str, changed: list, line):
        self.loop, self.changed, self.line = loop, changed, line
        said = "; ".join(f"{name} had shape {tuple(before)} when the loop began and {tuple(after)} after its first pass"
                         for name, before, after in changed)
        super().__init__(f"{loop}: {said}: the update gave it another shape (a gradient not summed over the "
                         "samples broadcasts a bias to one row per sample, say); a step must keep every "
                         "parameter's shape")


def _reshaped(reply: dict, keys: list, shapes: list) -> list:
    """``(name, shape at the loop's start, shape now)`` of the parameters whose shape the loop changed."""
    entry = reply.get("entry_shapes")
    if not isinstance(entry, dict):
        return []
    return [(_name(k), entry[k], s) for k, s in zip(keys, shapes)
            if isinstance(entry.get(k), list) and tuple(entry[k]) != tuple(s)]


def _reshaping_line(text: str, loop_line: int, changed: list) -> int | None:
    """The first line inside the loop that assigns one of the reshaped parameters (``b1 = b1 - ...``)."""
    names = {name.split(".")[-1].split("[")[0] for name, _, _ in changed}
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    loop = next((n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While)) and n.lineno == loop_line), None)
    if loop is None:
        return None
    lines = []
    for node in ast.walk(loop):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AugAssign, ast.AnnAssign)) else []
        for t in targets:
            name = t.id if isinstance(t, ast.Name) else t.attr if isinstance(t, ast.Attribute) else None
            if name in names:
                lines.append(node.lineno)
    return min(lines, default=None)


#: Packages that only display (notebook output, progress bars, plots): where verify runs without them, a
#: file that imports them is run with stand-ins that do nothing, and the report says so.
DISPLAY_PACKAGES = ("IPython", "tqdm", "matplotlib", "seaborn", "ipywidgets", "plotly")


def display_stubs(text: str) -> list[str]:
    """The display-only packages the file imports that this environment lacks (stood in for, see `DISPLAY_PACKAGES`)."""
    import importlib.util

    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported.add(node.module)
    wanted = sorted({n for n in imported if n.split(".")[0] in DISPLAY_PACKAGES})
    missing = [n for n in wanted if importlib.util.find_spec(n.split(".")[0]) is None]
    # the package and every submodule the file imports from it
    return sorted({n for n in wanted if n.split(".")[0] in {m.split(".")[0] for m in missing}}
                  | {m.split(".")[0] for m in missing})


# --- why a file cannot run ------------------------------------------------------------------------

_MISSPELT_INIT = ("_init_", "init", "__init_", "_init__", "__int__", "__intit__", "__inti__", "__init")


def misspelt_init(text: str) -> str | None:
    """``Class.name at line N`` for a class whose constructor is misspelt (``_init_``, ``init``) and has no ``__init__``."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            methods = {m.name: m for m in node.body if isinstance(m, ast.FunctionDef)}
            if "__init__" in methods:
                continue
            for name in _MISSPELT_INIT:
                if name in methods:
                    return f"class {node.name} defines {name}() at line {methods[name].lineno}, not __init__()"
    return None


def _line_of(where: str) -> int | None:
    m = re.search(r":(\d+)", where or "")
    return int(m.group(1)) if m else None


def cause(path: Path, source_text: str, err: sandbox.UserError, source: Source | None = None) -> str | None:
    """The reason the file cannot run, as the report's first line, or None when it is not one of those."""
    where = err.where or path.name
    line = _line_of(err.where)
    at = (source or Source(source_text, "script")).at(path.name, line)
    message = getattr(err, "message", "") or str(err)
    kind = err.type_name
    if kind == "SyntaxError":
        return f"cannot run {at}: SyntaxError: {message}"
    if kind in ("ModuleNotFoundError", "ImportError"):
        m = re.search(r"No module named '([^']+)'", message)
        name = m.group(1) if m else None
        if name:
            return (f"cannot run {at}: {kind}: the module {name!r} is not there: it must be importable from the "
                    f"file's folder ({path.resolve().parent}) or installed where verify runs")
        return f"cannot run {at}: {kind}: {message}"
    if kind == "NameError":
        m = re.search(r"name '([^']+)' is not defined", message)
        name = m.group(1) if m else "a name"
        return (f"cannot run {at}: NameError: {name!r} is used but never defined or imported"
                + (f" (in {where.split(' in ', 1)[1]})" if " in " in where and not where.endswith("<module>") else ""))
    if kind == "EOFError" and re.search(r"\binput\s*\(", source_text):
        return (f"cannot run {at}: the file needs input: it calls input(), and standard input is closed while "
                "verify runs it; give the values in the code")
    if kind == "TypeError":
        wrong = misspelt_init(source_text)
        if wrong and ("takes no arguments" in message or "positional argument" in message):
            return f"cannot run {at}: {wrong}: Python never calls it, so the object is built without its parameters"
    if kind in ("FileNotFoundError", "OSError", "PermissionError") and not err.loops:
        return (f"cannot run {at}: {kind}: {message.rstrip('.')}: the file reads data that is not there; verify runs it in its "
                f"own folder ({path.resolve().parent}), which it can read but not write")
    return None


# --- the code's own loss --------------------------------------------------------------------------

_LOSS_NAMES = re.compile(r"loss|cost|^j$|^l$|mse|sse|^err(or)?$|^e$|objective|^ce$|entropy", re.I)


@dataclass
class OwnLoss:
    """A number the code computes in its loop that is a registered loss of its outputs and targets."""

    family: object  # `spec.verify.recurrence.Family`
    name: str
    line: int
    words: str
    scales: tuple = ()  # the value's constant(s) on the summed loss (1/N for a mean...): its gradient's too


def own_loss(records: list, obs) -> OwnLoss | None:
    """The registered loss whose value one of the iteration's numbers named like a loss holds, or None.

    A step that is exact for some standard loss is not right when the code says it
    minimises another: the loss the code computes (``loss = np.mean((y - out) ** 2)``),
    recognised by its value on the iteration's outputs and targets under any of the
    conventions (half or whole, summed or averaged over samples or entries), is the
    one the step is judged against. A running total over a per-sample loop matches
    nothing and decides nothing.
    """
    from spec.verify import recurrence as vm

    A, Y = obs.output, obs.Y
    n, N = A.shape
    for r in records:
        if r.value.size != 1 or not _LOSS_NAMES.search(r.name.split(".")[-1]):
            continue
        v = float(r.value.reshape(()))
        if not np.isfinite(v) or v == 0:
            continue
        hits = []
        for family in vm.families():
            total = family.value(A, Y)
            if not np.isfinite(total) or total == 0:
                continue
            bare = 1.0 / float(family.coefficient)
            for k in (1.0, bare):
                for per in (1.0, N, n, N * n):
                    if abs(v - total * k / per) <= 1e-6 * abs(v):
                        hits.append((family, k != 1.0 and bare != 1.0, per, k / per))
        if len({family.name for family, _, _, _ in hits}) == 1:
            family, is_bare, per, _ = hits[0]
            return OwnLoss(family, r.name, r.line, f"{r.name} = {v:.6g}, {_loss_form(family, is_bare, per, N, n)}",
                           tuple(scale for *_, scale in hits))
    return None


def _loss_form(family, is_bare: bool, per, N: int, n: int) -> str:
    """The matched loss in words: ``the sum of squared errors (no 1/2) of its outputs and targets, divided by
    the number of samples``."""
    from spec.verify.families import loss_words

    base = f"the {loss_words(family, 'bare' if is_bare else 'plain')} of its outputs and targets"
    if per == 1.0:
        return f"{base}, summed over the samples"
    how = {N: "samples", n: "outputs", N * n: "entries (samples × outputs)"}[per]
    return f"{base}, divided by the number of {how}"


_RATE_NAMES = re.compile(r"^(lr|learning_?rate|alpha|eta|step_?size|rate|l_?rate|learn_?rate)$", re.I)


def written_rate(seen: Seen, text: str):
    """``(name, value)`` of the learning rate the code names and uses in a line with ``-=``/``+=``/``= X -``, or None."""
    for key, index in seen.snapshot_numbers.items():
        name = _last(key)
        if not _RATE_NAMES.match(name) or not (0 < index < float("inf")):
            continue
        used = re.compile(rf"(-=|\+=|=.*[-+]).*\b{re.escape(name)}\b|\b{re.escape(name)}\b.*(-=|\+=)")
        if any(used.search(line) for line in text.splitlines()):
            return name, float(index)
    return None
