"""The one copy of the reference code the gallery tests check their truth with (independent of spec/ and impl/).

Every gallery (tests/verify/gallery: the seed-style files at the top, real/,
styles2/, softmax/, logits/) states what its files compute; the ground-truth
tests check those statements against central differences of the stated loss,
with the activations, losses, parameter paths, finite differences and update
rules written out here once:

* `ACTIVATIONS`, `LOSSES`: the mathematics, A and Y as (samples, outputs);
* `parse_path`, `get_param`, `set_param`: parameters reached through paths such as
  ``W1``, ``layers[0].W``, ``params['W1']`` (getattr and indexing, nothing evaluated);
* `fd_gradient`, `expected_updates`, `relative_errors`: the finite-difference truth;
* `load`, `seeded`: the gallery file as a module, and a random stream per file;
* `run_verify`: ``backprop-spec verify`` on a file, as the CLI runs it.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import zlib
from functools import cache
from pathlib import Path

import numpy as np

GALLERY = Path(__file__).resolve().parent / "gallery"

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
}


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


def run_verify(target, *options):
    """``backprop-spec verify TARGET OPTIONS``: (exit code, stdout, stderr)."""
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
