"""The one harness of the verify galleries (independent of spec/ and impl/).

Every gallery folder (tests/verify/gallery and its real/, styles2/, softmax/, logits/)
has a `truth.json` in one schema (see gallery/README.md). This module reads it and holds
everything tests/verify/test_gallery.py needs to check it:

* `ACTIVATIONS`, `LOSSES`, `TWISTS`, `reference_forward`: the mathematics, A and Y as
  (samples, outputs), and the one forward pass every truth is checked through;
* `parse_path`, `get_param`, `set_param`: parameters reached through paths such as
  ``W1``, ``layers[0].W``, ``params['W1']`` (getattr and indexing, nothing evaluated);
* `build`, `class_forward`, `take_step`: a class driven as its entry's `drive` says
  (or the seed protocol when it says nothing);
* `fd_gradient`, `expected_updates`, `relative_errors`: the finite-difference truth;
* `run_verify`, `answer_problems`: ``backprop-spec verify`` on a file, as the CLI runs
  it, and what in its answer differs from the entry's `verify` runs.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import zlib
from functools import cache
from pathlib import Path

import numpy as np

GALLERY = Path(__file__).resolve().parent / "gallery"
#: The gallery folders, each with its truth.json.
FOLDERS = [GALLERY, *(GALLERY / name for name in ("real", "styles2", "softmax", "logits"))]

FD_STEP = 1e-6
MATCH = 1e-6  # a correct update agrees with the finite differences to this relative error
MISMATCH = 1e-3  # a planted mistake must be at least this far off in the parameters it touches

ACTIVATIONS = {
    "identity": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
    "softplus": lambda z: np.logaddexp(0.0, z),
    "softmax": lambda z: _softmax_rows(z),
}


def _softmax_rows(Z):
    """softmax of every row (a sample's outputs)."""
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _sse(A, Y):
    """The sum of squared errors."""
    # sum over samples and outputs of (a - y)^2
    return np.sum((A - Y) ** 2)


def _bce(A, Y):
    """Binary cross-entropy, summed."""
    # -sum(y log a + (1 - y) log(1 - a))
    return -np.sum(Y * np.log(A) + (1 - Y) * np.log1p(-A))


def _ce(P, Y):
    """Cross-entropy of probabilities, summed."""
    # -sum(y log p) over samples and classes
    return -np.sum(Y * np.log(P))


def _ce_of_logits(S, Y):
    """Cross-entropy of softmax(logits), summed."""
    # -sum(y log softmax(s)), log softmax(s) = s - log sum exp(s), shifted by the row's maximum
    S = S - S.max(axis=1, keepdims=True)
    logp = S - np.log(np.exp(S).sum(axis=1, keepdims=True))
    return -np.sum(Y * logp)


def _bce_of_logits(S, Y):
    """Binary cross-entropy of sigmoid(logits), summed."""
    # -sum(y log sigmoid(s) + (1 - y) log(1 - sigmoid(s))) = sum(log(1 + e^s) - y s)
    return float(np.sum(np.logaddexp(0, S) - Y * S))


LOSSES = {  # A, Y: (samples, outputs)
    "half_sse": lambda A, Y: 0.5 * _sse(A, Y),
    "sse": _sse,
    "mean_samples_half_sse": lambda A, Y: 0.5 * _sse(A, Y) / len(A),
    "mean_samples_sse": lambda A, Y: _sse(A, Y) / len(A),
    "mean_all_entries": lambda A, Y: _sse(A, Y) / A.size,
    "bce_sum": _bce,
    "bce_mean": lambda A, Y: _bce(A, Y) / len(A),
    "ce_sum": _ce,
    "ce_mean": lambda P, Y: _ce(P, Y) / len(P),
    # of logits S (the activation applied inside the loss)
    "ce_logits_sum": _ce_of_logits,
    "ce_logits_mean": lambda S, Y: _ce_of_logits(S, Y) / len(S),
    "bce_logits_sum": _bce_of_logits,
    "bce_logits_mean": lambda S, Y: _bce_of_logits(S, Y) / len(S),
}
#: The squared-error and binary cross-entropy conventions (the ones other conventions are tried among).
ELEMENTWISE_LOSSES = [k for k in LOSSES if not k.startswith("ce") and "logits" not in k]


# --- parameter paths ---------------------------------------------------------------------------

_PATH_PART = re.compile(r"\.?([A-Za-z_]\w*)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


def parse_path(path):
    """'layers[0].W' -> [('attr', 'layers'), ('item', 0), ('attr', 'W')]; "params['W1']" -> [('attr', 'params'), ('item', 'W1')]."""
    parts, pos = [], 0
    while pos < len(path):
        m = _PATH_PART.match(path, pos)
        assert m and (pos > 0 or not path.startswith(".")), f"cannot parse parameter path {path!r}"
        if m[1] is not None:
            parts.append(("attr", m[1]))
        elif m[2] is not None:
            parts.append(("item", int(m[2])))
        else:
            parts.append(("item", m[3] if m[3] is not None else m[4]))
        pos = m.end()
    assert parts and parts[0][0] == "attr", path
    return parts


def _down(obj, part):
    """One step down a parameter path."""
    kind, key = part
    return getattr(obj, key) if kind == "attr" else obj[key]


def get_param(obj, path):
    """The value at ``path`` on ``obj``."""
    for part in parse_path(path):
        obj = _down(obj, part)
    return obj


def set_param(obj, path, value):
    """Put ``value`` at ``path`` on ``obj``."""
    *parents, (kind, key) = parse_path(path)
    for part in parents:
        obj = _down(obj, part)
    if kind == "attr":
        setattr(obj, key, value)
    else:
        obj[key] = value


# --- files ----------------------------------------------------------------------------------------


@cache
def load(path: Path):
    """The gallery file at ``path`` imported as a module of its own (once)."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"verify_gallery_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def seeded(file, salt=0):
    """A random stream of its own for ``file`` (and ``salt``), the same on every run."""
    return np.random.default_rng(zlib.crc32(f"{file}:{salt}".encode()))


@cache
def run_verify(target, *options):
    """``backprop-spec verify TARGET OPTIONS`` in a process of its own: (exit code, stdout, stderr), once per session."""
    proc = subprocess.run([sys.executable, "-m", "spec.cli", "verify", str(target), *options],
                          capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout, proc.stderr


# --- the finite-difference truth -----------------------------------------------------------------


def fd_gradient(loss_of, arrays, h=FD_STEP):
    """Central differences of ``loss_of(arrays)`` for every entry of every array, in float64.

    d loss / d theta_i ~ (loss(theta + h e_i) - loss(theta - h e_i)) / (2 h)
    """
    arrays = [np.array(a, dtype=float) for a in arrays]
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            keep = a[i]
            a[i] = keep + h
            up = loss_of(arrays)
            a[i] = keep - h
            down = loss_of(arrays)
            a[i] = keep
            g[i] = (up - down) / (2 * h)
        grads.append(g)
    return grads


def expected_updates(loss_on, arrays, n, lr, update):
    """Parameter changes of one step of gradient descent, the whole batch at once or sample by sample.

    ``loss_on(rows)`` gives ``arrays -> loss`` on the samples ``rows`` (a slice); ``update`` is
    ``"full_batch"`` (theta <- theta - lr dL/dtheta) or ``"per_sample"`` (the same for each sample
    in turn, each from the parameters the previous one left).
    """
    if update == "full_batch":
        return [-lr * g for g in fd_gradient(loss_on(slice(None)), arrays)]
    assert update == "per_sample", update
    current = [np.array(a, dtype=float) for a in arrays]
    for i in range(n):
        grads = fd_gradient(loss_on(slice(i, i + 1)), current)
        current = [np.asarray(p - lr * g) for p, g in zip(current, grads)]
    return [c - np.asarray(a, dtype=float) for c, a in zip(current, arrays)]


def relative_errors(paths, before, after, expected):
    """Per parameter: ||actual change - expected change|| / ||expected change||.

    inf on a shape change, or when a change is expected to be 0 and is not.
    """
    errors = {}
    for path, old, new, exp in zip(paths, before, after, expected):
        if np.shape(new) != np.shape(old):
            errors[path] = float("inf")
            continue
        off, scale = np.linalg.norm((new - old) - exp), np.linalg.norm(exp)
        errors[path] = float(off / scale) if scale else (float("inf") if off else 0.0)
    return errors


# --- the truth -----------------------------------------------------------------------------------

N = 7  # samples per batch: no layer of the galleries is 7 wide, so (N, K) and (K, N) cannot be confused
LR = 0.3  # the learning rate given wherever the code takes one
MATCH_FLOAT32 = 2e-3  # MATCH for a class that keeps its parameters in float32


def entries():
    """Every truth entry of every gallery folder, each with its `folder` (a Path) added."""
    found = []
    for folder in FOLDERS:
        for entry in json.loads((folder / "truth.json").read_text()):
            found.append({**entry, "folder": folder})
    return found


def entry_id(entry):
    """``real/bug_x.py:Net``: the entry's file and class, from the gallery's top."""
    return f"{(entry['folder'] / entry['file']).relative_to(GALLERY)}:{entry['class']}"


def raises_at_its_sizes(entry):
    """True when the step raises at the entry's own sizes (no step to compare)."""
    claim = (entry["bug"] or {}).get("raises_when")
    return bool(claim) and claim["sizes"] == entry["style"]["sizes"]


# --- the one forward pass ---------------------------------------------------------------------------


def _standardise(X):
    return (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-8)


#: Forward passes that differ from the spec's network, by name (an entry's `style.forward`). The stated
#: loss is of the twisted network, unless the twist is the file's `mistake` (then of the spec's).
TWISTS = {
    "spec": {},
    "no_output_bias": {"output_bias": False, "mistake": True},
    "standardised_inputs": {"inputs": _standardise},
    "leaky_relu_slope_0.1_hidden": {"hidden": lambda z: np.where(z > 0, z, 0.1 * z)},
}


def canonical_layers(style, arrays):
    """(W (in, out), b) per layer, from the arrays as the class stores them."""
    arrays = [np.asarray(a, dtype=float) for a in arrays]
    layers = []
    for _ in range(len(style["sizes"]) - 1):
        W = arrays.pop(0)
        if style["biases"] == "folded_first_column":
            b, W = W[:, 0], W[:, 1:]
        elif style["biases"] == "none":
            b = 0.0
        else:
            b = arrays.pop(0).reshape(-1)
        if W.ndim == 1:  # a single output's weights stored as a vector
            W = W[:, None]
        layers.append((W if style["weights"] == "in_out" else W.T, b))
    assert not arrays, "more parameters listed than the layers and biases use"
    return layers


def hidden_activations(entry):
    """The hidden layers' activations, first hidden layer first."""
    hidden = entry["convention"]["hidden_activation"]
    return list(hidden) if isinstance(hidden, list) else [hidden] * (len(entry["style"]["sizes"]) - 2)


def reference_forward(entry, arrays, X, twist=None, hidden=None):
    """The stated network on X (samples, features): output (samples, outputs).

    `twist` (default: the entry's `style.forward`) names a forward pass that differs from the spec's;
    `hidden` replaces the hidden activations by these names.
    """
    tw = TWISTS[entry["style"]["forward"] if twist is None else twist]
    layers = canonical_layers(entry["style"], arrays)
    names = [*(hidden or hidden_activations(entry)), entry["convention"]["output_activation"]]
    A = tw.get("inputs", lambda X: X)(X)
    for l, (name, (W, b)) in enumerate(zip(names, layers)):
        last = l == len(layers) - 1
        f = ACTIVATIONS[name] if last or "hidden" not in tw else tw["hidden"]
        # a = f(a_prev W + b)
        A = f(A @ W + (0.0 if last and not tw.get("output_bias", True) else b))
    return A


# --- data and driving ----------------------------------------------------------------------------------

#: The seed protocol: Net(n_in, n_hidden, n_out), forward(X), then backward(X, Y, lr).
DEFAULT_DRIVE = {
    "init": {"args": ["*$sizes"], "kwargs": {}},
    "forward": {"call": "forward", "args": ["$X"], "output": "return"},
    "step": [{"call": "forward", "args": ["$X"]}, {"call": "backward", "args": ["$X", "$Y", "$lr"]}],
}


def make_data(entry, sizes, n, rng):
    """X (samples, features) and Y (samples, outputs) the stated loss admits, float32-exact."""
    X = rng.normal(size=(n, sizes[0]))
    loss, out = entry["convention"]["loss"], entry["convention"]["output_activation"]
    if loss.startswith("ce"):
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    elif loss.startswith("bce_logits"):
        Y = rng.uniform(size=(n, sizes[-1]))
        Y[:2] = Y[:2] > 0.5  # 0/1 targets and soft ones
    elif out == "sigmoid":
        Y = rng.uniform(0.05, 0.95, size=(n, sizes[-1]))
    elif out == "tanh":
        Y = rng.uniform(-0.9, 0.9, size=(n, sizes[-1]))
    else:
        Y = rng.normal(size=(n, sizes[-1]))
    return X.astype(np.float32).astype(float), Y.astype(np.float32).astype(float)


def context(entry, sizes, X, Y, lr):
    """The values a drive's placeholders ($X, $lr, ...) stand for."""
    rows = entry["style"]["layout"] == "samples_features"
    return {
        "X": X if rows else X.T.copy(),
        "Y": Y if rows else Y.T.copy(),
        "X_list": X.tolist(),
        "Y_list": Y.tolist(),
        "Y_flat": Y[:, 0].copy(),
        "labels": Y.argmax(axis=1),
        "pairs": [(X[i][:, None].copy(), Y[i][:, None].copy()) for i in range(len(X))],
        "lr": lr,
        "sizes": list(sizes),
        "n_in": sizes[0],
        "n_hidden": sizes[1],
        "n_out": sizes[-1],
    }


def _resolve(value, ctx):
    if isinstance(value, str) and value.startswith("$"):
        m = re.fullmatch(r"\$sizes\[(\d+)\]", value)
        return ctx["sizes"][int(m[1])] if m else ctx[value[1:]]
    return value


def _call(f, c, ctx):
    """f(*args, **kwargs) of a drive's call, its placeholders resolved (``*$name`` spread)."""
    args = []
    for a in c.get("args", []):
        args.extend(ctx[a[2:]] if isinstance(a, str) and a.startswith("*$") else [_resolve(a, ctx)])
    return f(*args, **{k: _resolve(v, ctx) for k, v in c.get("kwargs", {}).items()})


def _perform(net, c, ctx):
    result = _call(getattr(net, c["call"]), c, ctx)
    if "save" in c:
        ctx[c["save"]] = result
    return result


def drive_of(entry):
    return entry["drive"] or DEFAULT_DRIVE


def build(entry, sizes, X, Y, lr, rng):
    """The class built as its entry says, with random parameters of its own shapes and dtypes.

    Returns (object, context, parameters as float64 arrays holding exactly its values).
    """
    drive, ctx = drive_of(entry), context(entry, sizes, X, Y, lr)
    net = _call(getattr(load(entry["folder"] / entry["file"]), entry["class"]), drive["init"], ctx)
    for c in drive.get("setup", []):
        _perform(net, c, ctx)
    arrays = []
    for path in entry["style"]["params"]:
        current = get_param(net, path)
        value = rng.normal(0.0, 0.7, size=np.shape(current))
        if isinstance(current, np.ndarray):
            value = value.astype(current.dtype)
            set_param(net, path, value.copy())
        else:  # a bias kept as a Python float
            value = float(value)
            set_param(net, path, value)
        arrays.append(np.asarray(value, dtype=float))
    if "set_lr" in drive:
        set_param(net, drive["set_lr"], lr)
    return net, ctx, arrays


def class_forward(entry, net, ctx, n):
    """The class's own forward output as (samples, outputs)."""
    spec = drive_of(entry)["forward"]
    result = _perform(net, spec, ctx)
    how = spec["output"]
    if how == "return[0]":
        result = result[0]
    elif how.startswith("attr:"):
        result = getattr(net, how[5:])
    else:
        assert how == "return", how
    out, n_out = np.asarray(result, dtype=float), entry["style"]["sizes"][-1]
    if out.shape == (n,) and n_out == 1:
        return out[:, None]
    if out.shape == (n, n_out):
        return out
    assert out.shape == (n_out, n), f"forward output of shape {out.shape}, expected ({n}, {n_out}) or its transpose"
    return out.T


def take_step(entry, net, ctx):
    """One training step as the drive says; the parameters after it (float64)."""
    for c in drive_of(entry)["step"]:
        _perform(net, c, ctx)
    return [np.array(get_param(net, p), dtype=float) for p in entry["style"]["params"]]


def step_lr(entry):
    """The learning rate of a step: the code's own where it has one (`drive.lr_value`)."""
    return drive_of(entry).get("lr_value", LR)


def match_tolerance(net, entry):
    dtypes = {np.asarray(get_param(net, p)).dtype for p in entry["style"]["params"]}
    return MATCH_FLOAT32 if np.dtype(np.float32) in dtypes else MATCH


def stated_updates(entry, arrays, X, Y, lr, loss=None, update=None):
    """One step of gradient descent on the stated loss (or `loss`, `update`) through `reference_forward`."""
    conv = entry["convention"]
    loss_fn = LOSSES[loss or conv["loss"]]
    twist = "spec" if TWISTS[entry["style"]["forward"]].get("mistake") else None

    def loss_on(rows):
        return lambda arrs: loss_fn(reference_forward(entry, arrs, X[rows], twist), Y[rows])

    return expected_updates(loss_on, arrays, len(X), lr, update or conv["update"])


def one_step(entry, n=N):
    """(parameters before, X, Y, lr, parameters after, tolerance) for one step at the entry's sizes."""
    sizes = entry["style"]["sizes"]
    rng = seeded(entry["file"], n)
    X, Y = make_data(entry, sizes, n, rng)
    lr = step_lr(entry)
    net, ctx, before = build(entry, sizes, X, Y, lr, rng)
    tol = match_tolerance(net, entry)
    return before, X, Y, lr, take_step(entry, net, ctx), tol


def other_conventions(entry):
    """Every other loss of the stated loss's kind (cross-entropy only for a sigmoid output), and update."""
    loss = entry["convention"]["loss"]
    if loss in ELEMENTWISE_LOSSES:
        kind = [k for k in ELEMENTWISE_LOSSES
                if not k.startswith("bce") or entry["convention"]["output_activation"] == "sigmoid"]
    else:
        kind = [k for k in LOSSES if k.rsplit("_", 1)[0] == loss.rsplit("_", 1)[0]]
    for other in kind:
        for update in ("full_batch", "per_sample"):
            if (other, update) != (loss, entry["convention"]["update"]):
                yield other, update


# --- verify's answer ---------------------------------------------------------------------------------


def _text(value):
    if value is None:
        return ""
    return "\n".join(map(str, value)) if isinstance(value, list) else str(value)


def answer_problems(run, code, out, err):
    """What in verify's answer (exit code, stdout, stderr) differs from a `verify` run of a truth entry: [] if nothing.

    The fields words are looked for in: `stdout`, `stderr`, `first_line` (of stdout), or with --json
    the report's keys (lists joined by newlines; ``a+b`` joins two keys).
    """
    problems = []
    if code != run["exit"]:
        return [f"exit {code}, expected {run['exit']}:\n{out}{err}"]
    report = json.loads(out) if "--json" in run["options"] else None
    fields = {"stdout": out, "stderr": err, "first_line": (out.splitlines() or [""])[0]}

    def field(name):
        if name in fields:
            return fields[name]
        return "\n".join(_text(report[k]) for k in name.split("+"))

    for name, phrases in run.get("words", {}).items():
        for phrase in phrases:
            alternatives = phrase if isinstance(phrase, list) else [phrase]
            if not any(p in field(name) for p in alternatives):
                problems.append(f"{name} lacks {phrase!r}: {field(name)!r}")
    for name, phrases in run.get("absent", {}).items():
        problems += [f"{name} has {p!r}" for p in phrases if p in field(name)]
    for name, prefix in run.get("starts", {}).items():
        if not field(name).startswith(prefix):
            problems.append(f"{name} does not start with {prefix!r}: {field(name)!r}")
    for name, suffix in run.get("ends", {}).items():
        if not field(name).endswith(suffix):
            problems.append(f"{name} does not end with {suffix!r}: {field(name)!r}")
    for name, value in run.get("equal", {}).items():
        if report[name] != value:
            problems.append(f"{name} is {report[name]!r}, expected {value!r}")
    if "diagnoses" in run:
        # (in the text, the diagnosis's items: the line of the mistake that follows is not one)
        count = len(report["diagnosis"]) if report is not None else \
            out.split("  where the code departs from the spec:")[0].count("    - ")
        if count > run["diagnoses"]:
            problems.append(f"{count} diagnoses, at most {run['diagnoses']} expected")
    return problems
